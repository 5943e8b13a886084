package io.otp4j.examples.pingpong;

import io.otp4j.Atom;
import io.otp4j.Down;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.dist.DistOptions;
import io.otp4j.dist.Distribution;
import io.otp4j.dist.term.RecordTags;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.function.Consumer;

/**
 * Ping and pong on two nodes, the distributed program of Erlang's getting-started tutorial: a
 * process registered as {@code pong} on one node, a {@code ping} process on another that sends
 * {@code {ping, self()}} to {@code {pong, Node}} three times, waits for {@code pong} each time, and
 * then sends {@code finished}.
 * <pre>
 *   ping@host                                  pong@host
 *   ping ── {ping, Ping} ──────────────────▶  pong     "Pong received ping"
 *   "Ping received pong"  ◀──────── pong ──
 *   ... three times ...
 *   ping ── finished ──────────────────────▶  pong     "Pong finished"
 *   "ping finished"
 * </pre>
 *
 * <p>Nothing in {@link #ping} and {@link #pong} is about networks: {@code pong} receives and sends
 * as it would on one node, and {@code ping} names its peer {@code {pong, Node}} instead of
 * {@code pong}. {@link Distribution} does the rest: it finds the other node through EPMD, connects
 * on the first message, and carries terms in Erlang's external format. So either half can be an
 * Erlang node: the messages are the ones Erlang's tutorial sends, the atoms {@code pong} and
 * {@code finished} and the tuple {@code {ping, Pid}}, which Java sees as the record {@link Ping}
 * (registered with {@link RecordTags}).
 *
 * <p>{@link #main} runs both nodes in one JVM. With the argument {@code pong} it runs only the
 * pong node, {@code pong@localhost} with cookie {@code pingpong}, for an Erlang ping:
 * <pre>
 *   java -cp ... io.otp4j.examples.pingpong.PingPong pong
 *   erl -sname ping@localhost -setcookie pingpong
 *   1> {pong, 'pong@localhost'} ! {ping, self()}, receive pong -> got_pong end.
 *   2> {pong, 'pong@localhost'} ! finished.
 * </pre>
 */
public final class PingPong {
    private PingPong() {
    }

    public static final Atom PONG = Atom.of("pong");
    public static final Atom FINISHED = Atom.of("finished");

    /** {@code {ping, From}}: what ping sends. On the wire it is that tuple, both ways. */
    public record Ping(Pid from) {
        static {
            // before the first Ping is sent anywhere (registering again does nothing)
            RecordTags.register(Ping.class, Atom.of("ping"), MethodHandles.lookup());
        }
    }

    static {
        // before pong can receive a {ping, Pid}, even if no Ping was made in this JVM yet
        RecordTags.register(Ping.class, Atom.of("ping"), MethodHandles.lookup());
    }

    /**
     * Pong: answers each ping with {@code pong}, until {@code finished}. Prints through
     * {@code print}. Messages that are neither stay in the mailbox, as in an Erlang receive.
     */
    public static void pong(Consumer<String> print) {
        while (true) {
            Object m = Proc.receive(msg -> msg instanceof Ping || FINISHED.equals(msg) ? msg : null);
            if (!(m instanceof Ping(Pid ping))) {
                print.accept("Pong finished");
                return;
            }
            print.accept("Pong received ping");
            Proc.send(ping, PONG);
        }
    }

    /** Ping: pings {@code {pong, pongNode}} {@code n} times, each time waiting for the pong, then sends {@code finished}. */
    public static void ping(Distribution dist, String pongNode, int n, Consumer<String> print) {
        for (int i = 0; i < n; i++) {
            dist.send("pong", pongNode, new Ping(Proc.self()));
            Proc.receive(m -> PONG.equals(m) ? m : null);
            print.accept("Ping received pong");
        }
        dist.send("pong", pongNode, FINISHED);
        print.accept("ping finished");
    }

    /** Spawns pong and registers it as {@code pong} on the caller's node (the tutorial's {@code start_pong/0}). */
    public static Pid startPong(Consumer<String> print) {
        Pid pong = Proc.spawn(() -> pong(print));
        Proc.register("pong", pong);
        return pong;
    }

    /** Spawns ping on the caller's node (the tutorial's {@code start_ping/1}). */
    public static Pid startPing(Distribution dist, String pongNode, Consumer<String> print) {
        return Proc.spawn(() -> ping(dist, pongNode, 3, print));
    }

    // ------------------------------------------------------------------ main

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("pong")) {
            pongNode();
        } else {
            bothNodes();
        }
        System.exit(0);
    }

    /** Two nodes in this JVM, with an EPMD of their own on a free port. */
    private static void bothNodes() throws Exception {
        int epmdPort = freePort();
        try (Node pongNode = Node.start(Node.Options.named("pong@localhost"));
             Node pingNode = Node.start(Node.Options.named("ping@localhost"))) {
            Distribution.start(pongNode, DistOptions.cookie("pingpong").withEpmdPort(epmdPort)); // starts the EPMD
            Distribution ping = Distribution.start(pingNode, DistOptions.cookie("pingpong").withEpmdPort(epmdPort));
            Pid pong = pongNode.run(() -> startPong(line -> System.out.println("(pong@localhost) " + line)));
            pingNode.run(() -> {
                ping(ping, "pong@localhost", 3, line -> System.out.println("(ping@localhost) " + line));
                return null;
            });
            pongNode.run(() -> { // wait for pong to print its last line
                Ref watch = Proc.monitor(pong);
                return Proc.receive(m -> m instanceof Down d && d.ref().equals(watch) ? d : null);
            });
        }
    }

    /** A pong node on the usual EPMD (started here if none runs), until an Erlang ping has finished. */
    private static void pongNode() throws Exception {
        try (Node node = Node.start(Node.Options.named("pong@localhost"))) {
            Distribution dist = Distribution.start(node, DistOptions.cookie("pingpong"));
            System.out.println("node " + dist.name() + " is up, cookie pingpong; pong waits for pings");
            node.run(() -> {
                Proc.register("pong", Proc.self());
                pong(System.out::println);
                return null;
            });
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }
}
