package io.otp4j.dist;

import io.otp4j.Atom;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The seed's ping/pong program between an otp4j node and a real Erlang node, both ways. */
class DistPingPongTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Atom PING = Atom.of("ping");
    static final Atom PONG = Atom.of("pong");
    static final Atom FINISHED = Atom.of("finished");

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
        String pong = "register(pong, spawn(fun Pong() -> receive finished -> io:format(\"Pong finished~n\"), "
                + "erlang:halt(); {ping, P} -> io:format(\"Pong received ping~n\"), P ! pong, Pong() end end)), "
                + "io:format(\"ready~n\"), receive after infinity -> ok end.";
        try (ErlNode erl = new ErlNode("e1@localhost", "pingpong", epmdPort, pong)) {
            erl.await("ready", WAIT);
            List<Object> got = node.run(() -> {
                List<Object> replies = new CopyOnWriteArrayList<>();
                for (int i = 0; i < 3; i++) {
                    dist.send("pong", "e1@localhost", Tuple.of(PING, Proc.self()));
                    replies.add(Proc.receive(WAIT).orElseThrow(() -> new AssertionError("no pong")));
                }
                dist.send("pong", "e1@localhost", FINISHED);
                return replies;
            });
            assertThat(got).containsExactly(PONG, PONG, PONG);
            erl.await("Pong finished", WAIT);
            assertThat(erl.awaitExit(WAIT)).isZero();
        }
    }

    @Test
    void erlangPingsAJavaPong() throws Exception {
        List<String> printed = new CopyOnWriteArrayList<>();
        CountDownLatch finished = new CountDownLatch(1);
        Pid pong = node.spawn(() -> {
            for (;;) {
                Object m = Proc.receive();
                if (FINISHED.equals(m)) {
                    printed.add("Pong finished");
                    finished.countDown();
                    return;
                }
                if (m instanceof Tuple t && t.size() == 2 && PING.equals(t.get(0)) && t.get(1) instanceof Pid from) {
                    printed.add("Pong received ping");
                    Proc.send(from, PONG);
                }
            }
        });
        node.run(() -> {
            Proc.register("pong", pong);
            return null;
        });
        String ping = "Ping = fun Ping(0) -> {pong, 'j1@localhost'} ! finished, io:format(\"ping finished~n\"); "
                + "Ping(N) -> {pong, 'j1@localhost'} ! {ping, self()}, receive pong -> io:format(\"Ping received pong~n\") "
                + "after 20000 -> io:format(\"no pong~n\"), erlang:halt(1) end, Ping(N - 1) end, "
                + "Ping(3), erlang:halt().";
        try (ErlNode erl = new ErlNode("e2@localhost", "pingpong", epmdPort, ping)) {
            for (int i = 0; i < 3; i++) erl.await("Ping received pong", WAIT);
            erl.await("ping finished", WAIT);
            assertThat(erl.awaitExit(WAIT)).isZero();
        }
        assertThat(finished.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(printed).containsExactly("Pong received ping", "Pong received ping", "Pong received ping", "Pong finished");
    }
}
