package io.otp4j.dist;

import io.otp4j.Atom;
import io.otp4j.Node;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The seed's ping/pong program between an otp4j node and a real Erlang node, both ways. */
class DistPingPongTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Atom PONG = PingPong.PONG;

    int epmdPort;
    Node node;
    Distribution dist;

    @BeforeEach
    void start() throws Exception {
        epmdPort = ErlNode.freePort();
        node = Node.start(Node.Options.named("j1@localhost").withCreation(0x5eed));
        dist = Distribution.start(node, DistOptions.cookie("pingpong").withEpmdPort(epmdPort));
    }

    @AfterEach
    void stop() {
        node.stop();
    }

    @Test
    void javaPingsAnErlangPong() throws Exception {
        try (ErlNode erl = new ErlNode("e1@localhost", "pingpong", epmdPort, PingPong.ERL_PONG)) {
            erl.await("ready", WAIT);
            List<Object> got = PingPong.ping(node, dist, "e1@localhost", WAIT);
            assertThat(got).containsExactly(PONG, PONG, PONG);
            erl.await("Pong finished", WAIT);
            assertThat(erl.awaitExit(WAIT)).isZero();
        }
    }

    @Test
    void erlangPingsAJavaPong() throws Exception {
        PingPong.JavaPong pong = new PingPong.JavaPong(node);
        try (ErlNode erl = new ErlNode("e2@localhost", "pingpong", epmdPort, PingPong.erlPing("j1@localhost"))) {
            for (int i = 0; i < 3; i++) erl.await("Ping received pong", WAIT);
            erl.await("ping finished", WAIT);
            assertThat(erl.awaitExit(WAIT)).isZero();
        }
        assertThat(pong.awaitFinished(WAIT)).isTrue();
        assertThat(pong.printed).containsExactly("Pong received ping", "Pong received ping", "Pong received ping",
                "Pong finished");
    }
}
