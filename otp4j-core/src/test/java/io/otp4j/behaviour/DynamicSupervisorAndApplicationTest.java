package io.otp4j.behaviour;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DynamicSupervisorAndApplicationTest extends BehaviourTestSupport {

    record Conn(String device, String pool) implements GenServer<String, Object> {
        public Init<String> init() {
            return new Init.Ok<>(pool + "/" + device);
        }

        public CallResult<String> handleCall(Object m, From from, String s) {
            return new Reply<>(s, s);
        }

        public CastResult<String> handleCast(Object m, String s) {
            throw new IllegalStateException("connection lost");
        }
    }

    static ChildSpec conn(String device) {
        return ChildSpec.workerWithArgs("conn", args -> GenServer.startLink(new Conn(device, (String) args.getFirst())))
                .withRestart(ChildSpec.Restart.TRANSIENT);
    }

    @Test
    void startChildrenWithExtraArgumentsAndRestartThem() throws Exception {
        inProcess(() -> {
            ServerRef<?> sup = DynamicSupervisor.start(DynamicSupervisor.Options.DEFAULT.withExtraArguments(List.of("apns")));
            Pid a = DynamicSupervisor.startChild(sup, conn("phone-1"));
            Pid b = DynamicSupervisor.startChild(sup, conn("phone-2"));
            String s = GenServer.call(ServerRef.of(a), "who");
            assertThat(s).isEqualTo("apns/phone-1");
            assertThat(DynamicSupervisor.countChildren(sup).active()).isEqualTo(2);
            GenServer.cast(ServerRef.of(a), "break it");
            // transient and crashed: restarted, with a new pid
            List<Pid> now = new ArrayList<>();
            for (int i = 0; i < 100_000; i++) {
                now = DynamicSupervisor.whichChildren(sup).stream().map(Supervisor.ChildInfo::pid).toList();
                if (now.size() == 2 && !now.contains(a)) break;
                Proc.yield();
            }
            assertThat(now).hasSize(2).contains(b).doesNotContain(a);
            DynamicSupervisor.terminateChild(sup, b);
            assertThat(DynamicSupervisor.countChildren(sup).active()).isEqualTo(1);
            assertThatThrownBy(() -> DynamicSupervisor.terminateChild(sup, b)).isInstanceOf(IllegalArgumentException.class);
            DynamicSupervisor.stop(sup);
        });
    }

    @Test
    void maxChildren() throws Exception {
        inProcess(() -> {
            ServerRef<?> sup = DynamicSupervisor.start(DynamicSupervisor.Options.DEFAULT.withMaxChildren(2)
                    .withExtraArguments(List.of("p")));
            DynamicSupervisor.startChild(sup, conn("1"));
            DynamicSupervisor.startChild(sup, conn("2"));
            assertThatThrownBy(() -> DynamicSupervisor.startChild(sup, conn("3")))
                    .isInstanceOf(DynamicSupervisor.MaxChildrenException.class).hasMessageContaining("max_children");
            DynamicSupervisor.stop(sup);
        });
    }

    @Test
    void aFailedChildStartIsReportedToTheCaller() throws Exception {
        inProcess(() -> {
            ServerRef<?> sup = DynamicSupervisor.start(DynamicSupervisor.Options.DEFAULT);
            assertThatThrownBy(() -> DynamicSupervisor.startChild(sup, ChildSpec.worker("bad",
                    () -> GenServer.startLink(() -> new GenServer.Init.Stop<>(new ExitReason.Other("refused"))))))
                    .isInstanceOf(StartException.class).hasMessageContaining("refused");
            assertThat(Proc.isAlive(pid(sup))).isTrue();
        });
    }

    // ------------------------------------------------------------------ applications

    final List<String> events = new CopyOnWriteArrayList<>();

    Application.Spec app(String name, List<String> deps) {
        return new Application.Spec(name, "1.0", "test app " + name, deps, Map.of("greeting", "hello from " + name),
                new Application.Start() {
                    public Object start(Application.Env env) {
                        events.add("start " + name + " " + env.get("greeting").orElse("?"));
                        return Supervisor.startLink(Supervisor.Flags.oneForOne(),
                                List.of(ChildSpec.worker(name + "_worker", () -> GenServer.startLink(
                                        () -> new GenServer.Init.Ok<>(name), StartOptions.named(name + "_worker")))));
                    }

                    public void stop() {
                        events.add("stop " + name);
                    }
                });
    }

    @Test
    void ensureAllStartedStartsDependenciesInOrderAndStopAllReversesIt() throws Exception {
        inProcess(() -> {
            Application.load(app("logger", List.of()));
            Application.load(app("db", List.of("logger")));
            Application.load(app("web", List.of("db", "logger")));
            List<String> started = Application.ensureAllStarted("web", Application.Type.TEMPORARY);
            assertThat(started).containsExactly("logger", "db", "web");
            assertThat(events).containsExactly("start logger hello from logger", "start db hello from db", "start web hello from web");
            assertThat(Application.whichApplications()).extracting(Application.Running::name).containsExactly("logger", "db", "web");
            assertThat(Application.getEnv("db", "greeting")).contains("hello from db");
            Application.putEnv("db", "greeting", "changed");
            assertThat(Application.getEnv("db", "greeting")).contains("changed");
            assertThat(Proc.whereis("web_worker")).isPresent();
            events.clear();
            Application.stopAll();
            assertThat(events).containsExactly("stop web", "stop db", "stop logger");
            assertThat(Proc.whereis("web_worker")).isEmpty();
        });
    }

    @Test
    void startingWithAMissingDependencyFails() throws Exception {
        inProcess(() -> {
            Application.load(app("needs_db", List.of("missing_db")));
            assertThatThrownBy(() -> Application.ensureAllStarted("needs_db", Application.Type.TEMPORARY))
                    .isInstanceOf(Application.StartError.class).hasMessageContaining("missing_db is not loaded");
            Application.load(app("base", List.of()));
            Application.load(app("top", List.of("base")));
            assertThatThrownBy(() -> Application.start("top", Application.Type.TEMPORARY))
                    .isInstanceOf(Application.StartError.class).hasMessageContaining("needs base, which is not started");
        });
    }

    @Test
    void anApplicationWhoseDependencyFailsToStartDoesNotStart() throws Exception {
        inProcess(() -> {
            Application.load(new Application.Spec("broken_db", "1", "", List.of(), Map.of(),
                    env -> Supervisor.startLink(Supervisor.Flags.oneForOne(), List.of(ChildSpec.worker("x",
                            () -> GenServer.startLink(() -> new GenServer.Init.Stop<>(new ExitReason.Other("no_disk"))))))));
            Application.load(app("uses_db", List.of("broken_db")));
            assertThatThrownBy(() -> Application.ensureAllStarted("uses_db", Application.Type.TEMPORARY))
                    .isInstanceOf(Application.StartError.class).hasMessageContaining("broken_db")
                    .hasMessageContaining("no_disk");
            assertThat(Application.whichApplications()).isEmpty();
            assertThat(events).isEmpty();
        });
    }

    @Test
    void aTemporaryApplicationsEndIsOnlyReported() throws Exception {
        inProcess(() -> {
            Application.load(app("temp", List.of()));
            Application.load(app("other", List.of()));
            Application.ensureAllStarted("temp", Application.Type.TEMPORARY);
            Application.ensureAllStarted("other", Application.Type.TEMPORARY);
            Pid top = topSupervisor("temp_worker");
            Ref mon = Proc.monitor(top);
            Proc.exit(top, ExitReason.KILL);
            awaitDown(mon);
            waitUntil(() -> Application.whichApplications().stream().noneMatch(a -> a.name().equals("temp")));
            assertThat(Application.whichApplications()).extracting(Application.Running::name).containsExactly("other");
            assertThat(node.isStopped()).isFalse();
        });
    }

    @Test
    void aPermanentApplicationsEndStopsTheNode() throws Exception {
        inProcess(() -> {
            Application.load(app("critical", List.of()));
            Application.load(app("bystander", List.of()));
            Application.ensureAllStarted("bystander", Application.Type.TEMPORARY);
            Application.ensureAllStarted("critical", Application.Type.PERMANENT);
            Proc.exit(topSupervisor("critical_worker"), ExitReason.KILL);
        });
        waitUntil(node::isStopped);
        assertThat(events).contains("stop bystander");
    }

    @Test
    void aTransientApplicationStopsTheNodeOnlyOnAnAbnormalEnd() throws Exception {
        inProcess(() -> {
            Application.load(app("trans", List.of()));
            Application.ensureAllStarted("trans", Application.Type.TRANSIENT);
            Pid top = topSupervisor("trans_worker");
            Ref mon = Proc.monitor(top);
            GenServer.stop(ServerRef.of(top), ExitReason.NORMAL, WAIT); // a normal end: only reported
            awaitDown(mon);
            waitUntil(() -> Application.whichApplications().isEmpty());
            assertThat(node.isStopped()).isFalse();
        });
    }

    /** The application's top supervisor: the process its worker is linked to. */
    private static Pid topSupervisor(String worker) {
        Pid w = Proc.whereis(worker).orElseThrow();
        return Proc.info(w).orElseThrow().links().getFirst();
    }

    /** Waits for a condition that has no message to wait on (a node stopping from another thread). */
    private static void waitUntil(java.util.function.BooleanSupplier cond) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not reached within " + WAIT);
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
