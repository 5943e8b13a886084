package io.otp4j.behaviour;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.Report;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** sys on the behaviours built on GenServer: supervisors, task supervisors, registries, application masters. */
class SysSupervisorsTest extends BehaviourTestSupport {

    static ChildSpec worker(String id) {
        return ChildSpec.worker(id, () -> GenServer.startLink(() -> new GenServer.Init.Ok<>(id)));
    }

    @Test
    void aSupervisorsStateIsASnapshotOfItsChildren() throws Exception {
        inProcess(() -> {
            Supervisor.Flags flags = Supervisor.Flags.oneForAll();
            ServerRef<?> sup = Supervisor.startLink(flags, List.of(worker("a"), worker("b")));
            List<Supervisor.ChildInfo> children = Supervisor.whichChildren(sup);
            Supervisor.Snapshot snap = (Supervisor.Snapshot) Sys.getState(sup);
            assertThat(snap).isEqualTo(new Supervisor.Snapshot(flags, children, 0));
            assertThat(snap.children()).extracting(Supervisor.ChildInfo::id).containsExactly("a", "b");

            Sys.Status st = Sys.getStatus(sup);
            assertThat(st.behaviour()).contains("Supervisor");
            assertThat(st.module()).isEqualTo(Supervisor.class.getName());
            assertThat(st.parent()).contains(Proc.self());
            assertThat(st.state()).asString().contains("children=[a=", "b=");

            // its bookkeeping cannot be replaced; giving it back unchanged is allowed
            assertThat(Sys.replaceState(sup, s -> s)).isEqualTo(snap);
            assertThatThrownBy(() -> Sys.replaceState(sup, s -> new Supervisor.Snapshot(flags, List.of(), 0)))
                    .isInstanceOf(Sys.CallbackFailedException.class)
                    .hasCauseInstanceOf(UnsupportedOperationException.class);
            assertThat(Supervisor.whichChildren(sup)).isEqualTo(children);
        });
    }

    @Test
    void aSuspendedSupervisorRestartsNothingUntilResumed() throws Exception {
        BlockingQueue<Report> seen = new LinkedBlockingQueue<>();
        AutoCloseable listening = node.addReportListener(r -> {
            if (r instanceof Report.Progress) seen.add(r);
        });
        inProcess(() -> {
            ServerRef<?> sup = Supervisor.startLink(Supervisor.Flags.oneForOne(), List.of(worker("w")));
            assertThat(seen.poll(10, TimeUnit.SECONDS)).isInstanceOf(Report.Progress.class); // the first start
            Pid first = Supervisor.whichChildren(sup).getFirst().pid();
            Sys.suspend(sup);
            Ref mon = Proc.monitor(first);
            Proc.exit(first, ExitReason.KILL);
            awaitDown(mon);
            // its child's exit waits in its mailbox: the snapshot still shows the dead child
            assertThat(((Supervisor.Snapshot) Sys.getState(sup)).children().getFirst().pid()).isEqualTo(first);
            assertThat(seen.poll(100, TimeUnit.MILLISECONDS)).isNull();
            Sys.resume(sup);
            Report.Progress restart = (Report.Progress) seen.poll(10, TimeUnit.SECONDS);
            assertThat(restart).isNotNull();
            assertThat(restart.childId()).isEqualTo("w");
            assertThat(restart.childPid()).isNotEqualTo(first);
            assertThat(Supervisor.whichChildren(sup).getFirst().pid()).isEqualTo(restart.childPid());
        });
        listening.close();
    }

    @Test
    void dynamicAndTaskSupervisorsShowTheirChildren() throws Exception {
        inProcess(() -> {
            DynamicSupervisor.Options opts = DynamicSupervisor.Options.DEFAULT.withMaxChildren(5);
            ServerRef<?> dyn = DynamicSupervisor.startLink(opts);
            Pid child = DynamicSupervisor.startChild(dyn, worker("d"));
            assertThat(Sys.getState(dyn)).isEqualTo(new DynamicSupervisor.Snapshot(opts,
                    List.of(new Supervisor.ChildInfo("d", child, Supervisor.ChildStatus.RUNNING, ChildSpec.Type.WORKER)), 0, 0));
            assertThat(Sys.getStatus(dyn).behaviour()).contains("DynamicSupervisor");
            assertThatThrownBy(() -> Sys.replaceState(dyn, s -> "anything else"))
                    .isInstanceOf(Sys.CallbackFailedException.class);

            ServerRef<?> tasks = TaskSupervisor.startLink();
            Pid task = TaskSupervisor.startChild(tasks, () -> Proc.receive(m -> "go".equals(m) ? m : null));
            Sys.Status st = Sys.getStatus(tasks);
            assertThat(st.behaviour()).contains("TaskSupervisor");
            assertThat(st.module()).isEqualTo(TaskSupervisor.class.getName());
            assertThat(((DynamicSupervisor.Snapshot) Sys.getState(tasks)).children())
                    .extracting(Supervisor.ChildInfo::pid).containsExactly(task);
            assertThat(Proc.info(task).orElseThrow().behaviour()).contains("Task");
            Ref mon = Proc.monitor(task);
            Proc.send(task, "go");
            awaitDown(mon);
        });
    }

    @Test
    void aRegistryOwnerAndAnApplicationMasterAnswerSys() throws Exception {
        inProcess(() -> {
            Registry r = Registry.start(new Registry.Options("sys_registry", Registry.Keys.UNIQUE));
            assertThat(Sys.getState(r.owner())).isEqualTo("registry sys_registry");
            assertThat(Sys.getStatus(r.owner()).behaviour()).contains("Registry");
            Sys.suspend(r.owner());
            Sys.resume(r.owner());

            Application.load(new Application.Spec("sys_app", "1", "", List.of(), Map.of(),
                    env -> Supervisor.startLink(Supervisor.Flags.oneForOne(), List.of(worker("x")))));
            Application.ensureAllStarted("sys_app", Application.Type.TEMPORARY);
            Pid top = Application.supervisor("sys_app").orElseThrow();
            Sys.Status topStatus = Sys.getStatus(top);
            Pid master = topStatus.parent().orElseThrow(); // the master started it linked
            Sys.Status st = Sys.getStatus(master);
            assertThat(st.behaviour()).contains("Application");
            assertThat(st.module()).isEqualTo(SysSupervisorsTest.class.getName());
            assertThat(Sys.getState(master)).asString().contains(top.toString());
            Application.stop("sys_app");
        });
    }

    @Test
    void statisticsAndTraceOnASupervisor() throws Exception {
        inProcess(() -> {
            ServerRef<?> sup = Supervisor.startLink(Supervisor.Flags.oneForOne(), List.of(worker("s")));
            BlockingQueue<Sys.TraceEvent> events = new LinkedBlockingQueue<>();
            Sys.statistics(sup, true);
            Sys.trace(sup, events::add);
            List<Supervisor.ChildInfo> children = Supervisor.whichChildren(sup);
            Sys.trace(sup, false);
            assertThat(events).hasSize(2);
            assertThat(events.poll()).isInstanceOfSatisfying(Sys.TraceEvent.In.class,
                    in -> assertThat(in.kind()).isEqualTo(Sys.TraceEvent.Kind.CALL));
            assertThat(events.poll()).isInstanceOfSatisfying(Sys.TraceEvent.Out.class, out -> {
                assertThat(out.reply()).isEqualTo(children);
                assertThat(out.state()).isInstanceOf(Supervisor.Snapshot.class); // sys's view of its state
            });
            Sys.Statistics s = Sys.statistics(sup, Duration.ofSeconds(5)).orElseThrow();
            assertThat(s.messagesIn()).isEqualTo(1);
            assertThat(s.messagesOut()).isEqualTo(1);
        });
    }
}
