package io.otp4j.internal.gen;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.ProcessExit;
import io.otp4j.Ref;
import io.otp4j.behaviour.From;
import io.otp4j.internal.CallWaiter;
import io.otp4j.internal.NodeRuntime;
import io.otp4j.internal.ProcessImpl;
import io.otp4j.internal.timer.TimerService;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The one-shot reply slot of a call (ADR 0007): it is the call's {@link From}, it watches the
 * server's death ({@link CallWaiter}), and it holds the caller's timeout on the node's timer wheel.
 * The first of reply, death and timeout wins a single CAS on {@code outcome}; whatever comes after
 * is dropped. Replies therefore never reach the caller's mailbox, and a late reply after a timeout
 * or a death is simply lost, as in OTP with aliases.
 */
final class CallSlot extends From implements CallWaiter {
    static final Object NULL_REPLY = new Object();
    static final Object TIMED_OUT = new Object();
    private static final VarHandle OUTCOME;

    static {
        try {
            OUTCOME = MethodHandles.lookup().findVarHandle(CallSlot.class, "outcome", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A death, as an outcome. */
    record Died(ExitReason reason) {
    }

    private final ProcessImpl callerProcess;
    private final NodeRuntime node;
    private final Thread waiter;
    private volatile Object outcome;
    private Ref tag;
    private CallWaiter next;

    CallSlot(ProcessImpl callerProcess, NodeRuntime node) {
        this.callerProcess = callerProcess;
        this.node = node;
        this.waiter = Thread.currentThread();
    }

    // ------------------------------------------------------------------ From

    @Override
    public Pid caller() {
        return callerProcess != null ? callerProcess.pid : null;
    }

    @Override
    public synchronized Ref tag() {
        if (tag == null) tag = node.makeRef(null); // made only if asked for: most calls never are
        return tag;
    }

    @Override
    protected boolean deliver(Object reply) {
        return complete(reply == null ? NULL_REPLY : reply);
    }

    // ------------------------------------------------------------------ CallWaiter

    @Override
    public boolean isDone() {
        return outcome != null;
    }

    @Override
    public void processDown(ExitReason reason) {
        complete(new Died(reason));
    }

    @Override
    public CallWaiter nextWaiter() {
        return next;
    }

    @Override
    public void nextWaiter(CallWaiter n) {
        next = n;
    }

    // ------------------------------------------------------------------ waiting

    private boolean complete(Object o) {
        if (outcome == null && OUTCOME.compareAndSet(this, null, o)) {
            LockSupport.unpark(waiter);
            return true;
        }
        return false;
    }

    /** Abandons the call: anything that arrives afterwards is dropped. */
    boolean abandon() {
        return complete(TIMED_OUT);
    }

    /**
     * Waits for the outcome: a reply (unwrapped, null for a null reply), a {@link Died}, or
     * {@link #TIMED_OUT}.
     *
     * @param timeoutNanos negative: forever
     */
    Object await(long timeoutNanos) {
        Object o = outcome;
        if (o == null) {
            TimerService.Timer timer = timeoutNanos >= 0
                    ? node.timers().schedule(System.nanoTime() + timeoutNanos, this::abandon)
                    : null;
            while ((o = outcome) == null) {
                LockSupport.park(this);
                if (Thread.interrupted() && callerProcess != null && !callerProcess.isAlive()) {
                    abandon();
                    throw new ProcessExit(callerProcess.exitReason());
                }
            }
            if (timer != null) timer.cancel();
        }
        return o == NULL_REPLY ? null : o;
    }
}
