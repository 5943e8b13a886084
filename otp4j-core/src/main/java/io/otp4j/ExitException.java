package io.otp4j;

/**
 * A process exited before it could give the result the caller was waiting for (for example the
 * process of {@link Node#run} was killed). Carries the process and its exit reason.
 */
public class ExitException extends RuntimeException {
    private final transient Pid pid;
    private final transient ExitReason reason;

    public ExitException(Pid pid, ExitReason reason) {
        this(pid, reason, "process " + pid + " exited with reason " + reason);
    }

    protected ExitException(Pid pid, ExitReason reason, String message) {
        super(message, reason instanceof ExitReason.Crash c ? c.exception() : null);
        this.pid = pid;
        this.reason = reason;
    }

    public Pid pid() {
        return pid;
    }

    public ExitReason reason() {
        return reason;
    }
}
