package io.otp4j.internal;

import io.otp4j.ExitReason;

/**
 * Something waiting for a process to answer (a call, a start acknowledgement), watching that
 * process's death. Waiters are pushed on a lock-free stack in the process ({@link NodeRuntime#watchCall});
 * when the process dies the whole stack is detached and each waiter that is not done yet gets the
 * exit reason. This is the monitor half of a call: one CAS, no lock on the server, so that a hundred
 * concurrent callers do not contend on it (ADR 0007).
 *
 * <p>Done waiters stay in the stack until the server's owner prunes them
 * ({@link NodeRuntime#pruneCallWaiters}), which the generic server loop does every few hundred
 * messages.
 */
public interface CallWaiter {

    /** True once this waiter no longer needs to hear of the process's death. */
    boolean isDone();

    /** The watched process died (or was not alive when watched). */
    void processDown(ExitReason reason);

    /** The stack link (written before the CAS that publishes this waiter). */
    CallWaiter nextWaiter();

    void nextWaiter(CallWaiter next);
}
