package io.otp4j.behaviour;

import io.otp4j.Exit;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Down;
import io.otp4j.Ref;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentAndTaskTest extends BehaviourTestSupport {

    @Test
    void agentGetUpdateGetAndUpdateCastStop() throws Exception {
        inProcess(() -> {
            Agent<Map<String, Integer>> a = Agent.startLink(Map::of, StartOptions.named("scores"));
            a.update(m -> Map.of("alice", 10));
            a.cast(m -> Map.of("alice", m.get("alice") + 1));
            int alice = a.get(m -> m.get("alice"));
            assertThat(alice).isEqualTo(11);
            int old = a.getAndUpdate(m -> new Agent.Pair<>(m.get("alice"), Map.of("alice", 0)));
            assertThat(old).isEqualTo(11);
            int byName = Agent.<Map<String, Integer>>named("scores").get(m -> m.get("alice"));
            assertThat(byName).isZero();
            Pid p = pid(a.ref());
            Ref mon = Proc.monitor(p);
            a.stop();
            assertThat(awaitDown(mon)).isEqualTo(ExitReason.NORMAL);
        });
    }

    @Test
    void taskAsyncAwait() throws Exception {
        inProcess(() -> {
            Task<Integer> a = Task.async(() -> 3 * 3);
            Task<Integer> b = Task.async(() -> 4 * 4);
            assertThat(a.await() + b.await()).isEqualTo(25);
            assertThat(Proc.info(Proc.self()).orElseThrow().links()).doesNotContain(a.pid(), b.pid());
        });
    }

    @Test
    void onlyTheOwnerMayAwait() throws Exception {
        inProcess(() -> {
            Task<Integer> t = Task.async(() -> 1);
            Pid me = Proc.self();
            Proc.spawn(() -> {
                try {
                    t.await();
                } catch (IllegalStateException e) {
                    Proc.send(me, e.getMessage());
                }
            });
            assertThat(awaitText()).contains("only the owner");
            assertThat(t.await()).isEqualTo(1);
        });
    }

    @Test
    void aCrashingAsyncTaskTakesItsLinkedOwnerDown() throws Exception {
        inProcess(() -> {
            Proc.Spawned owner = Proc.spawnMonitor(() -> {
                Task<Integer> t = Task.async(() -> {
                    throw new IllegalStateException("task failed");
                });
                t.await();
            });
            ExitReason r = awaitDown(owner.monitor());
            assertThat(r).isInstanceOf(ExitReason.Crash.class);
        });
    }

    @Test
    void awaitTimeoutShutsTheTaskDownAndThrows() throws Exception {
        inProcess(() -> {
            CountDownLatch never = new CountDownLatch(1);
            Task<Integer> t = Task.async(() -> {
                never.await();
                return 1;
            });
            Ref mon = Proc.monitor(t.pid());
            assertThatThrownBy(() -> t.await(Duration.ofMillis(20))).isInstanceOf(Task.TaskException.class)
                    .hasMessageContaining("did not finish");
            assertThat(awaitDown(mon)).isEqualTo(ExitReason.KILLED);
        });
    }

    @Test
    void yieldLetsTheTaskRunOn() throws Exception {
        inProcess(() -> {
            CountDownLatch go = new CountDownLatch(1);
            Task<String> t = Task.async(() -> {
                go.await();
                return "done";
            });
            assertThat(t.yield(Duration.ofMillis(10))).isEmpty();
            go.countDown();
            assertThat(t.yield(WAIT)).contains(new Task.Outcome.Ok<>("done"));
        });
    }

    @Test
    void yieldManyTakesWhatArrivedAndShutsTheRestDown() throws Exception {
        inProcess(() -> {
            CountDownLatch never = new CountDownLatch(1);
            List<Task<Integer>> tasks = List.of(
                    Task.async(() -> 1),
                    Task.async(() -> {
                        never.await();
                        return 2;
                    }),
                    Task.async(() -> 3));
            List<Optional<Task.Outcome<Integer>>> got = Task.yieldMany(tasks, Duration.ofMillis(100));
            assertThat(got.get(0)).contains(new Task.Outcome.Ok<>(1));
            assertThat(got.get(1)).isEmpty();
            assertThat(got.get(2)).contains(new Task.Outcome.Ok<>(3));
            assertThat(Proc.isAlive(tasks.get(1).pid())).isFalse();
        });
    }

    @Test
    void awaitMany() throws Exception {
        inProcess(() -> {
            List<Task<Integer>> tasks = IntStream.range(0, 10).mapToObj(i -> Task.async(() -> i * i)).toList();
            assertThat(Task.awaitMany(tasks, WAIT)).containsExactly(0, 1, 4, 9, 16, 25, 36, 49, 64, 81);
        });
    }

    @Test
    void shutdownReturnsAResultThatWasAlreadyThere() throws Exception {
        inProcess(() -> {
            Task<Integer> t = Task.async(() -> 7);
            Ref mon = Proc.monitor(t.pid());
            awaitDown(mon); // finished: its reply is in the mailbox
            assertThat(t.shutdown()).contains(new Task.Outcome.Ok<>(7));
        });
    }

    @Test
    void ignoreUnlinksAndLetsTheTaskRunOn() throws Exception {
        inProcess(() -> {
            CountDownLatch go = new CountDownLatch(1);
            Pid me = Proc.self();
            Task<Integer> t = Task.async(() -> {
                go.await();
                Proc.send(me, "still ran");
                throw new IllegalStateException("its crash does not reach the owner");
            });
            assertThat(t.ignore()).isEmpty();
            go.countDown();
            Ref done = Proc.monitor(t.pid());
            assertThat(awaitText()).isEqualTo("still ran");
            Proc.receive(m -> m instanceof Down d && d.ref().equals(done) ? d : null); // the task has crashed
            assertThat(Proc.isAlive(me)).isTrue();
        });
    }

    @Test
    void asyncStreamBoundsConcurrencyAndKeepsOrder() throws Exception {
        inProcess(() -> {
            java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger peak = new java.util.concurrent.atomic.AtomicInteger();
            List<Integer> inputs = IntStream.range(0, 200).boxed().toList();
            List<Task.Outcome<Integer>> out = Task.asyncStream(inputs, i -> {
                int now = running.incrementAndGet();
                peak.accumulateAndGet(now, Math::max);
                Proc.yield();
                running.decrementAndGet();
                return i * 2;
            }, Task.StreamOptions.DEFAULT.withMaxConcurrency(4)).toList();
            assertThat(out).hasSize(200);
            for (int i = 0; i < 200; i++) assertThat(out.get(i)).isEqualTo(new Task.Outcome.Ok<>(i * 2));
            assertThat(peak.get()).isLessThanOrEqualTo(4);
        });
    }

    @Test
    void asyncStreamKillsTasksThatTimeOut() throws Exception {
        inProcess(() -> {
            CountDownLatch never = new CountDownLatch(1);
            List<Task.Outcome<Integer>> out = Task.asyncStream(List.of(1, 2, 3), i -> {
                if (i == 2) {
                    try {
                        never.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return i;
            }, Task.StreamOptions.DEFAULT.withTimeout(Duration.ofMillis(50), true)).toList();
            assertThat(out).containsExactly(new Task.Outcome.Ok<>(1), new Task.Outcome.Exited<>(new ExitReason.Other("timeout")),
                    new Task.Outcome.Ok<>(3));
        });
    }

    @Test
    void taskSupervisorAsyncNolinkSurvivesACrash() throws Exception {
        inProcess(() -> {
            ServerRef<?> sup = TaskSupervisor.startLink();
            Task<Integer> ok = TaskSupervisor.asyncNolink(sup, () -> 42);
            Task<Integer> bad = TaskSupervisor.asyncNolink(sup, () -> {
                throw new IllegalStateException("backend down");
            });
            assertThat(ok.await()).isEqualTo(42);
            Optional<Task.Outcome<Integer>> o = bad.yield(WAIT);
            assertThat(o).get().isInstanceOf(Task.Outcome.Exited.class);
            assertThat(((Task.Outcome.Exited<Integer>) o.get()).reason()).isInstanceOf(ExitReason.Crash.class);
            assertThat(Proc.isAlive(Proc.self())).isTrue();
            Task<Integer> linked = TaskSupervisor.async(sup, () -> 5);
            assertThat(linked.await()).isEqualTo(5);
        });
    }

    @Test
    void taskSupervisorChildrenAndTerminate() throws Exception {
        inProcess(() -> {
            ServerRef<?> sup = TaskSupervisor.startLink();
            CountDownLatch never = new CountDownLatch(1);
            Pid child = TaskSupervisor.startChild(sup, never::await);
            assertThat(TaskSupervisor.children(sup)).containsExactly(child);
            Ref mon = Proc.monitor(child);
            TaskSupervisor.terminateChild(sup, child);
            assertThat(awaitDown(mon)).isEqualTo(ExitReason.KILLED);
            assertThat(TaskSupervisor.children(sup)).isEmpty();
        });
    }

    @Test
    void aLinkedTaskSupervisorTaskThatCrashesTakesTheCallerDown() throws Exception {
        inProcess(() -> {
            Proc.trapExit(true);
            ServerRef<?> sup = TaskSupervisor.startLink();
            Task<Integer> t = TaskSupervisor.async(sup, () -> {
                throw new IllegalStateException("linked crash");
            });
            Exit e = await(m -> m instanceof Exit x && x.from().equals(t.pid()) ? x : null);
            assertThat(e.reason()).isInstanceOf(ExitReason.Crash.class);
        });
    }
}
