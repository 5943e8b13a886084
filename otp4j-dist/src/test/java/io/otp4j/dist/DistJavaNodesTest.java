package io.otp4j.dist;

import io.otp4j.Atom;
import io.otp4j.Down;
import io.otp4j.Exit;
import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.Tuple;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Two otp4j nodes talking over the distribution protocol; and an otp4j node killed under an Erlang node. */
class DistJavaNodesTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    int epmdPort;
    Node a;
    Node b;
    Distribution da;
    Distribution db;

    @BeforeEach
    void start() throws Exception {
        epmdPort = ErlNode.freePort();
        a = Node.start(Node.Options.named("ja@localhost").withCreation(11).withCheckMessages(true));
        b = Node.start(Node.Options.named("jb@localhost").withCreation(12).withCheckMessages(true));
        da = Distribution.start(a, DistOptions.cookie("twins").withEpmdPort(epmdPort));
        db = Distribution.start(b, DistOptions.cookie("twins").withEpmdPort(epmdPort));
    }

    @AfterEach
    void stop() {
        a.stop();
        b.stop();
    }

    /** A server answering {@code {echo, Request, N}}, N counting its calls (the TLS tests use it too). */
    record Echo() implements GenServer<Integer, Object> {
        @Override
        public Init<Integer> init() {
            return new Init.Ok<>(0);
        }

        @Override
        public CallResult<Integer> handleCall(Object req, From from, Integer n) {
            return new Reply<>(Tuple.of(Atom.of("echo"), req, n + 1), n + 1);
        }
    }

    @Test
    void sendsCallsLinksAndMonitorsBetweenTwoOtp4jNodes() throws Exception {
        ServerRef<Object> echo = b.run(() -> GenServer.start(new Echo(), StartOptions.named("echo")));
        Pid echoPid = echo.pid();
        a.run(() -> {
            // a call by name across the nodes, and by pid
            Object r = da.call("echo", "jb@localhost", "hi");
            assertThat(r).isEqualTo(Tuple.of(Atom.of("echo"), io.otp4j.dist.term.Binary.of("hi"), 1));
            Object r2 = GenServer.call(ServerRef.of(echoPid), 42);
            assertThat(r2).isEqualTo(Tuple.of(Atom.of("echo"), 42, 2));
            assertThat(da.nodes()).containsExactly("jb@localhost");

            // a monitor and a link across the nodes
            Ref mon = Proc.monitor(echoPid);
            Proc.trapExit(true);
            Pid remote = b.spawn(() -> Proc.receive());
            Proc.link(remote);
            Proc.exit(remote, new ExitReason.Other(Atom.of("bye")));
            ExitReason linkReason = Proc.receive(m -> m instanceof Exit e && e.from().equals(remote) ? e.reason() : null, WAIT)
                    .orElseThrow();
            assertThat(linkReason).isEqualTo(new ExitReason.Other(Atom.of("bye")));

            // the connection goes: monitors say noconnection
            da.disconnect("jb@localhost");
            ExitReason down = Proc.receive(m -> m instanceof Down d && d.ref().equals(mon) ? d.reason() : null, WAIT)
                    .orElseThrow();
            assertThat(down).isEqualTo(ExitReason.NOCONNECTION);
            // and the next call connects again
            Object r3 = da.call("echo", "jb@localhost", 7);
            assertThat(r3).isEqualTo(Tuple.of(Atom.of("echo"), 7, 3));
            return null;
        });
    }

    @Test
    void nodeEventsReachSubscribers() throws Exception {
        a.run(() -> {
            da.monitorNodes(Proc.self(), true);
            assertThat(da.connect("jb@localhost")).isTrue();
            assertThat(Proc.receive(m -> m instanceof Distribution.NodeUp u ? u.node() : null, WAIT)).contains("jb@localhost");
            db.stop();
            assertThat(Proc.receive(m -> m instanceof Distribution.NodeDown d ? d.node() : null, WAIT)).contains("jb@localhost");
            return null;
        });
    }

    @Test
    void anErlangNodeSeesNoconnectionWhenTheOtp4jNodeIsKilled() throws Exception {
        // the otp4j node in a JVM of its own, started as ./otp4j node would start it
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("java.class.path") + File.pathSeparator + System.getProperty("jdk.module.path", "");
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", cp, "io.otp4j.dist.NodeMain", "--sname", "jk@localhost",
                "--cookie", "twins", "--epmd-port", Integer.toString(epmdPort)));
        Process jvm = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(jvm.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null && !line.contains("is up")) {
                // start-up log
            }
            assertThat(line).as("the otp4j node started").isNotNull();
            String code = "R = monitor(process, {net_kernel, 'jk@localhost'}), io:format(\"monitoring~n\"), "
                    + "receive {'DOWN', R, _, _, Why} -> io:format(\"down ~p~n\", [Why]) after 30000 -> io:format(\"no down~n\") end, "
                    + "erlang:halt().";
            try (ErlNode erl = new ErlNode("e8@localhost", "twins", epmdPort, code)) {
                erl.await("monitoring", WAIT);
                jvm.destroyForcibly(); // kill -9
                erl.await("down noconnection", WAIT);
            }
        } finally {
            jvm.destroyForcibly();
            jvm.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void monitorNodeTellsOfALostConnectionOnceForEachMonitor() throws Exception {
        a.run(() -> {
            da.monitorNode("jb@localhost");
            da.monitorNode("jb@localhost");
            assertThat(da.nodes()).containsExactly("jb@localhost");
            // a node that cannot be reached: nodedown at once
            da.monitorNode("ghost@localhost");
            assertThat(Proc.receive(m -> m instanceof Distribution.NodeDown(String n) && n.equals("ghost@localhost") ? n : null, WAIT))
                    .isPresent();
            db.stop();
            for (int i = 0; i < 2; i++) {
                assertThat(Proc.receive(m -> m instanceof Distribution.NodeDown(String n) && n.equals("jb@localhost") ? n : null, WAIT))
                        .as("nodedown %d", i).isPresent();
            }
            // jb is gone for good: it cannot be reached any more
            assertThat(da.connect("jb@localhost")).isFalse();
            return null;
        });
    }
}
