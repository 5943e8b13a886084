package io.otp4j;

import io.otp4j.internal.NodeRuntime;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Several nodes in one JVM; stopping a node. */
class NodeLifecycleTest {

    @Test
    void nodesAreIndependent() throws Exception {
        try (Node a = Node.start(Node.Options.named("a@localhost"));
             Node b = Node.start(Node.Options.named("b@localhost"))) {
            Pid pa = a.spawn(() -> Proc.receive(m -> null));
            a.run(() -> {
                Proc.register("same", pa);
                return null;
            });
            Pid pb = b.spawn(() -> Proc.receive(m -> null));
            b.run(() -> {
                Proc.register("same", pb);
                return null;
            });
            assertThat(a.whereis("same")).contains(pa);
            assertThat(b.whereis("same")).contains(pb);
            assertThat(pa.node()).isEqualTo("a@localhost");
            assertThat(a.isAlive(pb)).isFalse(); // not a process of a
            assertThat(a.run(() -> Proc.node().name())).isEqualTo("a@localhost");
        }
    }

    @Test
    void stopKillsEveryProcess() throws Exception {
        Node n = Node.start(Node.Options.named("stopping@localhost"));
        for (int i = 0; i < 100; i++) n.spawn(() -> Proc.receive(m -> null));
        assertThat(n.processes()).hasSize(100);
        n.stop();
        assertThat(n.isStopped()).isTrue();
        assertThat(n.processes()).isEmpty();
        assertThatThrownBy(() -> n.spawn(() -> { })).isInstanceOf(IllegalStateException.class).hasMessageContaining("stopped");
    }

    @Test
    void theDefaultNodeIsNonode() {
        Node d = Node.local();
        assertThat(d.name()).isEqualTo("nonode@nohost");
        assertThat(d.creation()).isZero();
        assertThat(Proc.node()).isSameAs(d);
    }

    @Test
    void theJdkSchedulerCanBeChosen() throws Exception {
        try (Node n = Node.start(Node.Options.named("jdk@localhost").withScheduler(Node.SchedulerKind.JDK))) {
            assertThat(((NodeRuntime) n).schedulerDescription()).contains("jdk");
            assertThat(n.run(() -> {
                Pid me = Proc.self();
                Proc.spawn(() -> Proc.send(me, "hi"));
                return Proc.receive();
            })).isEqualTo("hi");
        }
    }
}
