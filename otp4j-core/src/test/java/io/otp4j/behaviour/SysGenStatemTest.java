package io.otp4j.behaviour;

import io.otp4j.Pid;
import io.otp4j.behaviour.GenStatem.Snapshot;
import io.otp4j.behaviour.Sys.TraceEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** sys on a GenStatem: its state is a Snapshot(state, data), and state changes are traced. */
class SysGenStatemTest extends SysContract {

    /** Flips between "even" and "odd" on each poke (an int cast), keeping the pokes as data. */
    record Flipper() implements GenStatem<String, List<Integer>, Object> {
        @Override
        public CallbackMode callbackMode() {
            return CallbackMode.handleEventFunction();
        }

        @Override
        public Init<String, List<Integer>> init() {
            return new Init.Ok<>("even", List.of());
        }

        @Override
        public Result<String, List<Integer>> handleEvent(Event<Object> event, String state, List<Integer> data) {
            return switch (event) {
                case Event.Cast<Object>(Integer i) -> {
                    List<Integer> l = new ArrayList<>(data);
                    l.add(i);
                    yield Result.next(state.equals("even") ? "odd" : "even", List.copyOf(l));
                }
                case Event.Call<Object>(Object req, From from) -> Result.keepStateAndData(Action.reply(from, data));
                default -> Result.keepStateAndData();
            };
        }

        @Override
        public Object formatStatus(String state, List<Integer> data) {
            return state + " after " + data.size() + " pokes";
        }
    }

    @Override
    ServerRef<?> start() {
        return GenStatem.start(new Flipper());
    }

    @Override
    @SuppressWarnings("unchecked")
    void poke(ServerRef<?> target, int i) {
        GenStatem.cast((ServerRef<Object>) target, i);
    }

    @Override
    @SuppressWarnings("unchecked")
    List<Integer> pokes(ServerRef<?> target) {
        return GenStatem.call((ServerRef<Object>) target, "pokes");
    }

    @Override
    @SuppressWarnings("unchecked")
    List<Integer> pokesIn(Object sysState) {
        return (List<Integer>) ((Snapshot<?, ?>) sysState).data();
    }

    @Override
    Object withPokes(Object shown, List<Integer> pokes) {
        return new Snapshot<>(((Snapshot<?, ?>) shown).state(), pokes);
    }

    @Override
    Optional<String> behaviour() {
        return Optional.of("GenStatem");
    }

    @Override
    String module() {
        return Flipper.class.getName();
    }

    @Test
    void getStateIsTheSnapshotAndGetStatusFormatsIt() throws Exception {
        inProcess(() -> {
            ServerRef<?> t = start();
            poke(t, 5);
            assertThat(Sys.getState(t)).isEqualTo(new Snapshot<>("odd", List.of(5)));
            assertThat(GenStatem.<String, List<Integer>>getState(t)).isEqualTo(new Snapshot<>("odd", List.of(5)));
            assertThat(Sys.getStatus(t).state()).isEqualTo("odd after 1 pokes");
        });
    }

    @Test
    void replaceStateCanChangeTheStateToo() throws Exception {
        inProcess(() -> {
            ServerRef<?> t = start();
            assertThat(Sys.replaceState(t, s -> new Snapshot<>("odd", List.of(1, 2))))
                    .isEqualTo(new Snapshot<>("odd", List.of(1, 2)));
            poke(t, 3);
            assertThat(Sys.getState(t)).isEqualTo(new Snapshot<>("even", List.of(1, 2, 3)));
            assertThatThrownBy(() -> Sys.replaceState(t, s -> "not a snapshot"))
                    .isInstanceOf(Sys.CallbackFailedException.class)
                    .hasCauseInstanceOf(IllegalArgumentException.class);
            assertThat(Sys.getState(t)).isEqualTo(new Snapshot<>("even", List.of(1, 2, 3)));
        });
    }

    @Test
    void traceShowsEventsRepliesAndStateChanges() throws Exception {
        inProcess(() -> {
            ServerRef<?> t = start();
            Pid p = t.pid();
            BlockingQueue<TraceEvent> events = new LinkedBlockingQueue<>();
            Sys.trace(t, events::add);
            poke(t, 1);
            assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo(new TraceEvent.In(p, TraceEvent.Kind.CAST, 1, null));
            TraceEvent change = events.poll(10, TimeUnit.SECONDS);
            assertThat(change).isEqualTo(new TraceEvent.StateChange(p, "even", "odd"));
            assertThat(change.format()).isEqualTo("*DBG* " + p + " switched from state even to odd");
            pokes(t);
            assertThat(events.poll(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(TraceEvent.In.class,
                    in -> assertThat(in.kind()).isEqualTo(TraceEvent.Kind.CALL));
            assertThat(events.poll(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(TraceEvent.Out.class,
                    out -> assertThat(out.state()).isEqualTo(new Snapshot<>("odd", List.of(1))));
            Sys.trace(t, false);
            assertThat(events).isEmpty(); // no state change for the call
        });
    }
}
