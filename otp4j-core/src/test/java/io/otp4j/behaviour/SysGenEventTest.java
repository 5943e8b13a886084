package io.otp4j.behaviour;

import io.otp4j.Pid;
import io.otp4j.behaviour.GenEvent.HandlerId;
import io.otp4j.behaviour.GenEvent.HandlerState;
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

/** sys on a GenEvent manager: its state is its handlers and their states, each replaced on its own. */
class SysGenEventTest extends SysContract {

    /** Records the int events it is notified of. */
    record Recorder(String tag) implements GenEvent.Handler<List<Integer>, Object> {
        @Override
        public HandlerId id() {
            return HandlerId.of(Recorder.class, tag);
        }

        @Override
        public Init<List<Integer>> init(Object args) {
            return new Init.Ok<>(List.of());
        }

        @Override
        public HandlerResult<List<Integer>> handleEvent(Object event, List<Integer> s) {
            List<Integer> l = new ArrayList<>(s);
            l.add((Integer) event);
            return new Ok<>(List.copyOf(l));
        }

        @Override
        public CallResult<List<Integer>> handleCall(Object request, List<Integer> s) {
            return new Reply<>(s, s);
        }

        @Override
        public Object formatStatus(List<Integer> s) {
            return s.size() + " events";
        }
    }

    static final HandlerId MAIN = HandlerId.of(Recorder.class, "main");

    @Override
    ServerRef<?> start() {
        ServerRef<Object> mgr = GenEvent.start();
        GenEvent.addHandler(mgr, new Recorder("main"), null);
        return mgr;
    }

    @Override
    @SuppressWarnings("unchecked")
    void poke(ServerRef<?> target, int i) {
        GenEvent.notify((ServerRef<Object>) target, i);
    }

    @Override
    List<Integer> pokes(ServerRef<?> target) {
        return GenEvent.call(target, MAIN, "pokes");
    }

    @Override
    @SuppressWarnings("unchecked")
    List<Integer> pokesIn(Object sysState) {
        for (Object o : (List<?>) sysState) {
            if (o instanceof HandlerState(HandlerId id, Object s) && id.equals(MAIN)) return (List<Integer>) s;
        }
        throw new AssertionError("no handler " + MAIN + " in " + sysState);
    }

    @Override
    Object withPokes(Object shown, List<Integer> pokes) {
        HandlerState h = (HandlerState) shown; // gen_event applies the function to each handler
        return new HandlerState(h.id(), pokes);
    }

    @Override
    TraceEvent.Kind pokeKind() {
        return TraceEvent.Kind.EVENT;
    }

    @Override
    Optional<String> behaviour() {
        return Optional.of("GenEvent");
    }

    @Override
    String module() {
        return GenEvent.class.getName();
    }

    @Test
    void getStateListsEveryHandlerAndReplaceStateVisitsEach() throws Exception {
        inProcess(() -> {
            ServerRef<?> t = start();
            GenEvent.addHandler(t, new Recorder("second"), null);
            poke(t, 1);
            HandlerId second = HandlerId.of(Recorder.class, "second");
            assertThat(Sys.getState(t)).isEqualTo(List.of(new HandlerState(second, List.of(1)),
                    new HandlerState(MAIN, List.of(1))));
            assertThat(Sys.getStatus(t).state()).isEqualTo(List.of(new HandlerState(second, "1 events"),
                    new HandlerState(MAIN, "1 events")));
            Object replaced = Sys.replaceState(t, h -> new HandlerState(((HandlerState) h).id(), List.of(42)));
            assertThat(replaced).isEqualTo(List.of(new HandlerState(second, List.of(42)), new HandlerState(MAIN, List.of(42))));
            // all or nothing: a function that fails on one handler changes none
            assertThatThrownBy(() -> Sys.replaceState(t, h -> {
                HandlerState hs = (HandlerState) h;
                if (hs.id().equals(MAIN)) throw new IllegalStateException("not this one");
                return new HandlerState(hs.id(), List.of());
            })).isInstanceOf(Sys.CallbackFailedException.class);
            assertThatThrownBy(() -> Sys.replaceState(t, h -> new HandlerState(HandlerId.of(String.class), List.of())))
                    .isInstanceOf(Sys.CallbackFailedException.class).hasCauseInstanceOf(IllegalArgumentException.class);
            assertThat(GenEvent.<List<Integer>>call(t, second, "pokes")).containsExactly(42);
            assertThat(pokes(t)).containsExactly(42);
        });
    }

    @Test
    void syncNotifyIsTracedAsAnEventFromItsCaller() throws Exception {
        inProcess(() -> {
            @SuppressWarnings("unchecked")
            ServerRef<Object> t = (ServerRef<Object>) start();
            Pid p = t.pid();
            BlockingQueue<TraceEvent> events = new LinkedBlockingQueue<>();
            Sys.trace(t, events::add);
            GenEvent.syncNotify(t, 3);
            assertThat(events.poll(10, TimeUnit.SECONDS))
                    .isEqualTo(new TraceEvent.In(p, TraceEvent.Kind.EVENT, 3, io.otp4j.Proc.self()));
            assertThat(events.poll(10, TimeUnit.SECONDS)).isInstanceOf(TraceEvent.Out.class);
        });
    }
}
