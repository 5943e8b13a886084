package io.otp4j.internal.timer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The node's timers: {@code send_after}, receive timeouts and call timeouts (ADR 0006).
 *
 * <p>A hashed timing wheel with a 1 ms tick driven by one platform thread, so that timers fire
 * even when every scheduler worker is busy with user code. Any thread adds a timer with one atomic
 * exchange (a lock-free inbox the timer thread drains each tick) and cancels it with one CAS; a timer
 * cancelled before the next tick (the common case for call and receive timeouts) never reaches the
 * wheel. When no timer is pending the thread parks indefinitely: timers cost nothing while unused.
 *
 * <p>A timer never fires before its deadline; it fires within about one tick after it, operating
 * system scheduling permitting.
 */
public final class TimerService {

    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int WHEEL_SIZE = 1024;
    private static final int WHEEL_MASK = WHEEL_SIZE - 1;

    private static final VarHandle INBOX;

    static {
        try {
            INBOX = MethodHandles.lookup().findVarHandle(TimerService.class, "inbox", Timer.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Treiber stack of timers added since the last drain (newest first). */
    @SuppressWarnings("unused")
    private volatile Timer inbox;
    private final Timer[] wheel = new Timer[WHEEL_SIZE]; // timer thread only: doubly linked buckets
    private final Timer cancelledSentinel = new Timer(0, null, null);
    /** Timers cancelled after they reached the wheel, for the timer thread to unlink. */
    private volatile Timer cancelled = cancelledSentinel;
    private static final VarHandle CANCELLED;

    static {
        try {
            CANCELLED = MethodHandles.lookup().findVarHandle(TimerService.class, "cancelled", Timer.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread thread;
    private final long origin = System.nanoTime();
    private long processedTick; // timer thread only: every tick < this has been processed
    private int live;           // timer thread only: timers in the wheel
    private volatile boolean sleeping;
    private volatile boolean stopped;

    public TimerService(String name) {
        this.processedTick = tickOf(System.nanoTime());
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this::loop);
        thread.setPriority(Thread.MAX_PRIORITY);
        thread.start();
    }

    private long tickOf(long nanos) {
        return (nanos - origin) / TICK_NANOS;
    }

    /**
     * Schedules {@code action} to run on the timer thread at {@code deadline} (System.nanoTime).
     * The action must be short and must not block: it wakes a process or enqueues a message.
     */
    public Timer schedule(long deadline, Runnable action) {
        Timer t = new Timer(deadline, action, this);
        Timer head;
        do {
            head = inbox;
            t.next = head;
        } while (!INBOX.compareAndSet(this, head, t));
        if (head == null && sleeping) {
            LockSupport.unpark(thread);
        }
        return t;
    }

    /** Called by {@link Timer#cancel()} for a timer already in the wheel. */
    void unlinkLater(Timer t) {
        Timer head;
        do {
            head = cancelled;
            t.nextCancelled = head;
        } while (!CANCELLED.compareAndSet(this, head, t));
    }

    private void loop() {
        while (!stopped) {
            drainInbox();
            drainCancelled();
            long now = System.nanoTime();
            long current = tickOf(now); // ticks strictly below this are over
            while (processedTick < current) {
                expire(processedTick);
                processedTick++;
            }
            if (live == 0 && inbox == null) {
                sleeping = true;
                if (inbox == null && !stopped) {
                    LockSupport.park(this);
                }
                sleeping = false;
                processedTick = Math.max(processedTick, tickOf(System.nanoTime()));
            } else {
                long nextTickAt = origin + (processedTick + 1) * TICK_NANOS;
                long wait = nextTickAt - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(this, wait);
                }
            }
        }
    }

    private void drainInbox() {
        Timer t = (Timer) INBOX.getAndSet(this, null);
        while (t != null) {
            Timer next = t.next;
            t.next = null;
            if (t.state == Timer.PENDING) {
                long tick = tickOf(t.deadline);
                // fire in the tick after the one containing the deadline: never early
                if (tick < processedTick) tick = processedTick;
                t.tick = tick;
                if (Timer.STATE.compareAndSet(t, Timer.PENDING, Timer.IN_WHEEL)) {
                    insert(t);
                }
            }
            t = next;
        }
    }

    private void drainCancelled() {
        Timer t = (Timer) CANCELLED.getAndSet(this, cancelledSentinel);
        while (t != cancelledSentinel && t != null) {
            Timer next = t.nextCancelled;
            t.nextCancelled = null;
            if (t.linked) unlink(t);
            t = next;
        }
    }

    private void insert(Timer t) {
        int b = (int) (t.tick & WHEEL_MASK);
        Timer first = wheel[b];
        t.next = first;
        t.prev = null;
        if (first != null) first.prev = t;
        wheel[b] = t;
        t.linked = true;
        live++;
    }

    private void unlink(Timer t) {
        int b = (int) (t.tick & WHEEL_MASK);
        if (t.prev != null) t.prev.next = t.next;
        else wheel[b] = t.next;
        if (t.next != null) t.next.prev = t.prev;
        t.next = t.prev = null;
        t.linked = false;
        live--;
    }

    private void expire(long tick) {
        int b = (int) (tick & WHEEL_MASK);
        Timer t = wheel[b];
        while (t != null) {
            Timer next = t.next;
            if (t.tick <= tick) {
                unlink(t);
                if (Timer.STATE.compareAndSet(t, Timer.IN_WHEEL, Timer.FIRED)) {
                    try {
                        t.action.run();
                    } catch (Throwable e) {
                        System.getLogger("io.otp4j.timer").log(System.Logger.Level.ERROR, "timer action failed", e);
                    }
                }
            }
            t = next;
        }
    }

    public void stop() {
        stopped = true;
        LockSupport.unpark(thread);
    }

    /** A scheduled action; cancel it at most once, read it any time. */
    public static final class Timer {
        static final int PENDING = 0;
        static final int IN_WHEEL = 1;
        static final int FIRED = 2;
        static final int CANCELLED = 3;
        static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Timer.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final long deadline;
        final Runnable action;
        volatile int state;
        // timer-thread-owned links
        Timer next;
        Timer prev;
        long tick;
        boolean linked;
        Timer nextCancelled;
        final TimerService owner;

        Timer(long deadline, Runnable action, TimerService owner) {
            this.deadline = deadline;
            this.action = action;
            this.owner = owner;
        }

        public long deadline() {
            return deadline;
        }

        /**
         * Cancels the timer.
         *
         * @return true if it was pending and will now never fire; false if it had fired or was
         *         already cancelled
         */
        public boolean cancel() {
            for (;;) {
                int s = state;
                if (s == FIRED || s == CANCELLED) return false;
                if (STATE.compareAndSet(this, s, CANCELLED)) {
                    if (s == IN_WHEEL && owner != null) owner.unlinkLater(this);
                    return true;
                }
            }
        }

        /** True until the timer fires or is cancelled. */
        public boolean isPending() {
            int s = state;
            return s == PENDING || s == IN_WHEEL;
        }
    }
}
