package io.otp4j.internal.sched;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The carrier scheduler of otp4j's virtual threads (ADR 0001, ADR 0004).
 *
 * <p>The JDK runs a virtual thread by handing its continuation to an {@link Executor}; this is that
 * executor. Its design follows Go's runtime scheduler, which solves the same problem (many
 * lightweight threads handing work to each other on a few carriers):
 * <ul>
 *   <li>Each worker has a <em>runnext</em> slot: a process woken by a process running on this worker
 *       runs next on the same worker, so a send followed by a receive (ping-pong, a ring, a call)
 *       hands the core over without crossing to another CPU and without waking anybody.</li>
 *   <li>Each worker has a bounded local FIFO queue (owner pushes, anyone steals half); overflow and
 *       submissions from outside the pool go to a global queue, polled every 61 tasks for fairness.</li>
 *   <li>An idle worker spins for a short while looking for work before it parks; while one worker
 *       spins, waking tasks do not signal the operating system, which is what makes hand-offs cheap.
 *       A task that waits in another worker's runnext while that worker stays busy is stolen.</li>
 *   <li>A monitor thread ({@code sysmon}) notices a worker stuck on one task (CPU-bound code or a
 *       blocking call) while work is waiting, and starts an extra worker so that the waiting
 *       processes run; extra workers retire when idle. The JVM cannot preempt a virtual thread, so
 *       this is the remedy for code that never yields.</li>
 * </ul>
 *
 * <p>Memory-order conventions follow JCTools: {@code plain} for owner-only fields, {@code release}
 * to publish, {@code volatile}/CAS where two sides must agree.
 */
public final class ProcessScheduler implements Executor {

    /** Thread.currentCarrierThread(), reachable when java.lang is opened to otp4j. */
    private static final MethodHandle CURRENT_CARRIER;

    static {
        MethodHandle mh = null;
        try {
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup());
            mh = l.findStatic(Thread.class, "currentCarrierThread", java.lang.invoke.MethodType.methodType(Thread.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            mh = null;
        }
        CURRENT_CARRIER = mh;
    }

    static boolean carrierLookupAvailable() {
        return CURRENT_CARRIER != null;
    }

    private static Thread currentCarrier() {
        try {
            return (Thread) CURRENT_CARRIER.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** How long an idle worker looks for work before it parks. */
    private static final long SPIN_NANOS = Long.getLong("otp4j.sched.spinMicros", 50) * 1000;
    /** How long a task may sit in a busy worker's runnext before an idle worker steals it. */
    private static final long RUNNEXT_STEAL_NANOS = 5_000;
    /** How long a worker may run one task, while others wait, before sysmon adds a worker. */
    private static final long STUCK_NANOS = Long.getLong("otp4j.sched.stuckMillis", 10) * 1_000_000;
    private static final int MAX_WORKERS = Integer.getInteger("otp4j.sched.maxWorkers", 256);
    private static final int RUNNEXT_STREAK = 64;

    final String name;
    final int parallelism;
    private volatile Worker[] workers;
    private final ConcurrentLinkedQueue<Runnable> global = new ConcurrentLinkedQueue<>();
    private final AtomicInteger spinning = new AtomicInteger();
    private final Object idleLock = new Object();
    private final ArrayList<Worker> idle = new ArrayList<>();
    private volatile int idleCount;
    private final AtomicInteger workerSeq = new AtomicInteger();
    private final Thread sysmon;
    private volatile boolean sysmonSleeping;
    private volatile boolean shutdown;
    private final java.util.concurrent.atomic.LongAdder compensations = new java.util.concurrent.atomic.LongAdder();

    public ProcessScheduler(String name, int parallelism) {
        if (CURRENT_CARRIER == null) {
            throw new IllegalStateException("java.lang is not open to otp4j: the JDK scheduler must be used");
        }
        this.name = name;
        this.parallelism = parallelism;
        Worker[] ws = new Worker[parallelism];
        for (int i = 0; i < parallelism; i++) {
            ws[i] = new Worker(this, false);
        }
        this.workers = ws;
        for (Worker w : ws) {
            w.start();
        }
        this.sysmon = Thread.ofPlatform().daemon().name(name + "-sysmon").unstarted(this::sysmonLoop);
        sysmon.setPriority(Thread.MAX_PRIORITY);
        sysmon.start();
    }

    /** The worker this call runs on, or null when called from outside this pool. */
    private Worker currentWorker() {
        Thread t = Thread.currentThread();
        if (t.isVirtual()) {
            t = currentCarrier();
        }
        return t instanceof Worker w && w.scheduler == this ? w : null;
    }

    @Override
    public void execute(Runnable task) {
        if (shutdown) {
            // a stopped node's last processes unwind on the common pool
            java.util.concurrent.ForkJoinPool.commonPool().execute(task);
            return;
        }
        Worker w = currentWorker();
        if (w != null) {
            if (w.yielding) {
                // Thread.yield from a process on this worker: to the back of the line.
                w.yielding = false;
                w.pushLocal(task);
            } else {
                Runnable previous = w.swapRunnext(task);
                if (previous != null) {
                    w.pushLocal(previous);
                }
            }
        } else {
            global.offer(task);
        }
        wake();
    }

    /**
     * Marks the current worker so that the next task it is given (the yielding virtual thread) goes
     * to the back of its queue rather than into runnext. Called by a process just before
     * {@link Thread#yield()}; returns false when the current thread is not carried by this pool.
     */
    public boolean prepareYield() {
        Worker w = currentWorker();
        if (w == null) return false;
        w.yielding = true;
        return true;
    }

    /** True when some task waits in a queue of this pool (used to skip pointless yields). */
    public boolean hasQueuedWork() {
        if (!global.isEmpty()) return true;
        for (Worker w : workers) {
            if (w.localSize() > 0 || w.runnext != null) return true;
        }
        return false;
    }

    /** Wakes an idle worker, unless one is already spinning for work (Go's wakep). */
    private void wake() {
        if (idleCount == 0 || spinning.get() != 0 || !spinning.compareAndSet(0, 1)) {
            return;
        }
        Worker w;
        synchronized (idleLock) {
            w = idle.isEmpty() ? null : idle.removeLast();
            idleCount = idle.size();
        }
        if (w == null) {
            spinning.decrementAndGet();
            return;
        }
        w.woken = true; // counted as spinning on its behalf
        LockSupport.unpark(w);
    }

    private boolean removeIdle(Worker w) {
        synchronized (idleLock) {
            boolean removed = idle.remove(w);
            idleCount = idle.size();
            return removed;
        }
    }

    private void pushIdle(Worker w) {
        synchronized (idleLock) {
            idle.add(w);
            idleCount = idle.size(); // volatile write: submitters that enqueue after this see us idle
        }
    }

    private Runnable pollGlobal(Worker into) {
        Runnable first = global.poll();
        if (first == null) return null;
        // take a small batch so that an overflowing global queue is drained in bulk
        int room = Math.min(Worker.CAPACITY / 2 - into.localSize(), 32);
        for (int i = 0; i < room; i++) {
            Runnable r = global.poll();
            if (r == null) break;
            into.pushLocal(r);
        }
        return first;
    }

    private void sysmonLoop() {
        Worker[] seen = new Worker[0];
        long[] seenTick = new long[0];
        int quietRounds = 0;
        while (!shutdown) {
            LockSupport.parkNanos(this, STUCK_NANOS);
            Worker[] ws = workers;
            if (seen.length != ws.length || seen != ws) {
                long[] t = new long[ws.length];
                for (int i = 0; i < ws.length; i++) {
                    t[i] = -1;
                    for (int j = 0; j < seen.length; j++) {
                        if (seen[j] == ws[i]) t[i] = seenTick[j];
                    }
                }
                seen = ws;
                seenTick = t;
            }
            int busy = 0;
            int stuck = 0;
            for (int i = 0; i < ws.length; i++) {
                Worker w = ws[i];
                long tick = w.runTick;
                if (w.running) {
                    busy++;
                    if (tick == seenTick[i]) stuck++;
                }
                seenTick[i] = tick;
            }
            if (stuck > 0 && hasQueuedWork()) {
                if (idleCount > 0) {
                    wake(); // an idle worker will steal what waits behind the stuck one
                } else if (busy - stuck < parallelism && ws.length < MAX_WORKERS && spinning.get() == 0) {
                    addWorker();
                }
            }
            if (busy == 0) {
                if (++quietRounds >= 100) {
                    // nothing ran for a while: sleep until a worker wakes up
                    sysmonSleeping = true;
                    if (idleCount == ws.length) {
                        LockSupport.park(this);
                    }
                    sysmonSleeping = false;
                    quietRounds = 0;
                }
            } else {
                quietRounds = 0;
            }
        }
    }

    private void addWorker() {
        Worker w = new Worker(this, true);
        synchronized (idleLock) {
            Worker[] ws = workers;
            Worker[] next = java.util.Arrays.copyOf(ws, ws.length + 1);
            next[ws.length] = w;
            workers = next;
        }
        compensations.increment();
        w.start();
    }

    private void retire(Worker w) {
        synchronized (idleLock) {
            Worker[] ws = workers;
            List<Worker> keep = new ArrayList<>(ws.length);
            for (Worker x : ws) {
                if (x != w) keep.add(x);
            }
            workers = keep.toArray(new Worker[0]);
        }
    }

    /** Number of workers currently in the pool, including extra ones added for stuck workers. */
    public int workerCount() {
        return workers.length;
    }

    /** How many extra workers sysmon has started since the pool was made. */
    public long compensations() {
        return compensations.sum();
    }

    public void shutdown() {
        shutdown = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
        LockSupport.unpark(sysmon);
    }

    /** A carrier thread of this pool. */
    static final class Worker extends Thread {
        static final int CAPACITY = 256;
        private static final int MASK = CAPACITY - 1;
        private static final VarHandle RUNNEXT;
        private static final VarHandle HEAD;
        private static final VarHandle TAIL;
        private static final VarHandle RUNNING;
        private static final VarHandle RUN_TICK;
        private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Runnable[].class);

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                RUNNEXT = l.findVarHandle(Worker.class, "runnext", Runnable.class);
                HEAD = l.findVarHandle(Worker.class, "head", int.class);
                TAIL = l.findVarHandle(Worker.class, "tail", int.class);
                RUNNING = l.findVarHandle(Worker.class, "running", boolean.class);
                RUN_TICK = l.findVarHandle(Worker.class, "runTick", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final ProcessScheduler scheduler;
        final boolean extra;
        private final Runnable[] queue = new Runnable[CAPACITY];
        /** Consumers (owner and thieves) CAS it. */
        private volatile int head;
        /** Written by the owner only (release), read by thieves (acquire). */
        private volatile int tail;
        volatile Runnable runnext;
        /** Set by a process about to Thread.yield on this carrier; read by execute on the same carrier. */
        boolean yielding;
        /** Set by a waker before unpark: this worker was counted as spinning on its behalf. */
        volatile boolean woken;
        /** Owner-written, read by sysmon: is a task running, and how many have started. */
        volatile boolean running;
        volatile long runTick;
        private int streak;
        private int tick;
        private boolean spinningNow;

        Worker(ProcessScheduler s, boolean extra) {
            super(null, null, s.name + "-" + s.workerSeq.getAndIncrement(), 0, false);
            this.scheduler = s;
            this.extra = extra;
            setDaemon(true);
        }

        Runnable swapRunnext(Runnable r) {
            return (Runnable) RUNNEXT.getAndSet(this, r);
        }

        int localSize() {
            return tail - head;
        }

        /** Owner only. */
        void pushLocal(Runnable r) {
            for (;;) {
                int h = (int) HEAD.getAcquire(this);
                int t = tail;
                if (t - h < CAPACITY) {
                    SLOT.set(queue, t & MASK, r);
                    TAIL.setRelease(this, t + 1);
                    return;
                }
                if (overflow(r, h, t)) {
                    return;
                }
            }
        }

        /** Moves half the local queue and r to the global queue. */
        private boolean overflow(Runnable r, int h, int t) {
            int n = (t - h) / 2;
            Runnable[] batch = new Runnable[n];
            for (int i = 0; i < n; i++) {
                batch[i] = (Runnable) SLOT.get(queue, (h + i) & MASK);
            }
            if (!HEAD.compareAndSet(this, h, h + n)) {
                return false; // a thief took some: room now, retry the fast path
            }
            for (Runnable b : batch) {
                scheduler.global.offer(b);
            }
            scheduler.global.offer(r);
            return true;
        }

        /** Owner only. */
        Runnable popLocal() {
            for (;;) {
                int h = (int) HEAD.getAcquire(this);
                if (h == tail) return null;
                Runnable r = (Runnable) SLOT.get(queue, h & MASK);
                if (HEAD.compareAndSet(this, h, h + 1)) return r;
            }
        }

        /** Thief: takes half of this worker's queue into {@code into}'s queue, returns one task. */
        Runnable stealInto(Worker into) {
            for (;;) {
                int h = (int) HEAD.getAcquire(this);
                int t = (int) TAIL.getAcquire(this);
                int n = t - h;
                if (n <= 0) return null;
                n = n - n / 2;
                if (n > CAPACITY / 2) n = CAPACITY / 2;
                Runnable first = (Runnable) SLOT.get(queue, h & MASK);
                // copy the rest into the thief's queue slots before claiming them
                int it = into.tail;
                for (int i = 1; i < n; i++) {
                    SLOT.set(into.queue, (it + i - 1) & MASK, SLOT.get(queue, (h + i) & MASK));
                }
                if (HEAD.compareAndSet(this, h, h + n)) {
                    if (n > 1) TAIL.setRelease(into, it + n - 1);
                    return first;
                }
            }
        }

        private Runnable nextTask() {
            if ((++tick % 61) == 0) {
                Runnable g = scheduler.pollGlobal(this);
                if (g != null) return g;
            }
            Runnable r = runnext;
            if (r != null && streak < RUNNEXT_STREAK && RUNNEXT.compareAndSet(this, r, null)) {
                streak++;
                return r;
            }
            streak = 0;
            r = popLocal();
            if (r != null) return r;
            r = runnext;
            if (r != null && RUNNEXT.compareAndSet(this, r, null)) return r;
            return scheduler.pollGlobal(this);
        }

        @Override
        public void run() {
            ProcessScheduler s = scheduler;
            for (;;) {
                Runnable task = nextTask();
                if (task == null) {
                    task = idle();
                    if (task == null) return; // retired or shut down
                }
                RUN_TICK.setOpaque(this, runTick + 1); // sysmon reads these racily: no fence needed
                RUNNING.setOpaque(this, true);
                try {
                    task.run();
                } catch (Throwable t) {
                    // runContinuation handles process failures itself; anything here is a runtime bug
                    System.getLogger("io.otp4j.scheduler").log(System.Logger.Level.ERROR,
                            "scheduler task failed on " + getName(), t);
                }
                RUNNING.setOpaque(this, false);
                if (s.shutdown) {
                    handOffAll();
                    return;
                }
            }
        }

        /** On shutdown: whatever is queued here runs on the common pool instead. */
        void handOffAll() {
            Runnable r;
            while ((r = popLocal()) != null) java.util.concurrent.ForkJoinPool.commonPool().execute(r);
            r = (Runnable) RUNNEXT.getAndSet(this, null);
            if (r != null) java.util.concurrent.ForkJoinPool.commonPool().execute(r);
            while ((r = scheduler.global.poll()) != null) java.util.concurrent.ForkJoinPool.commonPool().execute(r);
        }

        /** Looks for work in other workers and the global queue; returns null if none. */
        private Runnable stealOnce(boolean takeRunnext, long now) {
            Runnable r = scheduler.pollGlobal(this);
            if (r != null) return r;
            Worker[] ws = scheduler.workers;
            int n = ws.length;
            int start = (int) ((now >>> 4) % n);
            for (int k = 0; k < n; k++) {
                Worker o = ws[(start + k) % n];
                if (o == this) continue;
                r = o.stealInto(this);
                if (r != null) return r;
                if (takeRunnext) {
                    Runnable nx = o.runnext;
                    if (nx == null || !o.running) continue;
                    long tick = o.runTick;
                    if (o.runnextSeen != nx || o.runnextSeenTick != tick) {
                        // first sighting of this (task, running task) pair: note it, steal later
                        o.runnextSeen = nx;
                        o.runnextSeenTick = tick;
                        o.runnextSeenAt = now;
                    } else if (now - o.runnextSeenAt > RUNNEXT_STEAL_NANOS && RUNNEXT.compareAndSet(o, nx, null)) {
                        // it has waited behind the same running task too long: that task is busy
                        return nx;
                    }
                }
            }
            return null;
        }

        // Observations of this worker's runnext by thieves (benign races: a stale view only delays a steal).
        Runnable runnextSeen;
        long runnextSeenTick;
        long runnextSeenAt;

        private void startSpinning() {
            if (!spinningNow) {
                spinningNow = true;
                scheduler.spinning.incrementAndGet();
            }
        }

        private void stopSpinningFound() {
            if (spinningNow) {
                spinningNow = false;
                if (scheduler.spinning.decrementAndGet() == 0) {
                    // we were the last spinner and found work: there may be more, keep one looking
                    scheduler.wake();
                }
            }
        }

        private Runnable idle() {
            ProcessScheduler s = scheduler;
            for (;;) {
                if (s.shutdown) {
                    handOffAll();
                    return null;
                }
                // spin phase: at most one spinner while others are busy (Go limits spinners likewise)
                if (spinningNow || s.spinning.get() == 0) {
                    startSpinning();
                    long start = System.nanoTime();
                    long now = start;
                    int i = 0;
                    do {
                        Runnable r = nextTask();
                        // a busy worker's runnext changes on every hand-off: reading it often would
                        // bounce its cache line between cores, so look only now and then
                        if (r == null) r = stealOnce((i & 15) == 15, now);
                        if (r != null) {
                            stopSpinningFound();
                            return r;
                        }
                        Thread.onSpinWait();
                        if ((++i & 7) == 0) now = System.nanoTime();
                    } while (now - start < SPIN_NANOS);
                }
                if (extra && s.workers.length > s.parallelism) {
                    if (spinningNow) {
                        spinningNow = false;
                        s.spinning.decrementAndGet();
                    }
                    s.retire(this);
                    // anything that slipped into our queues is handed back
                    Runnable r;
                    while ((r = popLocal()) != null) s.global.offer(r);
                    r = (Runnable) RUNNEXT.getAndSet(this, null);
                    if (r != null) s.global.offer(r);
                    s.wake();
                    return null;
                }
                // park phase
                woken = false;
                s.pushIdle(this);
                if (spinningNow) {
                    spinningNow = false;
                    s.spinning.decrementAndGet();
                }
                // re-check after announcing ourselves idle (pairs with execute: enqueue, then read idleCount)
                Runnable r = nextTask();
                if (r == null) r = stealOnce(false, System.nanoTime());
                if (r != null) {
                    if (!s.removeIdle(this)) {
                        // a waker popped us and counted us as spinning
                        spinningNow = true;
                        stopSpinningFound();
                    }
                    return r;
                }
                if (s.sysmonSleeping) LockSupport.unpark(s.sysmon);
                while (!woken && !s.shutdown) {
                    LockSupport.park(this);
                }
                if (woken) {
                    spinningNow = true; // the waker incremented the spinning count for us
                }
                if (s.sysmonSleeping) LockSupport.unpark(s.sysmon);
            }
        }
    }

    @Override
    public String toString() {
        return name + "[workers=" + workers.length + ", parallelism=" + parallelism + "]";
    }

    static long nanos(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
