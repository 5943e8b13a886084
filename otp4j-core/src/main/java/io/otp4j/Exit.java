package io.otp4j;

/**
 * The message a process that traps exits receives in place of an exit signal: Erlang's
 * {@code {'EXIT', From, Reason}}. See {@link Proc#trapExit(boolean)}.
 *
 * @param from   the process the signal came from (a linked process that exited, or the caller of
 *               {@link Proc#exit(Pid, ExitReason)})
 * @param reason the signal's reason
 */
public record Exit(Pid from, ExitReason reason) {
}
