package io.otp4j.behaviour;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.internal.gen.Gen;
import io.otp4j.internal.gen.Gen.SystemRequest;
import io.otp4j.internal.gen.SysLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Looking inside a running process (Erlang's {@code sys}, Elixir's {@code :sys}): read and replace
 * a behaviour's state, suspend and resume it, count its work, and trace what it handles, without
 * changing its code.
 *
 * {@snippet :
 * ServerRef<Counter.Msg> c = GenServer.start(new Counter());
 * int n = (Integer) Sys.getState(c);                        // sys:get_state(C)
 * Sys.replaceState(c, s -> (Integer) s + 100);              // sys:replace_state(C, fun(S) -> S + 100 end)
 * Sys.trace(c, true);                                       // sys:trace(C, true): *DBG* lines to the log
 * Sys.statistics(c, true);
 * GenServer.call(c, new Counter.Inc());
 * Sys.statistics(c).orElseThrow().messagesIn();             // 1
 * Sys.suspend(c);                                           // calls now wait in its mailbox...
 * Sys.resume(c);                                            // ...and are handled, in order
 * }
 *
 * <p>Every behaviour answers these requests between two messages, in its own process: GenServer
 * and what is built on it (Supervisor, DynamicSupervisor, TaskSupervisor, Agent, Registry, an
 * application's master, GenStage's stages), GenStatem and GenEvent. A plain process can take part
 * too, as a {@linkplain Special special process}. What {@link #getState} returns depends on the
 * behaviour: a GenServer's state; a GenStatem's {@link GenStatem.Snapshot}; a GenEvent manager's
 * handlers as a list of {@link GenEvent.HandlerState}; a supervisor's {@link Supervisor.Snapshot}
 * or {@link DynamicSupervisor.Snapshot}; a stage's own state (the one its callbacks see).
 *
 * <p>Each request is a call with a timeout (5 seconds unless given) and fails as calls do: a
 * process that is not alive gives a {@link CallException} with reason {@code noproc}; a process that
 * does not answer system messages (a plain process that is not a special one) gives a
 * {@link CallTimeoutException}. The target is a {@link ServerRef} or a {@link Pid}.
 *
 * <h2>Costs and cautions</h2>
 * With nothing switched on, a behaviour pays one field check per message for all of this. Trace
 * sinks run in the traced process, between its messages: a slow sink slows it. A suspended
 * process still holds its callers' calls, which time out as usual; resume it. {@link #replaceState}
 * changes a live process's state behind its code's back: a tool for debugging and emergencies, as
 * in Erlang.
 */
public final class Sys {
    private static final Logger TRACE_LOG = LoggerFactory.getLogger("io.otp4j.sys");

    private Sys() {
    }

    // ------------------------------------------------------------------ values

    /** Whether a process handles its messages, or system messages only. */
    public enum Mode { RUNNING, SUSPENDED }

    /** The debug options that are on. */
    public enum Flag { TRACE, STATISTICS }

    /**
     * A process's status ({@code sys:get_status}).
     *
     * @param pid       the process
     * @param behaviour its behaviour, as {@link io.otp4j.ProcessInfo#behaviour()} names it; empty for
     *                  a special process
     * @param module    the class implementing its callbacks
     * @param mode      running or suspended
     * @param parent    the process that started it linked (its supervisor), if any
     * @param debug     the debug options on
     * @param state     its state as the behaviour's {@code formatStatus} shows it
     */
    public record Status(Pid pid, Optional<String> behaviour, String module, Mode mode, Optional<Pid> parent,
                         Set<Flag> debug, Object state) {
    }

    /**
     * What {@link #statistics(ServerRef, boolean)} counted since it was switched on
     * ({@code sys:statistics}).
     *
     * @param start       when counting started
     * @param current     now
     * @param reductions  the process's work counter (messages sent and received, processes
     *                    spawned) since the start
     * @param messagesIn  messages and events the behaviour handled
     * @param messagesOut replies it sent
     */
    public record Statistics(Instant start, Instant current, long reductions, long messagesIn, long messagesOut) {
    }

    /**
     * One traced event ({@code sys:trace}'s {@code *DBG*} lines), as a value; {@link #format()}
     * is the line.
     */
    public sealed interface TraceEvent {
        /** The traced process. */
        Pid process();

        /** The event as sys:trace prints it. */
        String format();

        /** What kind of message or event came in. */
        enum Kind {
            /** A call; {@code from} is the caller (null for a caller that is not a process). */
            CALL,
            CAST,
            /** Any other message. */
            INFO,
            /** An event notified to a GenEvent manager. */
            EVENT,
            /** An event a GenStatem inserted itself ({@code next_event}). */
            INTERNAL,
            /** A GenStatem time-out; the message is the time-out's content. */
            TIMEOUT
        }

        /**
         * A message (or a state machine's event) about to be handled.
         *
         * @param message what the callback gets: a call's request, a cast's message, an event
         * @param from    a call's caller (null for another kind, or a caller that is not a process)
         */
        record In(Pid process, Kind kind, Object message, Pid from) implements TraceEvent {
            @Override
            public String format() {
                return "*DBG* " + process + switch (kind) {
                    case CALL -> " got call " + message + " from " + from;
                    case CAST -> " got cast " + message;
                    case INFO -> " got " + message;
                    case EVENT -> " got event " + message;
                    case INTERNAL -> " got internal event " + message;
                    case TIMEOUT -> " got timeout " + message;
                };
            }
        }

        /** A reply sent to {@code to}, and the state after the callback that sent it (as sys shows states). */
        record Out(Pid process, Object reply, Pid to, Object state) implements TraceEvent {
            @Override
            public String format() {
                return "*DBG* " + process + " sent " + reply + " to " + to + ", new state " + state;
            }
        }

        /** A message handled without a reply, and the state after it. */
        record NoReply(Pid process, Object state) implements TraceEvent {
            @Override
            public String format() {
                return "*DBG* " + process + " new state " + state;
            }
        }

        /** A state machine changed state. */
        record StateChange(Pid process, Object from, Object to) implements TraceEvent {
            @Override
            public String format() {
                return "*DBG* " + process + " switched from state " + from + " to " + to;
            }
        }
    }

    /** {@link #replaceState} failed: the function threw (the state is unchanged). */
    public static final class CallbackFailedException extends RuntimeException {
        CallbackFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    // ------------------------------------------------------------------ get_state, replace_state, get_status

    /** The process's state ({@code sys:get_state}); see the class comment for what each behaviour returns. */
    public static Object getState(ServerRef<?> target) {
        return getState(target, Gen.DEFAULT_CALL_TIMEOUT);
    }

    public static Object getState(ServerRef<?> target, Duration timeout) {
        return Gen.systemCall(target, new SystemRequest.GetState(), timeout);
    }

    public static Object getState(Pid target) {
        return getState(ServerRef.of(target));
    }

    public static Object getState(Pid target, Duration timeout) {
        return getState(ServerRef.of(target), timeout);
    }

    /**
     * Replaces the process's state with {@code fn}'s result ({@code sys:replace_state}). {@code fn}
     * runs in the process and gets what {@link #getState} shows; a GenStatem's function takes and
     * returns a {@link GenStatem.Snapshot}, a GenEvent manager's is applied to each handler's
     * {@link GenEvent.HandlerState} and must keep its id. A supervisor's state cannot be replaced (the
     * function may only return it unchanged).
     *
     * @return the new state, as {@link #getState} would show it
     * @throws CallbackFailedException if {@code fn} threw, or returned what cannot be the state;
     *                                 the process keeps its state and goes on
     */
    public static Object replaceState(ServerRef<?> target, UnaryOperator<Object> fn) {
        return replaceState(target, fn, Gen.DEFAULT_CALL_TIMEOUT);
    }

    public static Object replaceState(ServerRef<?> target, UnaryOperator<Object> fn, Duration timeout) {
        Objects.requireNonNull(fn, "fn");
        Object r = Gen.systemCall(target, new SystemRequest.ReplaceState(fn), timeout);
        if (r instanceof Gen.SystemFailure(Throwable t)) {
            throw new CallbackFailedException("replaceState of " + target + " failed, its state is unchanged: " + t, t);
        }
        return r;
    }

    public static Object replaceState(Pid target, UnaryOperator<Object> fn) {
        return replaceState(ServerRef.of(target), fn);
    }

    public static Object replaceState(Pid target, UnaryOperator<Object> fn, Duration timeout) {
        return replaceState(ServerRef.of(target), fn, timeout);
    }

    /** The process's status ({@code sys:get_status}). */
    public static Status getStatus(ServerRef<?> target) {
        return getStatus(target, Gen.DEFAULT_CALL_TIMEOUT);
    }

    public static Status getStatus(ServerRef<?> target, Duration timeout) {
        return Gen.systemCall(target, new SystemRequest.GetStatus(), timeout);
    }

    public static Status getStatus(Pid target) {
        return getStatus(ServerRef.of(target));
    }

    public static Status getStatus(Pid target, Duration timeout) {
        return getStatus(ServerRef.of(target), timeout);
    }

    // ------------------------------------------------------------------ suspend, resume

    /**
     * Suspends the process ({@code sys:suspend}): until {@link #resume}, it handles system messages
     * only (and its parent's exit, if it traps exits); other messages wait in its mailbox, in order.
     * Suspending a suspended process does nothing.
     */
    public static void suspend(ServerRef<?> target) {
        suspend(target, Gen.DEFAULT_CALL_TIMEOUT);
    }

    public static void suspend(ServerRef<?> target, Duration timeout) {
        Gen.systemCall(target, new SystemRequest.Suspend(), timeout);
    }

    public static void suspend(Pid target) {
        suspend(ServerRef.of(target));
    }

    public static void suspend(Pid target, Duration timeout) {
        suspend(ServerRef.of(target), timeout);
    }

    /** Resumes a suspended process ({@code sys:resume}); it handles the messages that waited, in order. */
    public static void resume(ServerRef<?> target) {
        resume(target, Gen.DEFAULT_CALL_TIMEOUT);
    }

    public static void resume(ServerRef<?> target, Duration timeout) {
        Gen.systemCall(target, new SystemRequest.Resume(), timeout);
    }

    public static void resume(Pid target) {
        resume(ServerRef.of(target));
    }

    public static void resume(Pid target, Duration timeout) {
        resume(ServerRef.of(target), timeout);
    }

    // ------------------------------------------------------------------ statistics

    /** Starts counting afresh ({@code sys:statistics(P, true)}), or stops ({@code false}). */
    public static void statistics(ServerRef<?> target, boolean on) {
        statistics(target, on, Gen.DEFAULT_CALL_TIMEOUT);
    }

    public static void statistics(ServerRef<?> target, boolean on, Duration timeout) {
        Gen.systemCall(target, new SystemRequest.SetStatistics(on), timeout);
    }

    public static void statistics(Pid target, boolean on) {
        statistics(ServerRef.of(target), on);
    }

    public static void statistics(Pid target, boolean on, Duration timeout) {
        statistics(ServerRef.of(target), on, timeout);
    }

    /** What was counted since statistics were switched on ({@code sys:statistics(P, get)}); empty if they are off. */
    public static Optional<Statistics> statistics(ServerRef<?> target) {
        return statistics(target, Gen.DEFAULT_CALL_TIMEOUT);
    }

    public static Optional<Statistics> statistics(ServerRef<?> target, Duration timeout) {
        return Gen.systemCall(target, new SystemRequest.GetStatistics(), timeout);
    }

    public static Optional<Statistics> statistics(Pid target) {
        return statistics(ServerRef.of(target));
    }

    public static Optional<Statistics> statistics(Pid target, Duration timeout) {
        return statistics(ServerRef.of(target), timeout);
    }

    // ------------------------------------------------------------------ trace

    /**
     * Traces the process ({@code sys:trace}): each message it handles, each reply it sends, each
     * new state (and a state machine's state changes) is logged at info level to the SLF4J logger
     * {@code io.otp4j.sys}, as sys prints its {@code *DBG*} lines. {@code false} stops tracing,
     * whichever sink was set.
     */
    public static void trace(ServerRef<?> target, boolean on) {
        trace(target, on, Gen.DEFAULT_CALL_TIMEOUT);
    }

    public static void trace(ServerRef<?> target, boolean on, Duration timeout) {
        Gen.systemCall(target, new SystemRequest.Trace(on ? Sys::log : null), timeout);
    }

    public static void trace(Pid target, boolean on) {
        trace(ServerRef.of(target), on);
    }

    public static void trace(Pid target, boolean on, Duration timeout) {
        trace(ServerRef.of(target), on, timeout);
    }

    /**
     * Traces the process into {@code sink} instead of the log (to capture events in a test or a
     * tool). The sink runs in the traced process, for each event: it must be thread-safe, quick,
     * and must not call the traced process. A sink that throws is removed (and the failure logged);
     * the process goes on.
     */
    public static void trace(ServerRef<?> target, Consumer<TraceEvent> sink) {
        trace(target, sink, Gen.DEFAULT_CALL_TIMEOUT);
    }

    public static void trace(ServerRef<?> target, Consumer<TraceEvent> sink, Duration timeout) {
        Gen.systemCall(target, new SystemRequest.Trace(Objects.requireNonNull(sink, "sink")), timeout);
    }

    public static void trace(Pid target, Consumer<TraceEvent> sink) {
        trace(ServerRef.of(target), sink);
    }

    public static void trace(Pid target, Consumer<TraceEvent> sink, Duration timeout) {
        trace(ServerRef.of(target), sink, timeout);
    }

    private static void log(TraceEvent e) {
        TRACE_LOG.atInfo().addKeyValue("pid", e.process()).log(e.format());
    }

    // ------------------------------------------------------------------ special processes

    /**
     * The callbacks of a <em>special process</em> (OTP's {@code proc_lib} + {@code sys} protocol): a
     * plain process, written with {@code Proc.receive}, that answers {@code sys} requests by handing
     * each system message to {@link #handleSystemMessage}.
     *
     * {@snippet :
     * Sys.Special<Integer> special = new Sys.Special<>() {};
     * Pid p = Proc.spawn(() -> {
     *     int count = 0;
     *     for (;;) {
     *         Object m = Proc.receive();
     *         if (Sys.isSystemMessage(m)) {
     *             count = Sys.handleSystemMessage(m, count, special);   // may suspend, may exit
     *         } else if (m instanceof Tick) {
     *             count++;
     *         }
     *     }
     * });
     * }
     *
     * Every method has a default: the state is shown and replaced as it is, and terminating does
     * nothing more than exit.
     *
     * @param <S> the loop's state
     */
    public interface Special<S> {
        /** What {@link Sys#getState} returns for {@code state}. */
        default Object getState(S state) {
            return state;
        }

        /** The state after {@code fn} (given what {@link #getState} shows); throw to refuse it. */
        @SuppressWarnings("unchecked")
        default S replaceState(S state, UnaryOperator<Object> fn) {
            return (S) fn.apply(getState(state));
        }

        /** What {@link Sys#getStatus} shows of the state. */
        default Object formatStatus(S state) {
            return state;
        }

        /** Runs before the process exits with {@code reason} when asked to stop ({@code GenServer.stop}). */
        default void terminate(ExitReason reason, S state) {
        }

        /** The process that started it linked and supervises it, if any (as {@link Status#parent()}). */
        default Optional<Pid> parent() {
            return Optional.empty();
        }
    }

    /** Whether {@code msg}, taken from the mailbox, is a system message for {@link #handleSystemMessage}. */
    public static boolean isSystemMessage(Object msg) {
        return msg instanceof Gen.System;
    }

    /**
     * Answers a system message in a special process ({@code sys:handle_system_msg}); call it from
     * the process's own receive loop. If the message suspends the process, this returns only once it
     * is resumed, having answered system messages alone meanwhile (the others wait in the mailbox,
     * in order); if it asks the process to stop, {@code special.terminate} runs and the process
     * exits.
     *
     * @return the state to go on with (replaced, or as it was)
     * @throws IllegalArgumentException if {@code msg} is not a system message
     */
    public static <S> S handleSystemMessage(Object msg, S state, Special<S> special) {
        if (!(msg instanceof Gen.System sys)) {
            throw new IllegalArgumentException("not a system message: " + msg);
        }
        return SysLoop.special(sys, state, Objects.requireNonNull(special, "special"));
    }
}
