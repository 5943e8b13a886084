package io.otp4j.dist;

import io.otp4j.Atom;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Tuple;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Global names and the mesh: otp4j speaks {@code global}'s protocol, so names registered on either
 * side are seen on both, and nodes that an otp4j node joins get connected to each other.
 */
class DistGlobalTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void globalNamesAreSharedWithAnErlangNode() throws Exception {
        assumeThat(EpmdTestSupport.erlInstalled()).as("erl is installed").isTrue();
        int epmdPort = ErlNode.freePort();
        try (Node node = Node.start(Node.Options.named("jg@localhost").withCreation(21))) {
            Distribution dist = Distribution.start(node, DistOptions.cookie("glob").withEpmdPort(epmdPort));
            Global global = dist.global();
            // a Java service registered before the Erlang node comes: it travels in the exchange
            Pid svc = node.spawn(() -> {
                for (;;) {
                    Tuple hello = Proc.receive(m -> m instanceof Tuple t && Atom.of("hello").equals(t.get(0)) ? t : null);
                    Proc.send((Pid) hello.get(1), Tuple.of(Atom.of("reply"), Atom.of("from_java")));
                }
            });
            assertThat(global.registerName(Atom.of("java_svc"), svc)).isTrue();
            assertThat(global.registerName(Atom.of("java_svc"), svc)).as("a taken name").isFalse();

            String code = "true = net_kernel:connect_node('jg@localhost'), ok = global:sync(), "
                    + "io:format(\"synced ~p~n\", [node(global:whereis_name(java_svc))]), "
                    + "global:send(java_svc, {hello, self()}), "
                    + "receive {reply, R} -> io:format(\"reply ~p~n\", [R]) end, "
                    + "yes = global:register_name(erl_svc, self()), io:format(\"registered~n\"), "
                    + "receive {from_java, X} -> io:format(\"got ~p~n\", [X]) end, "
                    + "receive check -> io:format(\"late ~p~n\", [node(global:whereis_name(java_late))]) end, "
                    + "receive check -> io:format(\"gone ~p~n\", [global:whereis_name(java_late)]) end, "
                    + "erlang:halt().";
            try (ErlNode erl = new ErlNode("eg@localhost", "glob", epmdPort, code)) {
                erl.await("synced jg@localhost", WAIT);
                erl.await("reply from_java", WAIT);
                erl.await("registered", WAIT);
                // erl's register_name returned after registering on every node: this one too
                Pid erlSvc = global.whereisName(Atom.of("erl_svc")).orElseThrow();
                assertThat(erlSvc.node()).isEqualTo("eg@localhost");
                assertThat(global.registeredNames()).contains(Atom.of("java_svc"), Atom.of("erl_svc"));
                global.send(Atom.of("erl_svc"), Tuple.of(Atom.of("from_java"), 42));
                erl.await("got 42", WAIT);

                // a Java name registered while connected is registered on the Erlang node as well
                Pid late = node.spawn(() -> Proc.receive());
                assertThat(global.registerName(Atom.of("java_late"), late)).isTrue();
                global.send(Atom.of("erl_svc"), Atom.of("check"));
                erl.await("late jg@localhost", WAIT);
                global.unregisterName(Atom.of("java_late"));
                assertThat(global.whereisName(Atom.of("java_late"))).isEmpty();
                global.send(Atom.of("erl_svc"), Atom.of("check"));
                erl.await("gone undefined", WAIT);
                assertThat(erl.awaitExit(WAIT)).isZero();
            }
        }
    }

    @Test
    void erlangNodesJoinedByAnOtp4jNodeConnectToEachOther() throws Exception {
        assumeThat(EpmdTestSupport.erlInstalled()).as("erl is installed").isTrue();
        int epmdPort = ErlNode.freePort();
        try (Node node = Node.start(Node.Options.named("jm@localhost").withCreation(22))) {
            Distribution dist = Distribution.start(node, DistOptions.cookie("mesh").withEpmdPort(epmdPort));
            String waitForPeer = "ok = net_kernel:monitor_nodes(true), io:format(\"ready~n\"), "
                    + "receive {nodeup, 'ja@localhost'} -> ok; {nodeup, 'jb@localhost'} -> ok end, "
                    + "receive {nodeup, _} -> ok end, io:format(\"nodes ~p~n\", [lists:sort(nodes())]), "
                    + "receive after infinity -> ok end.";
            try (ErlNode a = new ErlNode("ja@localhost", "mesh", epmdPort, waitForPeer);
                 ErlNode b = new ErlNode("jb@localhost", "mesh", epmdPort, waitForPeer)) {
                a.await("ready", WAIT);
                b.await("ready", WAIT);
                assertThat(dist.connect("ja@localhost")).isTrue();
                dist.global().sync(WAIT);
                assertThat(dist.connect("jb@localhost")).isTrue();
                // global tells ja of jb (new_nodes) and jb of ja: they connect, as in an Erlang cluster
                a.await("nodes [jb@localhost,jm@localhost]", WAIT);
                b.await("nodes [ja@localhost,jm@localhost]", WAIT);
            }
        }
    }

    @Test
    void otp4jNodesFormAMeshAndShareNames() throws Exception {
        int epmdPort = ErlNode.freePort();
        List<Node> nodes = new ArrayList<>();
        List<Distribution> dists = new ArrayList<>();
        try {
            for (int i = 1; i <= 3; i++) {
                Node n = Node.start(Node.Options.named("m" + i + "@localhost").withCreation(30 + i));
                nodes.add(n);
                dists.add(Distribution.start(n, DistOptions.cookie("mesh3").withEpmdPort(epmdPort)));
            }
            Distribution d1 = dists.get(0);
            Distribution d2 = dists.get(1);
            Distribution d3 = dists.get(2);
            // m2 registers a name before anyone knows it
            Pid svc = nodes.get(1).spawn(() -> Proc.receive());
            assertThat(d2.global().registerName(Atom.of("svc"), svc)).isTrue();

            Pid watcher = nodes.get(2).spawn(() -> Proc.receive());
            nodes.get(2).run(() -> {
                d3.monitorNodes(Proc.self(), true);
                assertThat(d1.connect("m2@localhost")).isTrue();
                d1.global().sync(WAIT);
                assertThat(d1.global().whereisName(Atom.of("svc"))).contains(svc);
                // m1 joins m3: m3 learns of m2 and connects to it
                assertThat(d1.connect("m3@localhost")).isTrue();
                Proc.receive(m -> m instanceof Distribution.NodeUp(String n) && n.equals("m2@localhost") ? n : null, WAIT)
                        .orElseThrow(() -> new AssertionError("m3 did not connect to m2"));
                return null;
            });
            d3.global().sync(WAIT);
            assertThat(d3.nodes()).containsExactlyInAnyOrder("m1@localhost", "m2@localhost");
            assertThat(d3.global().whereisName(Atom.of("svc"))).contains(svc);
            // a name registered on m3 is known on m1 and m2 when registerName returns
            assertThat(d3.global().registerName(Atom.of("w"), watcher)).isTrue();
            assertThat(d1.global().whereisName(Atom.of("w"))).contains(watcher);
            assertThat(d2.global().whereisName(Atom.of("w"))).contains(watcher);
            // the same name from another node is refused cluster-wide
            Pid other = nodes.get(0).spawn(() -> Proc.receive());
            assertThat(d1.global().registerName(Atom.of("w"), other)).isFalse();
        } finally {
            for (Node n : nodes) n.stop();
        }
    }

    @Test
    void aHiddenNodeIsNotInNodesAndTakesNoPartInGlobal() throws Exception {
        int epmdPort = ErlNode.freePort();
        try (Node visible = Node.start(Node.Options.named("v1@localhost").withCreation(41));
             Node hidden = Node.start(Node.Options.named("h1@localhost").withCreation(42))) {
            Distribution dv = Distribution.start(visible, DistOptions.cookie("hid").withEpmdPort(epmdPort));
            Distribution dh = Distribution.start(hidden, DistOptions.cookie("hid").withEpmdPort(epmdPort).withHidden(true));
            Pid svc = visible.spawn(() -> Proc.receive());
            assertThat(dv.global().registerName(Atom.of("svc"), svc)).isTrue();
            assertThat(dh.connect("v1@localhost")).isTrue();
            assertThat(dh.nodes()).isEmpty();
            assertThat(dh.hiddenNodes()).containsExactly("v1@localhost");
            assertThat(dv.connect("h1@localhost")).as("the accepting side has the connection too").isTrue();
            assertThat(dv.hiddenNodes()).containsExactly("h1@localhost");
            assertThat(dv.nodes()).isEmpty();
            // global syncs with visible nodes only: nothing to wait for, and the name stays on its side
            dh.global().sync(WAIT);
            dv.global().sync(WAIT);
            assertThat(dh.global().whereisName(Atom.of("svc"))).isEmpty();
        }
    }
}
