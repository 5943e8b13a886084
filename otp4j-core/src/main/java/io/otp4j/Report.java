package io.otp4j;

import java.time.Instant;
import java.util.Optional;

/**
 * A structured report from the runtime: data first, text only when {@link #format() formatted}.
 *
 * <p>Reports go to SLF4J (logger {@code io.otp4j.report}, with the fields as key-value pairs) and to
 * any listener given in {@link Node.Options#reportListener}. Exits with a silent reason
 * ({@code normal}, {@code shutdown}, {@code {shutdown, _}}) produce no report.
 */
public sealed interface Report {

    /** When the report was made. */
    Instant time();

    /** The report as text, in the manner of Erlang's error logger. */
    String format();

    /**
     * A process ended abnormally by itself: its code threw, or it exited with a reason that is not
     * silent. Processes killed by an exit signal do not report (the process that started the
     * cascade did).
     *
     * <p>A behaviour's report also names the behaviour, the last message it handled and its state
     * (as its {@code formatStatus} shows it).
     *
     * @param time           when
     * @param pid            the process
     * @param registeredName its registered name at the time, if any
     * @param reason         the exit reason; a {@link ExitReason.Crash} carries the exception
     * @param behaviour      the behaviour and its implementation, for a behaviour process
     * @param lastMessage    the last message a behaviour handled
     * @param state          a behaviour's state
     */
    record Crash(Instant time, Pid pid, Optional<String> registeredName, ExitReason reason,
                 Optional<String> behaviour, Optional<Object> lastMessage, Optional<Object> state) implements Report {
        @Override
        public String format() {
            StringBuilder sb = new StringBuilder();
            sb.append("crash report: ");
            behaviour.ifPresent(b -> sb.append(b).append(' '));
            sb.append("process ").append(pid);
            registeredName.ifPresent(n -> sb.append(" (").append(n).append(')'));
            sb.append(" exited with reason: ");
            if (reason instanceof ExitReason.Crash c) {
                sb.append(c.exception());
                StackTraceElement[] st = c.exception().getStackTrace();
                if (st.length > 0) sb.append("\n    at ").append(st[0]);
            } else {
                sb.append(reason);
            }
            lastMessage.ifPresent(m -> sb.append("\n    last message: ").append(m));
            state.ifPresent(s -> sb.append("\n    state: ").append(s));
            return sb.toString();
        }
    }

    /**
     * A supervisor's report ({@code supervisor_report}): a child terminated abnormally
     * ({@code child_terminated}), failed to start ({@code start_error}), did not stop as asked
     * ({@code shutdown_error}), or the supervisor gave up ({@code shutdown}, reason
     * {@code reached_max_restart_intensity}).
     */
    record Supervisor(Instant time, Pid supervisor, Optional<String> supervisorName, String context,
                      ExitReason reason, Object childId, Optional<Pid> childPid) implements Report {
        @Override
        public String format() {
            return "supervisor report: " + supervisor + supervisorName.map(n -> " (" + n + ")").orElse("")
                    + " " + context + ": child " + childId + childPid.map(p -> " " + p).orElse("")
                    + ", reason: " + reason;
        }
    }

    /** A supervisor started a child ({@code progress} report; logged at info level). */
    record Progress(Instant time, Pid supervisor, Optional<String> supervisorName, Object childId, Pid childPid)
            implements Report {
        @Override
        public String format() {
            return "progress report: supervisor " + supervisor + supervisorName.map(n -> " (" + n + ")").orElse("")
                    + " started child " + childId + " as " + childPid;
        }
    }
}
