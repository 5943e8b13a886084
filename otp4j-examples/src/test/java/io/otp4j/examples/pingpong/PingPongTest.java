package io.otp4j.examples.pingpong;

import io.otp4j.Atom;
import io.otp4j.Down;
import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.Tuple;
import io.otp4j.dist.DistOptions;
import io.otp4j.dist.Distribution;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tutorial's ping/pong between two otp4j nodes, and between otp4j and a real Erlang node both
 * ways. Every test has an EPMD of its own on a free port: the first otp4j node starts it (embedded)
 * and erl is pointed at it with {@code ERL_EPMD_PORT}; stopping the node stops it.
 */
@Timeout(120)
class PingPongTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String COOKIE = "pingpong";

    int epmdPort;
    Node node;
    Distribution dist;
    Node other;

    @BeforeEach
    void start() throws Exception {
        epmdPort = freePort();
        node = Node.start(Node.Options.named("j1@localhost").withCheckMessages(true));
        dist = Distribution.start(node, DistOptions.cookie(COOKIE).withEpmdPort(epmdPort));
    }

    @AfterEach
    void stop() {
        if (other != null) other.stop();
        node.stop(); // and with it the EPMD it started
    }

    static final List<String> PING_SAYS = List.of("Ping received pong", "Ping received pong", "Ping received pong",
            "ping finished");
    static final List<String> PONG_SAYS = List.of("Pong received ping", "Pong received ping", "Pong received ping",
            "Pong finished");

    @Test
    void betweenTwoOtp4jNodes() throws Exception {
        other = Node.start(Node.Options.named("j2@localhost").withCheckMessages(true));
        Distribution otherDist = Distribution.start(other, DistOptions.cookie(COOKIE).withEpmdPort(epmdPort));
        List<String> pongSays = new CopyOnWriteArrayList<>();
        List<String> pingSays = new CopyOnWriteArrayList<>();

        Pid pong = other.run(() -> PingPong.startPong(pongSays::add));
        ExitReason pingEnd = node.run(() -> {
            Ref pongWatch = Proc.monitor(pong); // a monitor across the nodes
            Proc.Spawned ping = Proc.spawnMonitor(() -> PingPong.ping(dist, "j2@localhost", 3, pingSays::add));
            ExitReason r = awaitDown(ping.monitor());
            assertThat(awaitDown(pongWatch)).as("pong ends after finished").isEqualTo(ExitReason.NORMAL);
            return r;
        });

        assertThat(pingEnd).isEqualTo(ExitReason.NORMAL);
        assertThat(pingSays).isEqualTo(PING_SAYS);
        assertThat(pongSays).isEqualTo(PONG_SAYS);
        assertThat(dist.nodes()).containsExactly("j2@localhost");
        assertThat(otherDist.nodes()).containsExactly("j1@localhost");
    }

    @Test
    void otp4jPingsAnErlangPong() throws Exception {
        String erlPong = """
                Pong = fun Loop() ->
                           receive
                               finished -> io:format("Pong finished~n");
                               {ping, Ping} -> io:format("Pong received ping~n"), Ping ! pong, Loop()
                           end
                       end,
                register(pong, spawn(fun() -> Pong(), erlang:halt() end)),
                io:format("ready~n"),
                receive after infinity -> ok end.
                """;
        try (Erl erl = new Erl("e1@localhost", COOKIE, epmdPort, erlPong)) {
            erl.await("ready", WAIT);
            List<String> pingSays = new CopyOnWriteArrayList<>();
            node.run(() -> {
                PingPong.ping(dist, "e1@localhost", 3, pingSays::add);
                return null;
            });
            assertThat(pingSays).isEqualTo(PING_SAYS);
            for (String line : PONG_SAYS) erl.await(line, WAIT);
            assertThat(erl.awaitExit(WAIT)).isZero();
        }
    }

    @Test
    void anErlangPingPingsAnOtp4jPong() throws Exception {
        String erlPing = """
                Ping = fun Loop(0) -> {pong, 'j1@localhost'} ! finished, io:format("ping finished~n");
                           Loop(N) -> {pong, 'j1@localhost'} ! {ping, self()},
                                      receive pong -> io:format("Ping received pong~n")
                                      after 20000 -> io:format("no pong~n"), erlang:halt(1)
                                      end,
                                      Loop(N - 1)
                       end,
                Ping(3),
                receive after infinity -> ok end.
                """;
        // (erl stays up after ping finished: halting at once could drop the finished message still on its way)
        List<String> pongSays = new CopyOnWriteArrayList<>();
        Pid pong = node.run(() -> PingPong.startPong(pongSays::add));
        try (Erl erl = new Erl("e2@localhost", COOKIE, epmdPort, erlPing)) {
            for (String line : PING_SAYS) erl.await(line, WAIT);
            ExitReason pongEnd = node.run(() -> awaitDown(Proc.monitor(pong)));
            // pong may have ended before we monitored it: then the Down says noproc
            assertThat(pongEnd).isIn(ExitReason.NORMAL, ExitReason.NOPROC);
        }
        assertThat(pongSays).isEqualTo(PONG_SAYS);
    }

    @Test
    void pingIsTheTutorialsTupleOnTheWire() throws Exception {
        // an Erlang node echoes back the term it received, and tells whether it was {ping, Pid}
        String echo = """
                register(echo, self()),
                io:format("ready~n"),
                receive {From, Term} ->
                    io:format("got ~s~n", [case Term of {ping, P} when is_pid(P) -> "ping tuple"; _ -> "other" end]),
                    From ! {Term, pong, finished}
                end,
                receive after infinity -> ok end.
                """;
        try (Erl erl = new Erl("e3@localhost", COOKIE, epmdPort, echo)) {
            erl.await("ready", WAIT);
            Object back = node.run(() -> {
                dist.send("echo", "e3@localhost", Tuple.of(Proc.self(), new PingPong.Ping(Proc.self())));
                erl.await("got ping tuple", WAIT);
                return Proc.receive(WAIT).orElseThrow();
            });
            assertThat(back).isInstanceOfSatisfying(Tuple.class, t -> {
                assertThat(t.get(0)).isInstanceOf(PingPong.Ping.class);
                assertThat(t.get(1)).isEqualTo(Atom.of("pong")).isEqualTo(PingPong.PONG);
                assertThat(t.get(2)).isEqualTo(PingPong.FINISHED);
            });
        }
    }

    private static ExitReason awaitDown(Ref ref) {
        return Proc.receive(m -> m instanceof Down d && d.ref().equals(ref) ? d.reason() : null, WAIT)
                .orElseThrow(() -> new AssertionError("no Down"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }
}
