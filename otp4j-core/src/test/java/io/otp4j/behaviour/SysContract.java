package io.otp4j.behaviour;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.behaviour.Sys.TraceEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * sys's contract, run against every kind of process that answers system messages (one subclass
 * each). A subclass starts a process that records "pokes" (asynchronous messages carrying an int)
 * in its state, and says how to poke it, how to ask it for its pokes with an ordinary call, and
 * where the pokes are in what {@link Sys#getState} returns.
 */
abstract class SysContract extends BehaviourTestSupport {

    /** Starts the process under test, not linked, from inside a process. */
    abstract ServerRef<?> start();

    /** Sends it poke {@code i}, without waiting. */
    abstract void poke(ServerRef<?> target, int i);

    /** Asks it, with an ordinary (non-system) call, for the pokes it has handled, in order. */
    abstract List<Integer> pokes(ServerRef<?> target);

    /** The pokes in what {@link Sys#getState} returned. */
    abstract List<Integer> pokesIn(Object sysState);

    /** What {@link Sys#replaceState}'s function makes of {@code shown} to set the pokes to {@code pokes}. */
    abstract Object withPokes(Object shown, List<Integer> pokes);

    abstract java.util.Optional<String> behaviour();

    abstract String module();

    /** The kind of {@link TraceEvent.In} a poke is traced as; null if the process traces nothing. */
    TraceEvent.Kind pokeKind() {
        return TraceEvent.Kind.CAST;
    }

    static final Duration SHORT = Duration.ofSeconds(10);

    @Test
    void getStateShowsTheState() throws Exception {
        inProcess(() -> {
            ServerRef<?> t = start();
            poke(t, 1);
            poke(t, 2);
            assertThat(pokes(t)).containsExactly(1, 2);
            assertThat(pokesIn(Sys.getState(t))).containsExactly(1, 2);
            assertThat(pokesIn(Sys.getState(t.pid(), SHORT))).containsExactly(1, 2);
        });
    }

    @Test
    void replaceStateSetsTheStateAndReturnsIt() throws Exception {
        inProcess(() -> {
            ServerRef<?> t = start();
            poke(t, 1);
            Object now = Sys.replaceState(t, s -> withPokes(s, List.of(7, 8)));
            assertThat(pokesIn(now)).containsExactly(7, 8);
            poke(t, 9);
            assertThat(pokes(t)).containsExactly(7, 8, 9);
        });
    }

    @Test
    void aFailingReplaceLeavesTheStateAndRaisesInTheCaller() throws Exception {
        inProcess(() -> {
            ServerRef<?> t = start();
            poke(t, 1);
            Ref mon = Proc.monitor(t.pid());
            assertThatThrownBy(() -> Sys.replaceState(t, s -> {
                throw new IllegalStateException("no, thanks");
            })).isInstanceOf(Sys.CallbackFailedException.class)
                    .hasMessageContaining("unchanged")
                    .hasCauseInstanceOf(IllegalStateException.class)
                    .hasRootCauseMessage("no, thanks");
            poke(t, 2);
            assertThat(pokes(t)).containsExactly(1, 2);
            refute(m -> m instanceof io.otp4j.Down d && d.ref().equals(mon) ? d : null, Duration.ZERO);
        });
    }

    @Test
    void getStatusDescribesTheProcess() throws Exception {
        inProcess(() -> {
            ServerRef<?> t = start();
            poke(t, 1);
            Sys.Status st = Sys.getStatus(t);
            assertThat(st.pid()).isEqualTo(t.pid());
            assertThat(st.behaviour()).isEqualTo(behaviour());
            assertThat(st.module()).isEqualTo(module());
            assertThat(st.mode()).isEqualTo(Sys.Mode.RUNNING);
            assertThat(st.parent()).isEmpty(); // started unlinked
            assertThat(st.debug()).isEmpty();
            assertThat(st.state()).isNotNull();
            Sys.statistics(t, true);
            Sys.trace(t, e -> { });
            assertThat(Sys.getStatus(t.pid()).debug()).containsExactlyInAnyOrder(Sys.Flag.TRACE, Sys.Flag.STATISTICS);
            Sys.trace(t, false);
            assertThat(Sys.getStatus(t).debug()).containsExactly(Sys.Flag.STATISTICS);
        });
    }

    @Test
    void aSuspendedProcessHoldsItsMessagesInOrderUntilResumed() throws Exception {
        inProcess(() -> {
            ServerRef<?> t = start();
            poke(t, 1);
            assertThat(pokes(t)).containsExactly(1);
            Sys.suspend(t);
            Sys.suspend(t); // already suspended: nothing changes
            for (int i = 2; i <= 4; i++) poke(t, i);
            // the pokes wait in its mailbox while it answers system messages
            assertThat(Proc.info(t.pid()).orElseThrow().messageQueueLen()).isEqualTo(3);
            assertThat(pokesIn(Sys.getState(t))).containsExactly(1);
            assertThat(Sys.getStatus(t).mode()).isEqualTo(Sys.Mode.SUSPENDED);
            assertThat(Proc.info(t.pid()).orElseThrow().messageQueueLen()).isEqualTo(3);
            Sys.resume(t);
            assertThat(pokes(t)).containsExactly(1, 2, 3, 4);
            assertThat(Sys.getStatus(t).mode()).isEqualTo(Sys.Mode.RUNNING);
            Sys.resume(t); // resuming a running process does nothing
            poke(t, 5);
            assertThat(pokes(t)).containsExactly(1, 2, 3, 4, 5);
        });
    }

    @Test
    void aCallToASuspendedProcessWaitsForItsResume() throws Exception {
        inProcess(() -> {
            ServerRef<?> t = start();
            Sys.suspend(t);
            Pid me = Proc.self();
            poke(t, 1);
            Pid caller = Proc.spawn(() -> Proc.send(me, List.copyOf(pokes(t)))); // its call comes after the poke
            refute(m -> m instanceof List<?> l ? l : null, Duration.ofMillis(50));
            Sys.resume(t);
            List<?> got = await(m -> m instanceof List<?> l ? l : null);
            assertThat(got).isEqualTo(List.of(1));
            awaitDown(Proc.monitor(caller));
        });
    }

    @Test
    void statisticsCountWhatIsHandled() throws Exception {
        inProcess(() -> {
            ServerRef<?> t = start();
            assertThat(Sys.statistics(t)).isEmpty();
            Instant before = Instant.now();
            Sys.statistics(t, true);
            poke(t, 1);
            poke(t, 2);
            pokes(t);
            Sys.Statistics s = Sys.statistics(t).orElseThrow();
            assertThat(s.start()).isBetween(before.minusMillis(1), s.current());
            assertThat(s.reductions()).isPositive();
            if (pokeKind() != null) {
                assertThat(s.messagesIn()).isEqualTo(3);  // two pokes and the call
                assertThat(s.messagesOut()).isEqualTo(1); // the call's reply
            }
            Sys.statistics(t, true); // a fresh count
            assertThat(Sys.statistics(t).orElseThrow().messagesIn()).isZero();
            Sys.statistics(t, false);
            assertThat(Sys.statistics(t)).isEmpty();
        });
    }

    @Test
    void traceReportsEachEventUntilSwitchedOff() throws Exception {
        inProcess(() -> {
            ServerRef<?> t = start();
            Pid p = t.pid();
            BlockingQueue<TraceEvent> events = new LinkedBlockingQueue<>();
            Sys.trace(t, events::add);
            poke(t, 1);
            List<Integer> got = pokes(t);
            assertThat(got).containsExactly(1);
            Sys.trace(t, false); // handled after every event above: they are all in the queue now
            List<TraceEvent> seen = new ArrayList<>(events);
            events.clear();
            if (pokeKind() == null) {
                assertThat(seen).isEmpty();
            } else {
                assertThat(seen).allSatisfy(e -> assertThat(e.process()).isEqualTo(p));
                List<TraceEvent.In> ins = seen.stream().filter(e -> e instanceof TraceEvent.In)
                        .map(e -> (TraceEvent.In) e).toList();
                assertThat(ins).hasSize(2);
                assertThat(ins.get(0).kind()).isEqualTo(pokeKind());
                assertThat(ins.get(1).kind()).isEqualTo(TraceEvent.Kind.CALL);
                assertThat(ins.get(1).from()).isEqualTo(Proc.self());
                assertThat(seen.getLast()).isInstanceOfSatisfying(TraceEvent.Out.class, out -> {
                    assertThat(out.reply()).isEqualTo(got);
                    assertThat(out.to()).isEqualTo(Proc.self());
                    assertThat(out.format()).startsWith("*DBG* " + p + " sent " + got + " to " + Proc.self());
                });
                assertThat(ins.get(1).format()).startsWith("*DBG* " + p + " got call ");
            }
            poke(t, 2);
            pokes(t);
            assertThat(events.poll(0, TimeUnit.SECONDS)).isNull();
            // trace to the log: on and off, and the process goes on
            Sys.trace(t, true);
            poke(t, 3);
            assertThat(Sys.getStatus(t).debug()).containsExactly(Sys.Flag.TRACE);
            Sys.trace(t, false);
            assertThat(pokes(t)).containsExactly(1, 2, 3);
        });
    }

    @Test
    void aThrowingTraceSinkIsRemovedAndTheProcessGoesOn() throws Exception {
        inProcess(() -> {
            ServerRef<?> t = start();
            Sys.trace(t, e -> {
                throw new IllegalStateException("sink broke");
            });
            poke(t, 1);
            assertThat(pokes(t)).containsExactly(1);
            if (pokeKind() != null) { // it traced the poke, and its sink threw
                assertThat(Sys.getStatus(t).debug()).doesNotContain(Sys.Flag.TRACE);
            }
        });
    }

    @Test
    void aDeadOrUnknownTargetFailsLikeACallToIt() throws Exception {
        inProcess(() -> {
            ServerRef<?> t = start();
            Pid p = t.pid();
            Ref mon = Proc.monitor(p);
            GenServer.stop(t, ExitReason.NORMAL, SHORT); // every behaviour stops on the system Terminate
            awaitDown(mon);
            assertThatThrownBy(() -> Sys.getState(p)).isInstanceOf(CallException.class)
                    .hasMessageContaining("noproc")
                    .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(ExitReason.NOPROC));
            assertThatThrownBy(() -> Sys.suspend(p)).isInstanceOf(CallException.class);
            assertThatThrownBy(() -> Sys.getStatus(ServerRef.named("nobody-here"))).isInstanceOf(CallException.class)
                    .hasMessageContaining("noproc");
        });
    }
}
