package io.otp4j.behaviour;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.ProcessInfo;
import io.otp4j.Ref;
import io.otp4j.Report;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** What tools (an observer) read of a node: behaviours and modules in process_info, memory, report listeners, applications. */
class IntrospectionTest extends BehaviourTestSupport {

    record Echo() implements GenServer<String, Object> {
        public Init<String> init() {
            return new Init.Ok<>("echo");
        }

        public CallResult<String> handleCall(Object m, From from, String s) {
            return new Reply<>(m, s);
        }
    }

    record Toggle() implements GenStatem<String, Integer, Object> {
        public CallbackMode callbackMode() {
            return CallbackMode.handleEventFunction();
        }

        public Init<String, Integer> init() {
            return new Init.Ok<>("off", 0);
        }

        public Result<String, Integer> handleEvent(Event<Object> event, String state, Integer data) {
            return Result.keepStateAndData();
        }
    }

    private static Optional<String> behaviourOf(Pid p) {
        return Proc.info(p).orElseThrow().behaviour();
    }

    private static Optional<String> moduleOf(Pid p) {
        return Proc.info(p).orElseThrow().module();
    }

    @Test
    void processInfoNamesEachBehaviourAndItsModule() throws Exception {
        inProcess(() -> {
            Pid server = pid(GenServer.start(new Echo()));
            assertThat(behaviourOf(server)).contains("GenServer");
            assertThat(moduleOf(server)).contains(Echo.class.getName());

            Pid lambdaServer = pid(GenServer.start(() -> new GenServer.Init.Ok<>(0)));
            assertThat(moduleOf(lambdaServer)).contains(IntrospectionTest.class.getName());

            Pid statem = pid(GenStatem.start(new Toggle()));
            assertThat(behaviourOf(statem)).contains("GenStatem");
            assertThat(moduleOf(statem)).contains(Toggle.class.getName());

            Pid events = pid(GenEvent.start());
            assertThat(behaviourOf(events)).contains("GenEvent");
            assertThat(moduleOf(events)).contains(GenEvent.class.getName());

            Pid sup = pid(Supervisor.start(Supervisor.Flags.oneForOne(), List.of()));
            assertThat(behaviourOf(sup)).contains("Supervisor");
            assertThat(moduleOf(sup)).contains(Supervisor.class.getName());

            Pid dyn = pid(DynamicSupervisor.start(DynamicSupervisor.Options.DEFAULT));
            assertThat(behaviourOf(dyn)).contains("DynamicSupervisor");

            ServerRef<?> tasks = TaskSupervisor.start();
            assertThat(behaviourOf(pid(tasks))).contains("TaskSupervisor");
            assertThat(moduleOf(pid(tasks))).contains(TaskSupervisor.class.getName());

            Pid agent = pid(Agent.start(() -> 1).ref());
            assertThat(behaviourOf(agent)).contains("Agent");
            assertThat(moduleOf(agent)).contains(Agent.class.getName());

            Registry registry = Registry.start(new Registry.Options("introspected", Registry.Keys.UNIQUE));
            assertThat(behaviourOf(registry.owner())).contains("Registry");

            // a task: it reports its own behaviour from inside, then waits to be told to finish
            Pid me = Proc.self();
            Task<Optional<String>> task = Task.async(() -> {
                Optional<String> b = behaviourOf(Proc.self());
                Proc.send(me, "asked");
                return b;
            });
            await(m -> "asked".equals(m) ? m : null);
            assertThat(task.await()).contains("Task");
            Pid started = Task.start(() -> {
                Proc.send(me, "up"); // it marked itself as a task before running this
                Proc.receive(m -> "go".equals(m) ? m : null);
            });
            await(m -> "up".equals(m) ? m : null);
            assertThat(behaviourOf(started)).contains("Task");
            assertThat(moduleOf(started)).contains(IntrospectionTest.class.getName());
            Proc.send(started, "go");

            Pid plain = Proc.spawn(() -> Proc.receive(m -> null));
            assertThat(behaviourOf(plain)).isEmpty();
            assertThat(moduleOf(plain)).isEmpty();
        });
    }

    @Test
    void memoryGrowsWithTheMailbox() throws Exception {
        inProcess(() -> {
            Pid p = Proc.spawn(() -> Proc.receive(m -> "never".equals(m) ? m : null));
            long empty = Proc.info(p).orElseThrow().memory();
            assertThat(empty).isGreaterThanOrEqualTo(120);
            for (int i = 0; i < 100; i++) Proc.send(p, i);
            ProcessInfo full = Proc.info(p).orElseThrow();
            assertThat(full.messageQueueLen()).isEqualTo(100);
            assertThat(full.memory()).isEqualTo(empty + 100 * 24);
        });
    }

    @Test
    void aReportListenerAddedLaterSeesReportsUntilClosed() throws Exception {
        BlockingQueue<Report> seen = new LinkedBlockingQueue<>();
        AutoCloseable handle = node.addReportListener(seen::add);
        inProcess(() -> {
            Proc.Spawned s = Proc.spawnMonitor(() -> Proc.exit(new ExitReason.Other("first")));
            awaitDown(s.monitor());
        });
        Report first = seen.poll(10, TimeUnit.SECONDS);
        assertThat(first).isInstanceOf(Report.Crash.class);
        assertThat(((Report.Crash) first).reason()).isEqualTo(new ExitReason.Other("first"));
        handle.close();
        handle.close(); // closing twice is harmless
        BlockingQueue<Report> later = new LinkedBlockingQueue<>();
        AutoCloseable other = node.addReportListener(later::add);
        inProcess(() -> {
            Proc.Spawned s = Proc.spawnMonitor(() -> Proc.exit(new ExitReason.Other("second")));
            awaitDown(s.monitor());
        });
        // listeners run in the order they were added: once the later one has the report, the
        // closed one would have had it too
        Report second = later.poll(10, TimeUnit.SECONDS);
        assertThat(((Report.Crash) second).reason()).isEqualTo(new ExitReason.Other("second"));
        assertThat(seen).isEmpty();
        assertThat(reports).hasSize(2); // the options' listener, which runs first, got both
        other.close();
    }

    @Test
    void theTopSupervisorOfARunningApplication() throws Exception {
        inProcess(() -> {
            Application.load(new Application.Spec("observed", "1", "", List.of(), Map.of(),
                    env -> Supervisor.startLink(Supervisor.Flags.oneForOne(), List.of())));
            assertThat(Application.supervisor("observed")).isEmpty();
            Application.ensureAllStarted("observed", Application.Type.TEMPORARY);
            Pid top = Application.supervisor("observed").orElseThrow();
            assertThat(behaviourOf(top)).contains("Supervisor");
            Pid master = Proc.info(top).orElseThrow().links().stream()
                    .filter(l -> behaviourOf(l).equals(Optional.of("Application"))).findFirst().orElseThrow();
            assertThat(moduleOf(master)).contains(IntrospectionTest.class.getName());
            Ref mon = Proc.monitor(top);
            Application.stop("observed");
            awaitDown(mon);
            assertThat(Application.supervisor("observed")).isEmpty();
        });
    }
}
