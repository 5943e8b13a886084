package io.otp4j;

/**
 * The message a monitor delivers when the monitored process exits, or at once when it did not
 * exist: Erlang's {@code {'DOWN', Ref, process, Pid, Reason}}. See {@link Proc#monitor(Pid)}.
 *
 * @param ref    the monitor's reference, as returned by {@link Proc#monitor(Pid)}
 * @param pid    the monitored process
 * @param reason its exit reason; {@link ExitReason.NoProc} if it was not alive when monitored,
 *               {@link ExitReason.NoConnection} if its node was lost
 */
public record Down(Ref ref, Pid pid, ExitReason reason) {
}
