package io.otp4j.behaviour;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.behaviour.Sys.TraceEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** sys on a GenServer: the contract, and what is particular to gen_server (formatStatus, time-outs, parent). */
class SysGenServerTest extends SysContract {

    /** Records pokes; hides its secret in formatStatus. */
    static final class Recorder implements GenServer<Recorder.State, Recorder.Msg> {
        record State(List<Integer> pokes, String secret) {
        }

        sealed interface Msg {
        }

        record Poke(int i) implements Msg {
        }

        record Pokes() implements Msg {
        }

        /** Asks for a time-out: handleInfo gets TIMEOUT after {@code after}, and tells {@code who}. */
        record Arm(Duration after, Pid who) implements Msg {
        }

        private Pid timeoutTo;

        @Override
        public Init<State> init() {
            return new Init.Ok<>(new State(List.of(), "hunter2"));
        }

        @Override
        public CallResult<State> handleCall(Msg msg, From from, State s) {
            return switch (msg) {
                case Pokes() -> new Reply<>(s.pokes(), s);
                case Arm(Duration after, Pid who) -> {
                    timeoutTo = who;
                    yield new Reply<>("armed", s, new Action.Timeout(after));
                }
                case Poke p -> throw new IllegalStateException("pokes are cast");
            };
        }

        @Override
        public CastResult<State> handleCast(Msg msg, State s) {
            if (msg instanceof Poke(int i)) {
                List<Integer> l = new ArrayList<>(s.pokes());
                l.add(i);
                return new NoReply<>(new State(List.copyOf(l), s.secret()));
            }
            return new NoReply<>(s);
        }

        @Override
        public CastResult<State> handleInfo(Object msg, State s) {
            if (msg == TIMEOUT && timeoutTo != null) Proc.send(timeoutTo, "timed out");
            return new NoReply<>(s);
        }

        @Override
        public Object formatStatus(State s) {
            return "pokes=" + s.pokes() + " secret=***";
        }
    }

    @Override
    ServerRef<?> start() {
        return GenServer.start(new Recorder());
    }

    @Override
    @SuppressWarnings("unchecked")
    void poke(ServerRef<?> target, int i) {
        GenServer.cast((ServerRef<Recorder.Msg>) target, new Recorder.Poke(i));
    }

    @Override
    @SuppressWarnings("unchecked")
    List<Integer> pokes(ServerRef<?> target) {
        return GenServer.call((ServerRef<Recorder.Msg>) target, new Recorder.Pokes());
    }

    @Override
    List<Integer> pokesIn(Object sysState) {
        return ((Recorder.State) sysState).pokes();
    }

    @Override
    Object withPokes(Object shown, List<Integer> pokes) {
        return new Recorder.State(pokes, ((Recorder.State) shown).secret());
    }

    @Override
    Optional<String> behaviour() {
        return Optional.of("GenServer");
    }

    @Override
    String module() {
        return Recorder.class.getName();
    }

    @Test
    void getStatusShowsTheStateAsFormatStatusDoes() throws Exception {
        inProcess(() -> {
            ServerRef<?> t = start();
            poke(t, 1);
            assertThat(Sys.getStatus(t).state()).isEqualTo("pokes=[1] secret=***");
            assertThat(((Recorder.State) Sys.getState(t)).secret()).isEqualTo("hunter2"); // get_state is the raw state
        });
    }

    @Test
    void theParentIsTheProcessThatStartedItLinked() throws Exception {
        inProcess(() -> {
            ServerRef<?> t = GenServer.startLink(new Recorder());
            assertThat(Sys.getStatus(t).parent()).contains(Proc.self());
            ServerRef<?> sup = Supervisor.start(Supervisor.Flags.oneForOne(), List.of(
                    ChildSpec.worker("rec", () -> GenServer.startLink(new Recorder()))));
            Pid child = Supervisor.whichChildren(sup).getFirst().pid();
            assertThat(Sys.getStatus(child).parent()).contains(sup.pid());
        });
    }

    @Test
    void traceShowsCastsAndTheNewState() throws Exception {
        inProcess(() -> {
            ServerRef<?> t = start();
            BlockingQueue<TraceEvent> events = new LinkedBlockingQueue<>();
            Sys.trace(t, events::add);
            poke(t, 4);
            Pid p = t.pid();
            assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo(
                    new TraceEvent.In(p, TraceEvent.Kind.CAST, new Recorder.Poke(4), null));
            TraceEvent next = events.poll(10, TimeUnit.SECONDS);
            assertThat(next).isEqualTo(new TraceEvent.NoReply(p, new Recorder.State(List.of(4), "hunter2")));
            assertThat(next.format()).isEqualTo("*DBG* " + p + " new state " + new Recorder.State(List.of(4), "hunter2"));
            Proc.send(p, "stray");
            TraceEvent info = events.poll(10, TimeUnit.SECONDS);
            assertThat(info).isEqualTo(new TraceEvent.In(p, TraceEvent.Kind.INFO, "stray", null));
            assertThat(info.format()).isEqualTo("*DBG* " + p + " got stray");
        });
    }

    @Test
    void aTimeOutStillFiresAfterASystemMessage() throws Exception {
        inProcess(() -> {
            @SuppressWarnings("unchecked")
            ServerRef<Recorder.Msg> t = (ServerRef<Recorder.Msg>) start();
            String armed = GenServer.call(t, new Recorder.Arm(Duration.ofMillis(200), Proc.self()));
            assertThat(armed).isEqualTo("armed");
            Sys.getState(t); // as in gen_server, the time-out starts again after a system message
            Object fired = await(m -> "timed out".equals(m) ? m : null);
            assertThat(fired).isEqualTo("timed out");
        });
    }

    @Test
    void aSuspendedServerStillStopsWhenItsParentExits() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Pid parent = Proc.spawn(() -> {
                ServerRef<?> t = GenServer.startLink(new GenServer<Integer, Object>() {
                    public Init<Integer> init() {
                        Proc.trapExit(true);
                        return new Init.Ok<>(0);
                    }
                });
                Proc.send(me, t.pid());
                Proc.receive(m -> "die".equals(m) ? m : null);
                Proc.exit(ExitReason.SHUTDOWN);
            });
            Pid server = await(m -> m instanceof Pid p ? p : null);
            Sys.suspend(server);
            Ref mon = Proc.monitor(server);
            Proc.send(parent, "die");
            assertThat(awaitDown(mon)).isEqualTo(ExitReason.SHUTDOWN);
        });
    }
}
