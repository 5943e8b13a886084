package io.otp4j.dist;

import io.otp4j.Atom;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Tuple;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The seed's ping/pong program, its Erlang halves and its Java halves, for the interop tests. */
final class PingPong {
    static final Atom PING = Atom.of("ping");
    static final Atom PONG = Atom.of("pong");
    static final Atom FINISHED = Atom.of("finished");

    /** Erlang: registers pong, prints "ready", answers pings, halts on finished. */
    static final String ERL_PONG = "register(pong, spawn(fun Pong() -> receive finished -> io:format(\"Pong finished~n\"), "
            + "erlang:halt(); {ping, P} -> io:format(\"Pong received ping~n\"), P ! pong, Pong() end end)), "
            + "io:format(\"ready~n\"), receive after infinity -> ok end.";

    private PingPong() {
    }

    /** Erlang: pings {pong, javaNode} three times, then sends finished and halts. */
    static String erlPing(String javaNode) {
        String to = "{pong, '" + javaNode + "'}";
        return "Ping = fun Ping(0) -> " + to + " ! finished, io:format(\"ping finished~n\"); "
                + "Ping(N) -> " + to + " ! {ping, self()}, receive pong -> io:format(\"Ping received pong~n\") "
                + "after 20000 -> io:format(\"no pong~n\"), erlang:halt(1) end, Ping(N - 1) end, "
                + "Ping(3), erlang:halt().";
    }

    /** Java: pings {pong, erlNode} three times and sends finished; the replies. */
    static List<Object> ping(Node node, Distribution dist, String erlNode, Duration wait) throws Exception {
        return node.run(() -> {
            List<Object> replies = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 3; i++) {
                dist.send("pong", erlNode, Tuple.of(PING, Proc.self()));
                replies.add(Proc.receive(wait).orElseThrow(() -> new AssertionError("no pong")));
            }
            dist.send("pong", erlNode, FINISHED);
            return replies;
        });
    }

    /** Java: a process registered as pong on {@code node}, recording what it would print. */
    static final class JavaPong {
        final List<String> printed = new CopyOnWriteArrayList<>();
        final CountDownLatch finished = new CountDownLatch(1);

        JavaPong(Node node) throws Exception {
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
        }

        boolean awaitFinished(Duration wait) throws InterruptedException {
            return finished.await(wait.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
