package io.otp4j.internal;

import io.otp4j.ExitReason;
import io.otp4j.Pid;

/**
 * Work that must happen when a process dies, before anybody hears of the death: resources the
 * process owns (ETS tables, open disk tables) are deleted or handed to an heir before its monitors
 * receive their {@code Down} and its links their exit signal, as in Erlang.
 *
 * <p>Runs on the thread that ends the process, with no process lock held, so it may monitor, watch
 * or hook other processes; it must not block for long.
 */
@FunctionalInterface
public interface ExitHook {
    void exiting(Pid pid, ExitReason reason);
}
