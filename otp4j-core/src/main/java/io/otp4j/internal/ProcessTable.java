package io.otp4j.internal;

import io.otp4j.Pid;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node's live processes, indexed by process number (ADR 0003).
 *
 * <p>Like the BEAM's process table: a process number is a slot index, and a slot freed by a dead
 * process is reused with its serial incremented, so {@code <0.42.0>} and {@code <0.42.1>} are
 * different processes. Slots live in pages of 4096 that are allocated as the table grows; a lookup
 * is two array reads and a serial check. Free slots form a lock-free stack (a tagged Treiber stack,
 * the tag defeating ABA). Per process this costs about 12 bytes, against 50 or more for a hash map
 * entry: it matters at a million processes.
 */
final class ProcessTable {
    private static final int PAGE_BITS = 12;
    private static final int PAGE = 1 << PAGE_BITS;
    private static final int PAGE_MASK = PAGE - 1;
    /** Process numbers have 28 bits, as on the wire's pid ID field in practice. */
    static final int MAX_SLOTS = 1 << 28;

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(ProcessImpl[].class);

    private volatile Page[] pages = new Page[64];
    private final AtomicInteger fresh = new AtomicInteger();
    /** (tag << 32) | (slot + 1); 0 in the low half means empty. */
    private final AtomicLong freeTop = new AtomicLong();
    private final AtomicInteger live = new AtomicInteger();
    /** A thread waiting for the live count to drop to {@code waitTarget} (see {@link #awaitAtMost}). */
    private volatile Thread waiter;
    private volatile int waitTarget;

    private static final class Page {
        final ProcessImpl[] procs = new ProcessImpl[PAGE];
        final int[] serials = new int[PAGE];
        final int[] nextFree = new int[PAGE];
    }

    /** Reserves a slot; returns it with its current serial packed as (serial << 32) | slot. */
    long allocate() {
        for (;;) {
            long top = freeTop.get();
            int slot = (int) top - 1;
            if (slot < 0) break;
            Page p = page(slot);
            int next = p.nextFree[slot & PAGE_MASK];
            long tag = (top >>> 32) + 1;
            if (freeTop.compareAndSet(top, (tag << 32) | (next + 1L))) {
                live.incrementAndGet();
                return ((long) p.serials[slot & PAGE_MASK] << 32) | slot;
            }
        }
        int slot = fresh.getAndIncrement();
        if (slot >= MAX_SLOTS) {
            fresh.decrementAndGet();
            throw new IllegalStateException("system_limit: the node has " + MAX_SLOTS + " live processes");
        }
        ensurePage(slot);
        live.incrementAndGet();
        return slot; // serial 0
    }

    void publish(ProcessImpl p) {
        int slot = p.pid.id();
        SLOT.setRelease(page(slot).procs, slot & PAGE_MASK, p);
    }

    /** Frees the slot of a dead process; its number may be reused with the next serial. */
    void release(ProcessImpl p) {
        int slot = p.pid.id();
        Page pg = page(slot);
        int i = slot & PAGE_MASK;
        if (!SLOT.compareAndSet(pg.procs, i, p, (ProcessImpl) null)) {
            return; // already released
        }
        pg.serials[i] = (p.pid.serial() + 1) & 0x7fff_ffff;
        int n = live.decrementAndGet();
        Thread w = waiter;
        if (w != null && n <= waitTarget) {
            java.util.concurrent.locks.LockSupport.unpark(w);
        }
        for (;;) {
            long top = freeTop.get();
            pg.nextFree[i] = (int) top - 1;
            long tag = (top >>> 32) + 1;
            if (freeTop.compareAndSet(top, (tag << 32) | (slot + 1L))) {
                return;
            }
        }
    }

    /** The live process with this pid, or null. */
    ProcessImpl get(Pid pid) {
        int slot = pid.id();
        if (slot < 0 || slot >= fresh.get()) return null;
        Page[] ps = pages;
        int pi = slot >>> PAGE_BITS;
        if (pi >= ps.length) return null;
        Page pg = ps[pi];
        if (pg == null) return null;
        ProcessImpl p = (ProcessImpl) SLOT.getAcquire(pg.procs, slot & PAGE_MASK);
        return p != null && p.pid.serial() == pid.serial() && p.pid.creation() == pid.creation() ? p : null;
    }

    int size() {
        return live.get();
    }

    /** Waits until at most {@code n} processes are alive; one waiter at a time. */
    synchronized boolean awaitAtMost(int n, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        waitTarget = n;
        waiter = Thread.currentThread();
        try {
            while (live.get() > n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                java.util.concurrent.locks.LockSupport.parkNanos(this, left);
            }
            return true;
        } finally {
            waiter = null;
        }
    }

    List<ProcessImpl> all() {
        int n = fresh.get();
        List<ProcessImpl> out = new ArrayList<>(Math.min(live.get() + 16, n));
        Page[] ps = pages;
        for (int slot = 0; slot < n; slot++) {
            Page pg = ps[slot >>> PAGE_BITS];
            if (pg == null) continue;
            ProcessImpl p = (ProcessImpl) SLOT.getAcquire(pg.procs, slot & PAGE_MASK);
            if (p != null) out.add(p);
        }
        return out;
    }

    private Page page(int slot) {
        return pages[slot >>> PAGE_BITS];
    }

    private void ensurePage(int slot) {
        int pi = slot >>> PAGE_BITS;
        Page[] ps = pages;
        if (pi < ps.length && ps[pi] != null) return;
        synchronized (this) {
            ps = pages;
            if (pi >= ps.length) {
                ps = java.util.Arrays.copyOf(ps, Math.max(ps.length * 2, pi + 1));
            }
            if (ps[pi] == null) {
                ps[pi] = new Page();
            }
            pages = ps; // volatile publish of the page (and of a grown array)
        }
    }
}
