package io.otp4j;

import java.util.Objects;

/**
 * Why a process exited, or the reason carried by an exit signal.
 *
 * <p>Erlang's reasons are any term; the ones the runtime gives meaning to are named here, and any
 * other value travels as {@link Other}:
 * <ul>
 *   <li>{@link Normal}: the process finished its work. Linked processes are not affected; a
 *       trapping process sees an {@link Exit} message.</li>
 *   <li>{@link Kill}: sent with {@link Proc#exit(Pid, ExitReason)} it is untrappable and the target
 *       dies with reason {@link Killed}. A process that exits itself with {@code kill} sends its
 *       linked processes an ordinary, trappable exit signal with reason {@code kill}, as Erlang does.</li>
 *   <li>{@link Shutdown}: an orderly stop asked for by a supervisor or the process itself; with a
 *       detail it is Erlang's {@code {shutdown, Detail}}. Like {@code normal}, no crash report.</li>
 *   <li>{@link NoProc}, {@link NoConnection}: the process did not exist, or its node was lost.</li>
 *   <li>{@link Crash}: the process's code threw; the exception (with its stack trace) is the reason.</li>
 * </ul>
 *
 * <p>A reason is <em>silent</em> when it is {@code normal}, {@code shutdown} or
 * {@code {shutdown, _}}: such exits produce no crash report and do not count as failures for a
 * transient child.
 */
public sealed interface ExitReason {

    Normal NORMAL = new Normal();
    Kill KILL = new Kill();
    Killed KILLED = new Killed();
    Shutdown SHUTDOWN = new Shutdown(null);
    NoProc NOPROC = new NoProc();
    NoConnection NOCONNECTION = new NoConnection();

    /** {@code normal}. */
    record Normal() implements ExitReason {
        @Override
        public String toString() {
            return "normal";
        }
    }

    /** {@code kill}: as a signal from {@link Proc#exit(Pid, ExitReason)}, untrappable; its target exits {@link Killed}. */
    record Kill() implements ExitReason {
        @Override
        public String toString() {
            return "kill";
        }
    }

    /** {@code killed}: the reason of a process that received {@link Kill}. */
    record Killed() implements ExitReason {
        @Override
        public String toString() {
            return "killed";
        }
    }

    /**
     * {@code shutdown}, or {@code {shutdown, detail}} when {@code detail} is not null.
     *
     * @param detail the detail, or null for plain {@code shutdown}
     */
    record Shutdown(Object detail) implements ExitReason {
        @Override
        public String toString() {
            return detail == null ? "shutdown" : "{shutdown," + detail + "}";
        }
    }

    /** {@code noproc}: the process did not exist. */
    record NoProc() implements ExitReason {
        @Override
        public String toString() {
            return "noproc";
        }
    }

    /** {@code noconnection}: the process's node is no longer connected. */
    record NoConnection() implements ExitReason {
        @Override
        public String toString() {
            return "noconnection";
        }
    }

    /**
     * The process's code threw {@code exception}.
     *
     * @param exception what was thrown, with its stack trace
     */
    record Crash(Throwable exception) implements ExitReason {
        public Crash {
            Objects.requireNonNull(exception, "exception");
        }

        @Override
        public String toString() {
            return "{" + exception + "}";
        }
    }

    /**
     * Any other reason, as given to {@link Proc#exit(ExitReason)} or {@link Proc#exit(Pid, ExitReason)}.
     *
     * @param value the reason's value (immutable, like a message)
     */
    record Other(Object value) implements ExitReason {
        public Other {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return String.valueOf(value);
        }
    }

    /** {@code {shutdown, detail}}. */
    static Shutdown shutdown(Object detail) {
        return new Shutdown(Objects.requireNonNull(detail, "detail"));
    }

    /** A reason made of any value: an {@code ExitReason} is returned as is, anything else becomes {@link Other}. */
    static ExitReason of(Object value) {
        return value instanceof ExitReason r ? r : new Other(value);
    }

    /** True for {@code normal}. */
    default boolean isNormal() {
        return this instanceof Normal;
    }

    /** True for {@code normal}, {@code shutdown} and {@code {shutdown, _}}: exits that are not failures. */
    default boolean isSilent() {
        return this instanceof Normal || this instanceof Shutdown;
    }
}
