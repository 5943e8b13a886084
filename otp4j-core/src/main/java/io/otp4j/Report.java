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
     * @param time           when
     * @param pid            the process
     * @param registeredName its registered name at the time, if any
     * @param reason         the exit reason; a {@link ExitReason.Crash} carries the exception
     */
    record Crash(Instant time, Pid pid, Optional<String> registeredName, ExitReason reason) implements Report {
        @Override
        public String format() {
            StringBuilder sb = new StringBuilder();
            sb.append("crash report: process ").append(pid);
            registeredName.ifPresent(n -> sb.append(" (").append(n).append(')'));
            sb.append(" exited with reason: ");
            if (reason instanceof ExitReason.Crash c) {
                sb.append(c.exception());
                StackTraceElement[] st = c.exception().getStackTrace();
                if (st.length > 0) sb.append("\n    at ").append(st[0]);
            } else {
                sb.append(reason);
            }
            return sb.toString();
        }
    }
}
