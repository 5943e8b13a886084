package io.otp4j;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Links, exit signals and trap_exit, following Erlang's rules. */
class LinkAndExitTest extends NodeTestSupport {

    static Matcher<Exit> exitFrom(Pid pid) {
        return m -> m instanceof Exit e && e.from().equals(pid) ? e : null;
    }

    @Test
    void aCrashKillsALinkedProcessWithTheSameReason() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Proc.Spawned parent = Proc.spawnMonitor(() -> {
                Proc.spawnLink(() -> {
                    throw new IllegalStateException("child failed");
                });
                Proc.receive(m -> null); // dies with the child
            });
            ExitReason r = await(m -> m instanceof Down d && d.ref().equals(parent.monitor()) ? d.reason() : null);
            assertThat(r).isInstanceOf(ExitReason.Crash.class);
            assertThat(((ExitReason.Crash) r).exception()).hasMessage("child failed");
        });
    }

    @Test
    void aNormalExitDoesNotKillLinkedProcesses() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Pid parent = Proc.spawn(() -> {
                Pid child = Proc.spawnLink(() -> { });
                Ref ref = Proc.monitor(child);
                Proc.receive(m -> m instanceof Down d && d.ref().equals(ref) ? d : null);
                Proc.send(me, "still alive");
            });
            assertThat(await()).isEqualTo("still alive");
        });
    }

    @Test
    void trappingTurnsExitSignalsIntoMessages() throws Exception {
        inProcess(() -> {
            Proc.trapExit(true);
            Pid child = Proc.spawnLink(() -> Proc.exit(new ExitReason.Other("bad_thing")));
            Exit e = await(exitFrom(child));
            assertThat(e.reason()).isEqualTo(new ExitReason.Other("bad_thing"));
            Pid normal = Proc.spawnLink(() -> { });
            assertThat(await(exitFrom(normal)).reason()).isEqualTo(ExitReason.NORMAL);
            Pid crash = Proc.spawnLink(() -> {
                throw new ArithmeticException("/ by zero");
            });
            assertThat(await(exitFrom(crash)).reason()).isInstanceOf(ExitReason.Crash.class);
        });
    }

    @Test
    void shutdownReasonsPropagateAsGiven() throws Exception {
        inProcess(() -> {
            Proc.trapExit(true);
            Pid a = Proc.spawnLink(() -> Proc.exit(ExitReason.SHUTDOWN));
            assertThat(await(exitFrom(a)).reason()).isEqualTo(ExitReason.SHUTDOWN);
            Pid b = Proc.spawnLink(() -> Proc.exit(ExitReason.shutdown("maintenance")));
            ExitReason rb = await(exitFrom(b)).reason();
            assertThat(rb).isEqualTo(new ExitReason.Shutdown("maintenance"));
            assertThat(rb.isSilent()).isTrue();
            assertThat(rb.toString()).isEqualTo("{shutdown,maintenance}");
        });
    }

    @Test
    void exitSignalKillsANonTrappingProcessWithItsReason() throws Exception {
        inProcess(() -> {
            Pid p = Proc.spawn(idle());
            Ref ref = Proc.monitor(p);
            Proc.exit(p, new ExitReason.Other("go away"));
            Down d = await(m -> m instanceof Down x && x.ref().equals(ref) ? x : null);
            assertThat(d.reason()).isEqualTo(new ExitReason.Other("go away"));
        });
    }

    @Test
    void killIsUntrappableAndSeenAsKilled() throws Exception {
        inProcess(() -> {
            Proc.trapExit(true);
            Pid me = Proc.self();
            Pid trapper = Proc.spawnLink(() -> {
                Proc.trapExit(true);
                Proc.send(me, "trapping");
                Proc.receive(m -> null);
            });
            assertThat(await()).isEqualTo("trapping");
            Proc.exit(trapper, ExitReason.KILL);
            assertThat(await(exitFrom(trapper)).reason()).isEqualTo(ExitReason.KILLED);
        });
    }

    @Test
    void trappingProcessReceivesExitFromExitSignal() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Pid trapper = Proc.spawn(() -> {
                Proc.trapExit(true);
                Proc.send(me, "ready");
                Exit e = (Exit) Proc.receive(m -> m instanceof Exit x ? x : null);
                Proc.send(me, e);
            });
            assertThat(await()).isEqualTo("ready");
            Proc.exit(trapper, new ExitReason.Other("please"));
            Exit got = await(m -> m instanceof Exit e ? e : null);
            assertThat(got).isEqualTo(new Exit(me, new ExitReason.Other("please")));
        });
    }

    @Test
    void exitNormalIsIgnoredByOthersButEndsTheCaller() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            // signals from one process to another keep their order: the answer to a ping sent after
            // the exit signal says the signal has been taken, and ignored
            Pid p = Proc.spawn(() -> {
                for (;;) {
                    Pid from = Proc.receive(m -> m instanceof Pid q ? q : null);
                    Proc.send(from, "pong");
                }
            });
            Proc.exit(p, ExitReason.NORMAL);
            Proc.send(p, me);
            Proc.receive(m -> "pong".equals(m) ? m : null);
            assertThat(Proc.isAlive(p)).isTrue();
            Proc.Spawned suicide = Proc.spawnMonitor(() -> {
                Proc.exit(Proc.self(), ExitReason.NORMAL);
                Proc.send(me, "unreachable");
            });
            ExitReason why = await(m -> m instanceof Down d && d.ref().equals(suicide.monitor()) ? d.reason() : null);
            assertThat(why).isEqualTo(ExitReason.NORMAL);
            refute(m -> "unreachable".equals(m) ? m : null, Duration.ofMillis(5));
            Proc.exit(p, ExitReason.KILL);
        });
    }

    @Test
    void selfExitWithKillSendsATrappableKillToLinks() throws Exception {
        inProcess(() -> {
            Proc.trapExit(true);
            Pid p = Proc.spawnLink(() -> Proc.exit(ExitReason.KILL));
            assertThat(await(exitFrom(p)).reason()).isEqualTo(ExitReason.KILL);
        });
    }

    @Test
    void unlinkStopsExitSignals() throws Exception {
        inProcess(() -> {
            Proc.trapExit(true);
            Pid me = Proc.self();
            Pid p = Proc.spawnLink(() -> {
                Proc.receive(m -> "die".equals(m) ? m : null);
                throw new IllegalStateException("dying");
            });
            Proc.unlink(p);
            Proc.send(p, "die");
            awaitExit(p);
            refute(exitFrom(p), Duration.ofMillis(20));
            assertThat(Proc.info(me).orElseThrow().links()).doesNotContain(p);
        });
    }

    @Test
    void linkToADeadProcessGivesNoproc() throws Exception {
        inProcess(() -> {
            Pid dead = Proc.spawn(() -> { });
            awaitExit(dead);
            Proc.trapExit(true);
            Proc.link(dead);
            assertThat(await(exitFrom(dead)).reason()).isEqualTo(ExitReason.NOPROC);
            Proc.trapExit(false);
            Pid me = Proc.self();
            Pid victim = Proc.spawn(() -> {
                Proc.link(dead);
                Proc.send(me, "survived");
            });
            assertThat(awaitExit(victim)).isEqualTo(ExitReason.NOPROC);
            refute(m -> "survived".equals(m) ? m : null, Duration.ofMillis(5));
        });
    }

    @Test
    void linksAreBidirectional() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Pid a = Proc.spawn(idle());
            Pid b = Proc.spawn(() -> {
                Proc.link(a);
                Proc.send(me, "linked");
                Proc.receive(m -> null);
            });
            assertThat(await()).isEqualTo("linked");
            assertThat(Proc.info(a).orElseThrow().links()).containsExactly(b);
            Ref ra = Proc.monitor(a);
            Proc.exit(b, new ExitReason.Other("b went"));
            ExitReason why = await(m -> m instanceof Down d && d.ref().equals(ra) ? d.reason() : null);
            assertThat(why).isEqualTo(new ExitReason.Other("b went"));
        });
    }

    @Test
    void aProcessBlockedInReceiveDiesPromptlyWhenKilled() throws Exception {
        inProcess(() -> {
            CountDownLatch unwound = new CountDownLatch(1);
            Pid me = Proc.self();
            Pid p = Proc.spawn(() -> {
                try {
                    Proc.send(me, "receiving");
                    Proc.receive(m -> null);
                } finally {
                    unwound.countDown();
                }
            });
            assertThat(await()).isEqualTo("receiving");
            Ref ref = Proc.monitor(p);
            Proc.exit(p, ExitReason.KILL);
            ExitReason why = await(m -> m instanceof Down d && d.ref().equals(ref) ? d.reason() : null);
            assertThat(why).isEqualTo(ExitReason.KILLED);
            assertThat(unwound.await(10, TimeUnit.SECONDS)).as("thread unwound").isTrue();
        });
    }

    @Test
    void aCpuBoundProcessIsDeadAtOnceAndUnwindsAtItsNextCall() throws Exception {
        inProcess(() -> {
            AtomicBoolean spin = new AtomicBoolean(true);
            AtomicReference<Throwable> unwoundWith = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch ended = new CountDownLatch(1);
            Pid p = Proc.spawn(() -> {
                try {
                    started.countDown();
                    while (spin.get()) {
                        Thread.onSpinWait(); // CPU-bound: makes no otp4j call
                    }
                    Proc.yield(); // the next otp4j call
                } catch (Throwable t) {
                    unwoundWith.set(t);
                    throw t;
                } finally {
                    ended.countDown();
                }
            });
            Ref ref = Proc.monitor(p);
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            Proc.exit(p, ExitReason.KILL);
            // dead for everybody at once, although its code still runs
            Down d = await(m -> m instanceof Down x && x.ref().equals(ref) ? x : null);
            assertThat(d.reason()).isEqualTo(ExitReason.KILLED);
            assertThat(Proc.isAlive(p)).isFalse();
            assertThat(ended.getCount()).isEqualTo(1);
            spin.set(false);
            assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(unwoundWith.get()).isInstanceOf(ProcessExit.class);
        });
    }

    @Test
    void aProcessBlockedInAJdkCallIsInterruptedWhenKilled() throws Exception {
        inProcess(() -> {
            AtomicReference<Throwable> seen = new AtomicReference<>();
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch ended = new CountDownLatch(1);
            Pid p = Proc.spawn(() -> {
                try {
                    inside.countDown();
                    new CountDownLatch(1).await(); // blocks in the JDK, not in otp4j
                } catch (InterruptedException e) {
                    seen.set(e);
                } finally {
                    ended.countDown();
                }
            });
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
            Ref ref = Proc.monitor(p);
            Proc.exit(p, ExitReason.KILL);
            ExitReason why = await(m -> m instanceof Down d && d.ref().equals(ref) ? d.reason() : null);
            assertThat(why).isEqualTo(ExitReason.KILLED);
            assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(seen.get()).isInstanceOf(InterruptedException.class);
        });
    }

    @Test
    void spawnLinkIsAtomic() throws Exception {
        inProcess(() -> {
            Proc.trapExit(true);
            for (int i = 0; i < 100; i++) {
                Pid c = Proc.spawnLink(() -> {
                    throw new IllegalStateException("at once");
                });
                assertThat(await(exitFrom(c)).reason()).isInstanceOf(ExitReason.Crash.class);
            }
        });
    }

    @Test
    void trapExitReturnsThePreviousSetting() throws Exception {
        inProcess(() -> {
            assertThat(Proc.trapExit(true)).isFalse();
            assertThat(Proc.trapExit(false)).isTrue();
            assertThat(Proc.info(Proc.self()).orElseThrow().trapExit()).isFalse();
        });
    }

    @Test
    void exitInsideACatchAllIsRethrownAndStillEndsTheProcess() throws Exception {
        inProcess(() -> {
            Proc.Spawned p = Proc.spawnMonitor(() -> {
                try {
                    Proc.exit(new ExitReason.Other("caught?"));
                } catch (Exception e) {
                    Proc.send(Proc.self(), "swallowed"); // ProcessExit is an Error: not caught here
                }
            });
            ExitReason why = await(m -> m instanceof Down d && d.ref().equals(p.monitor()) ? d.reason() : null);
            assertThat(why).isEqualTo(new ExitReason.Other("caught?"));
        });
    }
}
