package io.otp4j;

/**
 * Unwinds a process that is exiting. Thrown by {@link Proc#exit(ExitReason)}, and by any otp4j call
 * made by a process that an exit signal has already killed.
 *
 * <p>It is an {@link Error} so that {@code catch (Exception e)} does not stop it. Code that catches
 * {@code Throwable} must rethrow it. Catching the one thrown by {@code Proc.exit(reason)} in the
 * process itself is allowed, as Erlang allows catching {@code exit/1}; catching one thrown because
 * the process was killed changes nothing: the process is already dead for everybody else.
 */
public class ProcessExit extends Error {
    private final transient ExitReason reason;

    public ProcessExit(ExitReason reason) {
        super(String.valueOf(reason), null, false, false);
        this.reason = reason;
    }

    /** For the runtime: an exit whose report (if any) has already been made. */
    protected ProcessExit(ExitReason reason, boolean unused) {
        this(reason);
    }

    /** The reason the process exits with. */
    public ExitReason reason() {
        return reason;
    }
}
