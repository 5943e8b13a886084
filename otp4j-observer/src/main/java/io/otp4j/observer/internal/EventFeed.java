package io.otp4j.observer.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;

/**
 * The source of {@code /api/events}: one snapshot per interval, made once and written to every
 * open stream. It runs only while a stream is open: the first subscriber starts the ticks, the
 * last one to leave stops them.
 *
 * <p>A snapshot is the whole state, so a stream that falls behind (a slow client) skips to the
 * newest one instead of queueing the ones in between: each subscriber waits for a frame newer than
 * the last it wrote, and takes the latest.
 */
final class EventFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventFeed.class);

    /** One event of the stream: its number, its SSE event name and its data (a JSON document). */
    record Frame(long seq, String event, String data) {
    }

    private final Duration interval;
    /** Makes the frame with the given number; runs on the ticker's thread. */
    private final LongFunction<Frame> source;
    private final ScheduledExecutorService ticker;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition published = lock.newCondition();
    // guarded by lock
    private Frame latest;
    private long latestAtNanos;
    private long seq;
    private int subscribers;
    private ScheduledFuture<?> ticks;
    private boolean closed;

    EventFeed(Duration interval, LongFunction<Frame> source) {
        this.interval = interval;
        this.source = source;
        this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("otp4j-observer-feed").factory());
    }

    /** A stream's place in the feed. */
    final class Subscription implements AutoCloseable {
        private long seen;
        private boolean open = true;

        private Subscription(long seen) {
            this.seen = seen;
        }

        /**
         * The newest frame after the last one returned, waiting for it; null once the feed closes.
         */
        Frame next() throws InterruptedException {
            lock.lock();
            try {
                while (!closed && (latest == null || latest.seq() <= seen)) published.await();
                if (closed) return null;
                seen = latest.seq();
                return latest;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (!open) return;
                open = false;
                if (--subscribers == 0 && ticks != null) {
                    ticks.cancel(false);
                    ticks = null;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Joins the feed. The first frame the subscription gets is the latest one if it is fresh (made
     * within the interval), else the next, made at once.
     *
     * @throws IllegalStateException if the feed is closed
     */
    Subscription subscribe() {
        lock.lock();
        try {
            if (closed) throw new IllegalStateException("the observer is closed");
            subscribers++;
            if (ticks == null) {
                ticks = ticker.scheduleWithFixedDelay(this::tick, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
            }
            boolean fresh = latest != null && System.nanoTime() - latestAtNanos < interval.toNanos();
            return new Subscription(fresh ? latest.seq() - 1 : seq);
        } finally {
            lock.unlock();
        }
    }

    private void tick() {
        long n;
        lock.lock();
        try {
            if (closed || subscribers == 0) return;
            n = seq + 1;
        } finally {
            lock.unlock();
        }
        Frame f;
        try {
            f = source.apply(n);
        } catch (RuntimeException e) {
            // a snapshot that fails (the node stopping) is told to the page, and the ticks go on
            LOG.debug("observer snapshot failed", e);
            f = new Frame(n, "failure", Json.write(new Views.ErrorView(500, "no snapshot: " + Calls.describe(e))));
        }
        lock.lock();
        try {
            seq = n;
            latest = f;
            latestAtNanos = System.nanoTime();
            published.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Ends every stream (their {@link Subscription#next} returns null) and stops the ticks. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            if (ticks != null) ticks.cancel(false);
            published.signalAll();
        } finally {
            lock.unlock();
        }
        ticker.shutdownNow();
    }
}
