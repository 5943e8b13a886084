package io.otp4j.internal;

import io.otp4j.ExitReason;
import io.otp4j.Matcher;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.ProcessExit;
import io.otp4j.Ref;
import io.otp4j.internal.timer.TimerService;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.function.Predicate;
import java.util.concurrent.locks.LockSupport;

/**
 * A process: its identity, its mailbox, and the state that links, monitors and exit signals share.
 *
 * <h2>Mailbox (ADR 0002)</h2>
 * A singly linked chain of {@link Envelope}s, appended to by any thread with one atomic exchange on
 * {@code tail} (Vyukov's MPSC queue) and read by the process alone from {@code head}, a dummy node.
 * Selective receive walks the chain in place: a message that does not match stays where it is, so
 * order is kept for later receives without copying; a matching message is unlinked (or, when it is
 * the last node, which producers may still link to, turned into a tombstone that later scans
 * remove). The process object itself is the chain's first dummy node, which saves an allocation per
 * process.
 *
 * <p>A receive that waits for a reply to a fresh reference starts at a marker recorded when the
 * reference was made (the tail at that moment), so it never re-examines older messages: OTP's
 * receive optimisation, keeping a call O(1) however long the mailbox is.
 *
 * <h2>Parking</h2>
 * The owner announces {@code WAITING} (volatile store) and re-reads {@code tail}; a producer swaps
 * {@code tail} (a full fence) and then reads {@code state}. One of the two sees the other, so a
 * wake-up is never lost (Dekker). Whoever flips {@code WAITING} to {@code RUNNING} by CAS unparks.
 *
 * <h2>Death</h2>
 * {@code exitReason} becomes non-null exactly once, under the process's monitor, and from then on
 * the process is dead for everybody: sends are dropped, its name is free, monitors have fired. If the
 * process's own thread is still running (it was killed from outside), it unwinds at its next otp4j
 * call by throwing {@link ProcessExit}.
 */
public final class ProcessImpl extends Envelope implements Runnable, Thread.UncaughtExceptionHandler {

    static final int RUNNING = 0;
    static final int WAITING = 1;
    /** No thread: the next message starts one that runs {@code body} (Erlang's hibernate). */
    static final int HIBERNATED = 2;

    static final int TRAP_EXIT = 1;
    static final int SYSTEM = 2;

    /** Returned by receive when the timeout expired without a match. */
    public static final Object TIMEOUT = new Object();
    /** An unlinked-in-place message: a tombstone at the end of the chain. */
    private static final Object TOMB = new Object();

    private static final VarHandle TAIL;
    private static final VarHandle STATE;
    static final VarHandle WAITERS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(ProcessImpl.class, "tail", Envelope.class);
            STATE = l.findVarHandle(ProcessImpl.class, "state", int.class);
            WAITERS = l.findVarHandle(ProcessImpl.class, "waiters", CallWaiter.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final NodeRuntime node;
    public final Pid pid;
    volatile Thread thread;

    /** Owner only: the dummy node before the first message. */
    private Envelope head;
    private volatile Envelope tail;
    private volatile int state;

    /** Null while alive; set once, under this monitor. */
    volatile ExitReason exitReason;
    /** Guarded by this (read racily by process_info). */
    int flags;
    /** Owner-written work counter (sends, receives, spawns), read racily by process_info. */
    int reductions;
    /** Links, monitors and name: guarded by this; null until first used, never reset. */
    volatile Extras ext;
    /** Calls waiting on this process: a lock-free stack, {@link NodeRuntime#DEAD_WAITERS} once dead. */
    volatile CallWaiter waiters;

    ProcessImpl(NodeRuntime node, Pid pid, Proc.Body body, int flags) {
        this.node = node;
        this.pid = pid;
        // What the next thread of this process runs (its code, or a hibernation's continuation)
        // is kept in msg: the process object is its mailbox's first dummy node, and a dummy's msg
        // is never read as a message. One field less in every process.
        this.msg = body;
        this.flags = flags;
        this.head = this;
        this.tail = this;
    }

    /** The process running on the current thread, or null. */
    public static ProcessImpl current() {
        return Thread.currentThread().getUncaughtExceptionHandler() instanceof ProcessImpl p ? p : null;
    }

    public NodeRuntime node() {
        return node;
    }

    // ------------------------------------------------------------------ life

    @Override
    public void run() {
        ExitReason reason;
        boolean reported = false;
        for (;;) {
            Proc.Body b = (Proc.Body) msg;
            msg = null;
            if (exitReason != null) {
                return; // killed before it ran, or while hibernating
            }
            try {
                b.run();
                reason = ExitReason.NORMAL;
            } catch (HibernateSignal h) {
                msg = h.then;
                if (enterHibernation()) {
                    return; // this thread ends; the next message starts another
                }
                continue; // a message is already there: go on at once
            } catch (ProcessExit e) {
                reason = e.reason();
                reported = e instanceof ReportedExit;
            } catch (Throwable t) {
                reason = new ExitReason.Crash(t);
            }
            break;
        }
        node.processEnded(this, reason, reported);
    }

    /** Unwinds a process's stack down to {@link #run} on its way into hibernation. */
    public static final class HibernateSignal extends Error {
        final Proc.Body then;

        HibernateSignal(Proc.Body then) {
            super(null, null, false, false);
            this.then = then;
        }
    }

    /**
     * Gives up the thread if the mailbox is empty (same Dekker handshake as parking: a producer
     * that swaps {@code tail} afterwards sees {@code HIBERNATED} and starts a new thread).
     *
     * @return true if hibernated; false if a message (or an exit) is already there
     */
    private boolean enterHibernation() {
        Extras x0 = ext;
        if (x0 != null) x0.marker = null;
        Envelope h = head;
        thread = null;
        STATE.setVolatile(this, HIBERNATED);
        if (tail != h || h.next != null || exitReason != null) {
            if (STATE.compareAndSet(this, HIBERNATED, RUNNING)) {
                thread = Thread.currentThread();
                return false;
            }
            // a producer won the race and is starting a new thread: let this one end
        }
        return true;
    }

    @Override
    public void uncaughtException(Thread t, Throwable e) {
        System.getLogger("io.otp4j").log(System.Logger.Level.ERROR, "uncaught in " + pid, e);
    }

    /** An exit whose report the behaviour has already made (with its state and last message). */
    public static final class ReportedExit extends ProcessExit {
        public ReportedExit(ExitReason reason) {
            super(reason, true);
        }
    }

    /** The work counter (owner-written; a racy snapshot for other threads). */
    public int reductions() {
        return reductions;
    }

    /** The behaviour running in this process (its loop's context), or null: for sys and introspection. */
    public Object behaviour() {
        Extras x = ext;
        return x != null ? x.behaviour : null;
    }

    /** Owner only. */
    public void behaviour(Object b) {
        extOrCreate().behaviour = b;
    }


    public boolean isAlive() {
        return exitReason == null;
    }

    /** The exit reason once dead, else null. */
    public ExitReason exitReason() {
        return exitReason;
    }

    /** Throws if this process is dead: every otp4j call a process makes passes here. */
    public void checkAlive() {
        ExitReason r = exitReason;
        if (r != null) {
            throw new ProcessExit(r);
        }
    }

    boolean trapsExits() {
        return (flags & TRAP_EXIT) != 0;
    }

    /** Called by whoever killed this process from outside: get its thread to unwind. */
    void wakeToDie() {
        if (state == WAITING && STATE.compareAndSet(this, WAITING, RUNNING)) {
            LockSupport.unpark(thread);
        } else {
            Thread t = thread;
            if (t != null && t != Thread.currentThread()) {
                t.interrupt(); // blocking IO, sleep, lock waits
            }
        }
    }

    // ------------------------------------------------------------------ sending

    /** Appends a message. Any thread. A dead process drops it. */
    void deliver(Object msg) {
        if (exitReason != null) {
            return;
        }
        Envelope e = new Envelope(msg);
        Envelope prev = (Envelope) TAIL.getAndSet(this, e);
        int s = state; // ordered after the exchange, which is a full fence
        Envelope.NEXT.setRelease(prev, e);
        if (s == WAITING && STATE.compareAndSet(this, WAITING, RUNNING)) {
            LockSupport.unpark(thread);
        } else if (s == HIBERNATED && STATE.compareAndSet(this, HIBERNATED, RUNNING)) {
            node.wakeHibernated(this);
        }
    }

    /** Wakes the process if it waits in receive (timer expiry). */
    void timeoutWake() {
        if (state == WAITING && STATE.compareAndSet(this, WAITING, RUNNING)) {
            LockSupport.unpark(thread);
        }
    }

    // ------------------------------------------------------------------ receiving (owner only)

    /** Records the mailbox's current end for a reference just made (the receive marker). */
    void mark(Ref ref) {
        extOrCreate().marker = new Marker(ref, tail);
    }

    /**
     * Receives the first message {@code matcher} takes (any message if null). One method, parking
     * included, so that a parked process's stack holds as few frames as possible (ADR 0003: every
     * frame is memory in each of a million parked processes).
     *
     * @param timeoutNanos 0: do not wait; negative: wait forever
     * @param since        if the latest reference made by this process, start after its marker
     * @return the matcher's result, or {@link #TIMEOUT}
     */
    public Object receive(Matcher<?> matcher, long timeoutNanos, Ref since) {
        checkAlive();
        Envelope pred = head;
        Extras x = ext;
        if (x != null && x.marker != null) {
            Marker mk = x.marker;
            x.marker = null;
            if (since != null && mk.ref == since) {
                pred = mk.at;
            }
        }
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0L;
        for (;;) {
            Envelope n = pred.next;
            if (n != null) {
                Object m = n.msg;
                if (m == TOMB) {
                    pred = dropTomb(pred, n);
                    continue;
                }
                Object r = matcher == null ? m : matcher.match(m);
                if (r == null) {
                    pred = n;
                    continue;
                }
                remove(pred, n);
                if ((++reductions & node.budgetMask) == 0) {
                    node.budgetSpent(this);
                }
                return r;
            }
            if (timeoutNanos == 0 || !(timeoutNanos < 0 ? park(pred) : parkUntil(pred, deadline))) {
                return TIMEOUT;
            }
        }
    }

    /**
     * The plain {@code receive()}: the oldest message, waiting as long as it takes. The common case
     * (every server loop waits here) gets a method of its own with almost nothing live across the
     * park, so that a parked process's stack chunk stays small.
     */
    public Object receiveAny() {
        checkAlive();
        Extras x = ext;
        if (x != null) x.marker = null;
        for (;;) {
            Envelope h = head;
            Envelope n = h.next;
            if (n == null) {
                // park, inline (one frame less on a parked process's stack than calling park())
                STATE.setVolatile(this, WAITING);
                if (tail == h && exitReason == null) {
                    do {
                        LockSupport.park(this);
                    } while (state == WAITING && !(Thread.interrupted() && exitReason != null));
                }
                STATE.compareAndSet(this, WAITING, RUNNING);
                checkAlive();
            } else if (n.msg == TOMB) {
                dropTomb(h, n);
            } else {
                Object m = n.msg;
                advanceHead(n);
                if ((++reductions & node.budgetMask) == 0) {
                    node.budgetSpent(this);
                }
                return m;
            }
        }
    }

    /**
     * Parks until something follows {@code pred} or the process is killed. Kept small: its frame,
     * and the caller's, are what a parked process's stack chunk holds.
     */
    private boolean park(Envelope pred) {
        STATE.setVolatile(this, WAITING); // Dekker with deliver(): WAITING, then re-read tail
        if (tail == pred && exitReason == null) {
            do {
                LockSupport.park(this);
            } while (state == WAITING && !(Thread.interrupted() && exitReason != null));
        }
        STATE.compareAndSet(this, WAITING, RUNNING);
        checkAlive();
        if (pred.next == null) {
            Thread.onSpinWait(); // a producer may be between its exchange and its link
        }
        return true;
    }

    /**
     * As {@link #park}, with a deadline; false once it has passed with nothing new. The timer is
     * armed only after the process is marked WAITING: armed before, it could fire in between, find
     * the process not yet waiting, and leave it parked past its deadline.
     */
    private boolean parkUntil(Envelope pred, long deadline) {
        if (System.nanoTime() - deadline >= 0) {
            return false;
        }
        STATE.setVolatile(this, WAITING); // Dekker with deliver() and timeoutWake()
        if (tail == pred && exitReason == null) {
            TimerService.Timer timer = node.timers.schedule(deadline, this::timeoutWake);
            try {
                do {
                    LockSupport.park(this);
                } while (state == WAITING && !(Thread.interrupted() && exitReason != null));
            } finally {
                timer.cancel();
            }
        }
        STATE.compareAndSet(this, WAITING, RUNNING);
        checkAlive();
        if (pred.next == null) {
            Thread.onSpinWait(); // a producer may be between its exchange and its link
        }
        return pred.next != null || tail != pred || System.nanoTime() - deadline < 0;
    }

    /** Removes every message {@code which} accepts (demonitor with flush). */
    void removeMessages(Predicate<Object> which) {
        Extras x0 = ext;
        if (x0 != null) x0.marker = null;
        Envelope pred = head;
        for (Envelope n = pred.next; n != null; n = pred.next) {
            Object m = n.msg;
            if (m == TOMB) {
                pred = dropTomb(pred, n);
            } else if (which.test(m)) {
                remove(pred, n);
                if (head == n) pred = n; // n became the dummy; otherwise pred still precedes the rest
            } else {
                pred = n;
            }
        }
    }

    private void remove(Envelope pred, Envelope n) {
        if (pred == head) {
            advanceHead(n);
        } else {
            Envelope after = n.next;
            if (after != null) {
                Envelope.NEXT.set(pred, after); // pred is not the tail: no producer writes it
            } else {
                n.msg = TOMB; // n may be the tail: leave it in place
            }
        }
    }

    private Envelope dropTomb(Envelope pred, Envelope n) {
        if (pred == head) {
            advanceHead(n);
            return n;
        }
        Envelope after = n.next;
        if (after != null) {
            Envelope.NEXT.set(pred, after);
            return pred;
        }
        return n;
    }

    private void advanceHead(Envelope n) {
        Envelope old = head;
        head = n;
        n.msg = null;
        Envelope.NEXT.set(old, old); // self-link the dropped node: helps the GC, tells walkers to restart
    }


    /** Messages in the mailbox (any thread; exact for the owner, a snapshot for others). */
    int messageQueueLength() {
        for (int attempt = 0; attempt < 8; attempt++) {
            int count = 0;
            boolean restart = false;
            Envelope e = head;
            Envelope n = e.next;
            while (n != null) {
                if (n == e) {
                    restart = true; // e was dropped while we walked
                    break;
                }
                Object m = n.msg;
                if (m != null && m != TOMB) count++;
                e = n;
                n = e.next;
            }
            if (!restart) return count;
        }
        return -1;
    }

    /** Snapshot of the mailbox's messages, oldest first (owner, or tests on a quiescent process). */
    java.util.List<Object> messages() {
        java.util.ArrayList<Object> out = new java.util.ArrayList<>();
        Envelope e = head;
        for (Envelope n = e.next; n != null && n != e; e = n, n = e.next) {
            Object m = n.msg;
            if (m != null && m != TOMB) out.add(m);
        }
        return out;
    }

    boolean isWaiting() {
        int s = state;
        return s == WAITING || s == HIBERNATED;
    }

    boolean isHibernating() {
        return state == HIBERNATED;
    }

    // ------------------------------------------------------------------ links, monitors, name

    /**
     * Guarded by this process's monitor, except {@code monitors}, which the processes this one
     * monitors update without that lock when they die (so a watcher of many processes is not a point
     * of contention). Once the process is dead the collections are detached (null).
     */
    static final class Extras {
        HashSet<Pid> links;
        /** Monitors this process holds: ref -> monitored process. */
        volatile java.util.concurrent.ConcurrentHashMap<Ref, Pid> monitors;
        /** Monitors held on this process: ref -> watcher (a Pid or a {@link DownListener}). */
        HashMap<Ref, Object> monitoredBy;
        String name;
        /** Owner only: where the mailbox ended when the latest reference was made. */
        Marker marker;
        /** The behaviour running in this process, for sys and introspection. */
        Object behaviour;
        /** Run when the process dies, before its monitors and links hear of it. */
        ArrayList<ExitHook> exitHooks;

        HashSet<Pid> links() {
            return links != null ? links : (links = new HashSet<>(4));
        }

        java.util.concurrent.ConcurrentHashMap<Ref, Pid> monitors() {
            java.util.concurrent.ConcurrentHashMap<Ref, Pid> m = monitors;
            return m != null ? m : (monitors = new java.util.concurrent.ConcurrentHashMap<>(4));
        }

        HashMap<Ref, Object> monitoredBy() {
            return monitoredBy != null ? monitoredBy : (monitoredBy = new HashMap<>(4));
        }
    }

    /** Guarded by this. */
    Extras ext() {
        return ext != null ? ext : (ext = new Extras());
    }

    /** The extras, made under the lock if need be (for the owner's own fields). */
    Extras extOrCreate() {
        Extras x = ext;
        if (x != null) return x;
        synchronized (this) {
            return ext();
        }
    }

    private record Marker(Ref ref, Envelope at) {
    }

    @Override
    public String toString() {
        return pid.toString();
    }
}
