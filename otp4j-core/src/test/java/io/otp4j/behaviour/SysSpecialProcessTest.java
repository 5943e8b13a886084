package io.otp4j.behaviour;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.ProcessInfo;
import io.otp4j.Ref;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A special process: a raw receive loop that hands system messages to {@link Sys#handleSystemMessage}
 * (proc_lib + sys:handle_system_msg), under sys's contract.
 */
class SysSpecialProcessTest extends SysContract {

    record Poke(int i) {
    }

    record Pokes(Pid from) {
    }

    /** The loop's callbacks: it reports its end to {@code watcher}. */
    record Callbacks(Pid watcher) implements Sys.Special<List<Integer>> {
        @Override
        public Object formatStatus(List<Integer> state) {
            return state.size() + " pokes";
        }

        @Override
        public void terminate(ExitReason reason, List<Integer> state) {
            if (watcher != null) Proc.send(watcher, "terminated with " + state);
        }

        @Override
        public Optional<Pid> parent() {
            return Optional.ofNullable(watcher);
        }
    }

    /** The raw loop of a special process. */
    static void loop(Sys.Special<List<Integer>> special) {
        List<Integer> pokes = List.of();
        for (;;) {
            Object m = Proc.receive();
            if (Sys.isSystemMessage(m)) {
                pokes = Sys.handleSystemMessage(m, pokes, special);
            } else if (m instanceof Poke(int i)) {
                List<Integer> l = new ArrayList<>(pokes);
                l.add(i);
                pokes = List.copyOf(l);
            } else if (m instanceof Pokes(Pid from)) {
                Proc.send(from, pokes);
            }
        }
    }

    @Override
    ServerRef<?> start() {
        return ServerRef.of(Proc.spawn(() -> loop(new Callbacks(null))));
    }

    @Override
    void poke(ServerRef<?> target, int i) {
        Proc.send(target.pid(), new Poke(i));
    }

    @Override
    List<Integer> pokes(ServerRef<?> target) {
        Proc.send(target.pid(), new Pokes(Proc.self()));
        return await(m -> m instanceof List<?> l ? castList(l) : null);
    }

    @SuppressWarnings("unchecked")
    private static List<Integer> castList(List<?> l) {
        return (List<Integer>) l;
    }

    @Override
    List<Integer> pokesIn(Object sysState) {
        return castList((List<?>) sysState);
    }

    @Override
    Object withPokes(Object shown, List<Integer> pokes) {
        return pokes;
    }

    /** A special process traces nothing: it does not report its events to sys. */
    @Override
    Sys.TraceEvent.Kind pokeKind() {
        return null;
    }

    @Override
    Optional<String> behaviour() {
        return Optional.empty();
    }

    @Override
    String module() {
        return Callbacks.class.getName();
    }

    @Test
    void statusFormatsTheStateAndNamesTheParent() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Pid p = Proc.spawn(() -> loop(new Callbacks(me)));
            poke(ServerRef.of(p), 1);
            Sys.Status st = Sys.getStatus(p);
            assertThat(st.state()).isEqualTo("1 pokes");
            assertThat(st.parent()).contains(me);
            ProcessInfo info = Proc.info(p).orElseThrow();
            assertThat(info.behaviour()).isEmpty(); // a special process is a plain process to process_info
        });
    }

    @Test
    void stoppingASpecialProcessRunsItsTerminate() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Pid p = Proc.spawn(() -> loop(new Callbacks(me)));
            poke(ServerRef.of(p), 3);
            Ref mon = Proc.monitor(p);
            GenServer.stop(ServerRef.of(p), ExitReason.shutdown("done"), SHORT);
            assertThat(awaitText()).isEqualTo("terminated with [3]");
            assertThat(awaitDown(mon)).isEqualTo(ExitReason.shutdown("done"));
        });
    }

    @Test
    void aSpecialProcessCanRefuseAReplace() throws Exception {
        inProcess(() -> {
            Sys.Special<List<Integer>> readOnly = new Sys.Special<>() {
                @Override
                public List<Integer> replaceState(List<Integer> state, UnaryOperator<Object> fn) {
                    throw new UnsupportedOperationException("read-only");
                }
            };
            Pid p = Proc.spawn(() -> loop(readOnly));
            poke(ServerRef.of(p), 1);
            assertThatThrownBy(() -> Sys.replaceState(p, s -> List.of()))
                    .isInstanceOf(Sys.CallbackFailedException.class).hasRootCauseMessage("read-only");
            assertThat(Sys.getState(p)).isEqualTo(List.of(1));
        });
    }

    @Test
    void handleSystemMessageRejectsOtherMessages() {
        assertThatThrownBy(() -> Sys.handleSystemMessage("hello", 0, new Sys.Special<>() { }))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aProcessThatAnswersNoSystemMessagesTimesOut() throws Exception {
        inProcess(() -> {
            Pid p = Proc.spawn(() -> Proc.receive(m -> "never".equals(m) ? m : null));
            assertThatThrownBy(() -> Sys.getState(p, java.time.Duration.ofMillis(50)))
                    .isInstanceOf(CallTimeoutException.class);
        });
    }
}
