package io.otp4j.internal.sched;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The carrier scheduler of otp4j's virtual threads (ADR 0001, ADR 0004).
 *
 * <p>The JDK runs a virtual thread by handing its continuation to an {@link Executor}; this is that
 * executor. Its design follows Go's runtime scheduler, which solves the same problem (many
 * lightweight threads handing work to each other on a few carriers), with one policy of its own:
 * <ul>
 *   <li><b>Hand-off.</b> Each worker has a <em>runnext</em> slot: a process woken by a process
 *       running on this worker runs next on the same worker. A send followed by a receive
 *       (ping-pong, a ring, a call) hands the core over without crossing to another CPU.</li>
 *   <li><b>Queues.</b> A bounded local FIFO per worker (owner pushes and pops, idle workers steal
 *       half), and a global queue for overflow and for submissions from outside the pool, polled
 *       every 61 tasks for fairness. A worker runs at most 8 runnext tasks in a row before it looks
 *       at its queue, so a ping-ponging pair cannot starve the rest.</li>
 *   <li><b>Waking only for parallelism.</b> An idle worker is woken only when a task is
 *       <em>queued</em> (displaced from runnext, overflowing, or submitted from outside), never for a
 *       pure hand-off: a hand-off has exactly one runnable task, which the current worker runs as
 *       soon as the sender blocks. Waking a second worker for it costs a system call and cache
 *       traffic, and halves ping-pong throughput on a two-core machine (measured: 1.1 M against
 *       3.3 M round trips/s).</li>
 *   <li><b>Idle workers</b> spin for {@value #SPIN_MICROS_DEFAULT} µs, stealing from queues (cache
 *       lines that hand-offs do not touch), and offer their core to other threads about every
 *       microsecond ({@code sched_yield}: a spinner stays awake, so work submitted from outside
 *       needs no wake-up, but it does not starve the socket poller that brings that work; ADR
 *       0018); every 10 µs they also look at the busy workers'
 *       runnext, and steal a task that has waited there behind the same running task for two
 *       looks in a row (its worker is busy with something long). Then they park.</li>
 *   <li><b>sysmon</b>, a monitor thread, checks every 2 ms for a worker stuck on one task (for two
 *       rounds in a row) while
 *       work waits: it wakes an idle worker to take the work, or, if none is idle, starts an extra
 *       worker (the JVM cannot preempt a virtual thread; this keeps the rest running while one
 *       runs CPU-bound code or blocks a carrier). A round in which sysmon itself overslept (a GC
 *       pause) counts nothing as stuck. Once nothing has been stuck for 50 rounds, sysmon retires
 *       one extra worker (extra workers park like the others meanwhile).</li>
 * </ul>
 *
 * <p>Memory order follows JCTools' vocabulary: <i>plain</i> for owner-only fields, <i>opaque</i>
 * for counters others read racily, <i>release/acquire</i> to publish, <i>volatile</i>/CAS where
 * two sides must agree. Fields written on every task sit on their own cache lines.
 */
public final class ProcessScheduler implements Executor {

    /** Thread.currentCarrierThread(), reachable when java.lang is opened to otp4j. */
    private static final MethodHandle CURRENT_CARRIER;

    static {
        MethodHandle mh;
        try {
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup());
            mh = l.findStatic(Thread.class, "currentCarrierThread", MethodType.methodType(Thread.class));
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

    static final long SPIN_MICROS_DEFAULT = 50;
    private static final long SPIN_NANOS = Long.getLong("otp4j.sched.spinMicros", SPIN_MICROS_DEFAULT) * 1000;
    /** Whether a spinning worker offers its core to other threads about every microsecond (ADR 0018). */
    private static final boolean SPIN_YIELDS =
            Boolean.parseBoolean(System.getProperty("otp4j.sched.spinYields", "true"));
    /** How often an idle worker looks at busy workers' runnext slots. */
    private static final long RUNNEXT_LOOK_NANOS = 10_000;
    private static final long SYSMON_NANOS = Long.getLong("otp4j.sched.sysmonMicros", 2000) * 1_000;
    /** Rounds without a stuck worker before an extra worker is asked to retire. */
    private static final int RETIRE_AFTER_ROUNDS = 50;
    private static final int MAX_WORKERS = Integer.getInteger("otp4j.sched.maxWorkers", 256);
    private static final int RUNNEXT_STREAK = Integer.getInteger("otp4j.sched.streak", 8);
    private static final int GLOBAL_EVERY = 61;

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

    // slow-path counters (never touched per task): for tuning and introspection
    private final LongAdder wakes = new LongAdder();
    private final LongAdder parks = new LongAdder();
    private final LongAdder steals = new LongAdder();
    private final LongAdder runnextSteals = new LongAdder();
    private final LongAdder compensations = new LongAdder();

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
            ForkJoinPool.commonPool().execute(task); // a stopped node's last processes unwind there
            return;
        }
        Worker w = currentWorker();
        if (w == null) {
            global.offer(task);
            wake();
        } else if (w.yielding) {
            // Thread.yield from a process on this worker: to the back of its queue
            w.yielding = false;
            w.queue.push(task, this);
            if (w.queue.size() > 1) wake();
        } else {
            Runnable displaced = w.hot.swapRunnext(task);
            if (displaced != null) {
                w.queue.push(displaced, this);
                wake(); // two runnable tasks here: parallelism for an idle worker
            }
        }
    }

    /**
     * Marks the current worker so that the next task it is given (the yielding virtual thread) goes
     * to the back of its queue rather than into runnext. Called by a process just before
     * {@link Thread#yield()}; false when the current thread is not carried by this pool.
     */
    public boolean prepareYield() {
        Worker w = currentWorker();
        if (w == null) return false;
        w.yielding = true;
        return true;
    }

    /** True when some task waits in a queue of this pool (a yield would let it run). */
    public boolean hasQueuedWork() {
        if (!global.isEmpty()) return true;
        for (Worker w : workers) {
            if (w.queue.size() > 0 || w.hot.runnext != null) return true;
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
        wakes.increment();
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
            idleCount = idle.size(); // volatile write: submitters that queue after this see us idle
        }
    }

    private Runnable pollGlobal(Worker into) {
        Runnable first = global.poll();
        if (first == null) return null;
        // take a small batch so that an overflowing global queue drains in bulk
        int room = Math.min(LocalQueue.CAPACITY / 2 - into.queue.size(), 32);
        for (int i = 0; i < room; i++) {
            Runnable r = global.poll();
            if (r == null) break;
            into.queue.push(r, this);
        }
        return first;
    }

    // ------------------------------------------------------------------ sysmon

    private void sysmonLoop() {
        Worker[] seen = new Worker[0];
        long[] seenTick = new long[0];
        int[] stuckRounds = new int[0];
        int quietRounds = 0;
        int unstuckRounds = 0;
        long last = System.nanoTime();
        while (!shutdown) {
            LockSupport.parkNanos(this, SYSMON_NANOS);
            long now = System.nanoTime();
            boolean paused = now - last > 3 * SYSMON_NANOS; // the JVM stood still (GC): nothing is stuck
            last = now;
            Worker[] ws = workers;
            if (seen != ws) {
                long[] t = new long[ws.length];
                int[] r = new int[ws.length];
                for (int i = 0; i < ws.length; i++) {
                    t[i] = -1;
                    for (int j = 0; j < seen.length; j++) {
                        if (seen[j] == ws[i]) {
                            t[i] = seenTick[j];
                            r[i] = stuckRounds[j];
                        }
                    }
                }
                seen = ws;
                seenTick = t;
                stuckRounds = r;
            }
            int busy = 0;
            int stuck = 0;
            for (int i = 0; i < ws.length; i++) {
                long tick = ws[i].hot.tick();
                if ((tick & 1) != 0) { // odd: running a task
                    busy++;
                    // stuck: the same task for two whole rounds; one round may just be the
                    // operating system not running this thread for a while
                    stuckRounds[i] = tick == seenTick[i] && !paused ? stuckRounds[i] + 1 : 0;
                    if (stuckRounds[i] >= 2) stuck++;
                } else {
                    stuckRounds[i] = 0;
                }
                seenTick[i] = tick;
            }
            if (stuck > 0 && hasQueuedWork()) {
                unstuckRounds = 0;
                if (idleCount > 0) {
                    wake(); // an idle worker will take what waits behind the stuck one
                } else if (busy - stuck < parallelism && ws.length < MAX_WORKERS && spinning.get() == 0) {
                    addWorker();
                }
            } else if (stuck == 0 && ws.length > parallelism && ++unstuckRounds >= RETIRE_AFTER_ROUNDS) {
                unstuckRounds = 0;
                for (int i = ws.length - 1; i >= 0; i--) {
                    if (ws[i].extra && !ws[i].retireRequested) {
                        // the extra worker leaves after its current task, or at once if parked
                        ws[i].retireRequested = true;
                        LockSupport.unpark(ws[i]);
                        break;
                    }
                }
            }
            if (busy == 0) {
                if (++quietRounds >= 500) {
                    // nothing ran for a second: sleep until a worker wakes up
                    sysmonSleeping = true;
                    if (idleCount == ws.length) {
                        LockSupport.park(this);
                    }
                    sysmonSleeping = false;
                    quietRounds = 0;
                    last = System.nanoTime();
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
            Worker[] next = Arrays.copyOf(ws, ws.length + 1);
            next[ws.length] = w;
            workers = next;
        }
        compensations.increment();
        w.start();
    }

    private void retire(Worker w) {
        synchronized (idleLock) {
            List<Worker> keep = new ArrayList<>();
            for (Worker x : workers) {
                if (x != w) keep.add(x);
            }
            workers = keep.toArray(new Worker[0]);
        }
    }

    /** Number of workers in the pool, including extra ones started for stuck workers. */
    public int workerCount() {
        return workers.length;
    }

    /** Counters of the scheduler's slow paths, for tuning and introspection. */
    public String stats() {
        return "wakes=" + wakes.sum() + " parks=" + parks.sum() + " steals=" + steals.sum()
                + " runnextSteals=" + runnextSteals.sum() + " compensations=" + compensations.sum();
    }

    public void shutdown() {
        shutdown = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
        LockSupport.unpark(sysmon);
    }

    @Override
    public String toString() {
        return name + "[workers=" + workers.length + ", parallelism=" + parallelism + "]";
    }

    // ------------------------------------------------------------------ a worker's shared state

    /** Padding before a hot line (JCTools' layout trick: superclass fields come first). */
    abstract static class HotPad0 {
        long p00, p01, p02, p03, p04, p05, p06, p07;
    }

    abstract static class HotFields extends HotPad0 {
        static final VarHandle RUNNEXT;
        static final VarHandle TICK;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                RUNNEXT = l.findVarHandle(HotFields.class, "runnext", Runnable.class);
                TICK = l.findVarHandle(HotFields.class, "tick", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** The task to run next (the hand-off slot). Owner swaps it; thieves may CAS it to null. */
        volatile Runnable runnext;
        /** Incremented (opaque) when a task starts and when it ends: odd while running. */
        long tick;
    }

    /** What a worker writes on every task, on a cache line of its own. */
    static final class Hot extends HotFields {
        long p10, p11, p12, p13, p14, p15, p16, p17;

        Runnable swapRunnext(Runnable r) {
            return (Runnable) RUNNEXT.getAndSet(this, r);
        }

        boolean casRunnext(Runnable expect) {
            return RUNNEXT.compareAndSet(this, expect, (Runnable) null);
        }

        long tick() {
            return (long) TICK.getOpaque(this);
        }

        void bump() {
            TICK.setOpaque(this, tick + 1); // only the owner writes it
        }
    }

    abstract static class QueuePad0 {
        long p00, p01, p02, p03, p04, p05, p06, p07;
    }

    abstract static class QueueFields extends QueuePad0 {
        static final VarHandle HEAD;
        static final VarHandle TAIL;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                HEAD = l.findVarHandle(QueueFields.class, "head", int.class);
                TAIL = l.findVarHandle(QueueFields.class, "tail", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** Consumers (owner and thieves) CAS it. */
        volatile int head;
        /** Written by the owner only (release), read by thieves (acquire). */
        volatile int tail;
    }

    /** A worker's bounded FIFO: the owner pushes and pops, thieves steal half (Go's runq). */
    static final class LocalQueue extends QueueFields {
        /** A power of two (1024 unless -Dotp4j.sched.queue says otherwise). */
        static final int CAPACITY = Integer.highestOneBit(Math.max(16, Integer.getInteger("otp4j.sched.queue", 1024)) - 1) << 1;
        private static final int MASK = CAPACITY - 1;
        private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Runnable[].class);
        long p10, p11, p12, p13, p14, p15, p16, p17;
        final Runnable[] slots = new Runnable[CAPACITY];

        int size() {
            return tail - head;
        }

        /** Owner only. A full queue moves half of itself (and r) to the global queue. */
        void push(Runnable r, ProcessScheduler s) {
            for (;;) {
                int h = (int) HEAD.getAcquire(this);
                int t = tail;
                if (t - h < CAPACITY) {
                    SLOT.set(slots, t & MASK, r);
                    TAIL.setRelease(this, t + 1);
                    return;
                }
                int n = (t - h) / 2;
                Runnable[] batch = new Runnable[n];
                for (int i = 0; i < n; i++) batch[i] = (Runnable) SLOT.get(slots, (h + i) & MASK);
                if (HEAD.compareAndSet(this, h, h + n)) {
                    for (Runnable b : batch) s.global.offer(b);
                    s.global.offer(r);
                    return;
                }
            }
        }

        /** Owner only. */
        Runnable pop() {
            for (;;) {
                int h = (int) HEAD.getAcquire(this);
                if (h == tail) return null;
                Runnable r = (Runnable) SLOT.get(slots, h & MASK);
                if (HEAD.compareAndSet(this, h, h + 1)) return r;
            }
        }

        /** Thief: takes half of this queue into {@code into} (which is empty); returns one task. */
        Runnable stealInto(LocalQueue into) {
            for (;;) {
                int h = (int) HEAD.getAcquire(this);
                int t = (int) TAIL.getAcquire(this);
                int n = t - h;
                if (n <= 0) return null;
                n = Math.min(n - n / 2, CAPACITY / 2);
                Runnable first = (Runnable) SLOT.get(slots, h & MASK);
                int it = into.tail;
                for (int i = 1; i < n; i++) {
                    SLOT.set(into.slots, (it + i - 1) & MASK, SLOT.get(slots, (h + i) & MASK));
                }
                if (HEAD.compareAndSet(this, h, h + n)) {
                    if (n > 1) TAIL.setRelease(into, it + n - 1);
                    return first;
                }
            }
        }
    }

    // ------------------------------------------------------------------ workers

    /** A carrier thread of this pool. */
    static final class Worker extends Thread {
        final ProcessScheduler scheduler;
        final boolean extra;
        final Hot hot = new Hot();
        final LocalQueue queue = new LocalQueue();
        /** Set by a waker before unpark: this worker was counted as spinning on its behalf. */
        volatile boolean woken;
        /** Set by sysmon on an extra worker that is no longer needed. */
        volatile boolean retireRequested;
        // owner-only
        boolean yielding;
        private int streak;
        private int globalCountdown = GLOBAL_EVERY;
        private boolean spinningNow;
        /** This thief's own observations of other workers' runnext (never written into theirs). */
        private Worker[] seenWorker = new Worker[0];
        private Runnable[] seenNext = new Runnable[0];
        private long[] seenTick = new long[0];

        Worker(ProcessScheduler s, boolean extra) {
            super(null, null, s.name + "-" + s.workerSeq.getAndIncrement(), 0, false);
            this.scheduler = s;
            this.extra = extra;
            setDaemon(true);
        }

        private Runnable nextTask() {
            if (--globalCountdown == 0) {
                globalCountdown = GLOBAL_EVERY;
                Runnable g = scheduler.pollGlobal(this);
                if (g != null) return g;
            }
            Runnable r = hot.runnext;
            if (r != null && streak < RUNNEXT_STREAK && hot.casRunnext(r)) {
                streak++;
                return r;
            }
            streak = 0;
            r = queue.pop();
            if (r != null) return r;
            r = hot.runnext;
            if (r != null && hot.casRunnext(r)) return r;
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
                hot.bump(); // odd: running
                try {
                    task.run();
                } catch (Throwable t) {
                    // runContinuation handles process failures itself; anything here is a runtime bug
                    System.getLogger("io.otp4j.scheduler").log(System.Logger.Level.ERROR,
                            "scheduler task failed on " + getName(), t);
                }
                hot.bump(); // even: between tasks
                if (s.shutdown) {
                    handOffAll();
                    return;
                }
                if (retireRequested) {
                    retireNow();
                    return;
                }
            }
        }

        /** An extra worker leaves the pool; what is queued here goes to the global queue. */
        private void retireNow() {
            ProcessScheduler s = scheduler;
            if (spinningNow) {
                spinningNow = false;
                s.spinning.decrementAndGet();
            }
            s.retire(this);
            Runnable r;
            while ((r = queue.pop()) != null) s.global.offer(r);
            r = hot.swapRunnext(null);
            if (r != null) s.global.offer(r);
            s.wake();
        }

        /** On shutdown: whatever is queued here runs on the common pool instead. */
        void handOffAll() {
            Runnable r;
            while ((r = queue.pop()) != null) ForkJoinPool.commonPool().execute(r);
            r = hot.swapRunnext(null);
            if (r != null) ForkJoinPool.commonPool().execute(r);
            while ((r = scheduler.global.poll()) != null) ForkJoinPool.commonPool().execute(r);
        }

        /** Steals from other workers' queues (not their runnext). */
        private Runnable stealQueues(long now) {
            Worker[] ws = scheduler.workers;
            int n = ws.length;
            int start = (int) ((now >>> 6) % n);
            for (int k = 0; k < n; k++) {
                Worker o = ws[(start + k) % n];
                if (o == this) continue;
                Runnable r = o.queue.stealInto(queue);
                if (r != null) {
                    scheduler.steals.increment();
                    return r;
                }
            }
            return null;
        }

        /**
         * Takes a task that has sat in a busy worker's runnext behind the same running task since
         * this worker's previous look (at least {@link #RUNNEXT_LOOK_NANOS} ago): that worker is
         * busy with something long. Observations are kept here, so looking writes nothing the busy
         * worker reads.
         */
        private Runnable stealStaleRunnext() {
            Worker[] ws = scheduler.workers;
            if (seenWorker.length != ws.length) {
                seenWorker = ws.clone();
                seenNext = new Runnable[ws.length];
                seenTick = new long[ws.length];
            }
            for (int i = 0; i < ws.length; i++) {
                Worker o = ws[i];
                if (o == this) continue;
                if (seenWorker[i] != o) {
                    seenWorker[i] = o;
                    seenNext[i] = null;
                }
                Runnable nx = o.hot.runnext;
                long tick = o.hot.tick();
                if (nx == null || (tick & 1) == 0) {
                    seenNext[i] = null;
                } else if (seenNext[i] == nx && seenTick[i] == tick) {
                    if (o.hot.casRunnext(nx)) {
                        scheduler.runnextSteals.increment();
                        return nx;
                    }
                } else {
                    seenNext[i] = nx;
                    seenTick[i] = tick;
                }
            }
            return null;
        }

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
                    long lastLook = start;
                    int i = 0;
                    do {
                        Runnable r = nextTask();
                        if (r == null) r = stealQueues(now);
                        if (r == null && now - lastLook >= RUNNEXT_LOOK_NANOS) {
                            lastLook = now;
                            r = stealStaleRunnext();
                        }
                        if (r != null) {
                            stopSpinningFound();
                            return r;
                        }
                        Thread.onSpinWait();
                        if ((++i & 7) == 0) {
                            now = System.nanoTime();
                            // a spinner that kept its core would starve the threads that bring the
                            // work it waits for (the socket poller, a peer node on the same machine)
                            if (SPIN_YIELDS) Thread.yield();
                        }
                    } while (now - start < SPIN_NANOS);
                }
                if (retireRequested) {
                    retireNow();
                    return null;
                }
                // park phase
                woken = false;
                s.pushIdle(this);
                if (spinningNow) {
                    spinningNow = false;
                    s.spinning.decrementAndGet();
                }
                // re-check after announcing ourselves idle (pairs with execute: queue, then read idleCount)
                Runnable r = nextTask();
                if (r == null) r = stealQueues(System.nanoTime());
                if (r != null) {
                    if (!s.removeIdle(this)) {
                        // a waker popped us and counted us as spinning
                        spinningNow = true;
                        stopSpinningFound();
                    }
                    return r;
                }
                s.parks.increment();
                while (!woken && !s.shutdown && !retireRequested) {
                    LockSupport.park(this);
                }
                if (retireRequested && !woken && s.removeIdle(this)) {
                    retireNow();
                    return null;
                }
                if (woken) {
                    spinningNow = true; // the waker incremented the spinning count for us
                }
                if (s.sysmonSleeping) LockSupport.unpark(s.sysmon);
            }
        }
    }
}
