package io.otp4j.tables;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.StampedLock;

/**
 * Makes a table's many-row operations atomic and isolated while its one-row operations stay
 * lock-free (ADR 0008).
 *
 * <p>Readers of one key validate an optimistic stamp: a read that overlapped a many-row operation
 * is repeated under the read lock, after it. Writers of one key announce themselves in a striped
 * counter (a cell per thread hash, each on its own cache line, so writers on different threads do
 * not share a line) and step back while a many-row operation holds the lock. A many-row operation
 * takes the write lock, then waits for the writers already in flight (each is a single map update)
 * to leave. The announce-then-check of writers and the lock-then-check of the exclusive side pair
 * up like Dekker's protocol: one of the two always sees the other.
 */
final class WriteGate {
    private static final int CELLS = 32;
    /** 16 longs = 128 bytes between cells: no two cells share a cache line (or an adjacent-line prefetch pair). */
    private static final int STRIDE = 16;

    private final StampedLock lock = new StampedLock();
    private final AtomicLongArray inFlight = new AtomicLongArray(CELLS * STRIDE);

    /** A stamp to validate after an unlocked read; 0 while a many-row operation runs. */
    long optimistic() {
        return lock.tryOptimisticRead();
    }

    boolean validate(long stamp) {
        return lock.validate(stamp);
    }

    /** Waits for the running many-row operation, if any, to finish (for a read that must be repeated). */
    long readLock() {
        return lock.readLock();
    }

    void unlockRead(long stamp) {
        lock.unlockRead(stamp);
    }

    /** Enters as a one-key writer; pass the result to {@link #exit}. */
    int enter() {
        int cell = (int) ((Thread.currentThread().threadId() * 0x9E3779B97F4A7C15L) >>> 59) * STRIDE;
        for (;;) {
            inFlight.getAndIncrement(cell);
            if (!lock.isWriteLocked()) return cell;
            inFlight.getAndDecrement(cell);
            long s = lock.readLock(); // waits for the many-row operation
            lock.unlockRead(s);
        }
    }

    void exit(int cell) {
        inFlight.getAndDecrement(cell);
    }

    /** Starts a many-row operation: no reader or writer of single keys overlaps it. */
    long exclusive() {
        long s = lock.writeLock();
        for (int i = 0; i < CELLS * STRIDE; i += STRIDE) {
            int spins = 0;
            while (inFlight.get(i) != 0) {
                if (++spins < 64) Thread.onSpinWait();
                else Thread.yield();
            }
        }
        return s;
    }

    void release(long stamp) {
        lock.unlockWrite(stamp);
    }

    /** Runs a read, repeated after the many-row operation it overlapped, if any. */
    <T> T read(java.util.function.Supplier<T> fn) {
        long s = optimistic();
        T v = fn.get();
        if (!validate(s)) {
            long r = readLock();
            try {
                v = fn.get();
            } finally {
                unlockRead(r);
            }
        }
        return v;
    }

    /** Runs a one-key write as a writer in flight. */
    <T> T write(java.util.function.Supplier<T> fn) {
        int cell = enter();
        try {
            return fn.get();
        } finally {
            exit(cell);
        }
    }

    /** Runs a many-row operation alone. */
    <T> T batch(java.util.function.Supplier<T> fn) {
        long s = exclusive();
        try {
            return fn.get();
        } finally {
            release(s);
        }
    }
}
