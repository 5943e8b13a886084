package io.otp4j.dist.internal.connection;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Connection} frames, buffers and ticks.
 *
 * @param tickTime        Erlang's {@code net_ticktime}: a peer silent this long is down (60 s by default)
 * @param tickIntensity   Erlang's {@code net_tickintensity}: checks per tick time (4 by default); a
 *                        tick is sent when nothing was written for {@code tickTime / tickIntensity}
 * @param maxFrameLength  the longest frame read; a longer length closes the connection (128 MiB by default)
 * @param readBufferSize  the reader's buffer; frames that fit are read with others in one read
 * @param writeBufferSize the writer's buffer; queued frames that fit are written together in one write
 * @param readerThreads   makes the reader thread (unstarted); by default a plain virtual thread, for
 *                        a node a platform thread (ADR 0018)
 * @param writerThreads   makes the writer thread (unstarted); by default a plain virtual thread, for
 *                        a node a virtual thread of its process scheduler (ADR 0018)
 */
public record ConnectionConfig(Duration tickTime, int tickIntensity, int maxFrameLength, int readBufferSize,
                               int writeBufferSize, ThreadMaker readerThreads, ThreadMaker writerThreads) {

    /** Makes an unstarted thread named {@code name} running {@code task}. */
    @FunctionalInterface
    public interface ThreadMaker {
        Thread unstarted(String name, Runnable task);
    }

    /** Plain virtual threads on the JDK's default scheduler. */
    public static final ThreadMaker VIRTUAL_THREADS = (name, task) -> Thread.ofVirtual().name(name).unstarted(task);

    /** Daemon platform threads. */
    public static final ThreadMaker PLATFORM_THREADS =
            (name, task) -> Thread.ofPlatform().daemon().name(name).unstarted(task);

    /** Erlang's default {@code net_ticktime}. */
    public static final Duration DEFAULT_TICK_TIME = Duration.ofSeconds(60);

    public static final ConnectionConfig DEFAULT =
            new ConnectionConfig(DEFAULT_TICK_TIME, 4, 128 << 20, 64 << 10, 64 << 10,
                    VIRTUAL_THREADS, VIRTUAL_THREADS);

    public ConnectionConfig {
        Objects.requireNonNull(tickTime, "tickTime");
        Objects.requireNonNull(readerThreads, "readerThreads");
        Objects.requireNonNull(writerThreads, "writerThreads");
        if (tickIntensity < 4 || tickIntensity > 1000) {
            throw new IllegalArgumentException("tickIntensity is 4..1000, got " + tickIntensity);
        }
        if (tickTime.toMillis() < tickIntensity) {
            throw new IllegalArgumentException("tickTime is too short: " + tickTime);
        }
        if (maxFrameLength < 1) throw new IllegalArgumentException("maxFrameLength must be positive");
        if (readBufferSize < 64 || writeBufferSize < 64) {
            throw new IllegalArgumentException("buffers are at least 64 bytes");
        }
    }

    public ConnectionConfig withTickTime(Duration tickTime) {
        return new ConnectionConfig(tickTime, tickIntensity, maxFrameLength, readBufferSize, writeBufferSize,
                readerThreads, writerThreads);
    }

    public ConnectionConfig withTickIntensity(int intensity) {
        return new ConnectionConfig(tickTime, intensity, maxFrameLength, readBufferSize, writeBufferSize,
                readerThreads, writerThreads);
    }

    public ConnectionConfig withMaxFrameLength(int max) {
        return new ConnectionConfig(tickTime, tickIntensity, max, readBufferSize, writeBufferSize,
                readerThreads, writerThreads);
    }

    public ConnectionConfig withBuffers(int readBufferSize, int writeBufferSize) {
        return new ConnectionConfig(tickTime, tickIntensity, maxFrameLength, readBufferSize, writeBufferSize,
                readerThreads, writerThreads);
    }

    /** The same maker for the reader and the writer. */
    public ConnectionConfig withThreads(ThreadMaker threads) {
        return withThreads(threads, threads);
    }

    public ConnectionConfig withThreads(ThreadMaker readers, ThreadMaker writers) {
        return new ConnectionConfig(tickTime, tickIntensity, maxFrameLength, readBufferSize, writeBufferSize,
                readers, writers);
    }

    /** How often the ticker checks: {@code tickTime / tickIntensity}. */
    public Duration tickInterval() {
        return tickTime.dividedBy(tickIntensity);
    }
}
