package io.otp4j.dist.internal.connection;

import io.otp4j.dist.NodeName;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A distribution connection after its handshake: frames of a 4-byte big-endian length and that
 * many bytes in both directions; an empty frame is a tick.
 *
 * <p>Three virtual threads serve it. The <b>reader</b> reads as much as the stream has into its
 * buffer and hands each frame to the {@link FrameListener}. The <b>writer</b> drains a lock-free
 * queue that {@link #send} fills from any thread, copying the queued frames into one buffer and
 * writing it in one call when the queue is empty or the buffer full, then parks until the next
 * {@code send}; a sender only wakes it when it is parked. The <b>ticker</b> wakes every {@code
 * tickTime / tickIntensity}: it queues a tick when nothing was written since the last time, and
 * closes the connection with {@code "net_tick_timeout"} when nothing was read for {@code tickTime}.
 *
 * <p>Frames are checked against the negotiated flags: with the distribution header ({@link
 * DistFlags#usesDistHeader}) each starts {@code 131 68}, or {@code 131 69} / {@code 131 70} with
 * {@link DistFlags#FRAGMENTS}; without it, {@code 112}. A frame longer than {@link
 * ConnectionConfig#maxFrameLength()} or of another kind closes the connection with the reason.
 */
public final class Connection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    /** An empty frame; the writer sends it as a length of 0. */
    private static final ByteBuffer TICK = ByteBuffer.allocate(0);

    public static final String NET_TICK_TIMEOUT = "net_tick_timeout";
    public static final String CONNECTION_CLOSED = "connection_closed";
    public static final String CLOSED = "closed";

    private static final int VERSION_MAGIC = 131;
    private static final int DIST_HEADER = 68;
    private static final int DIST_FRAG_HEADER = 69;
    private static final int DIST_FRAG_CONT = 70;
    private static final int PASS_THROUGH = 112;

    private static final VarHandle CLOSE_REASON;
    private static final VarHandle WRITER_PARKED;
    private static final VarHandle LONG;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CLOSE_REASON = l.findVarHandle(Connection.class, "closeReason", String.class);
            WRITER_PARKED = l.findVarHandle(Connection.class, "writerParked", boolean.class);
            LONG = MethodHandles.arrayElementVarHandle(long[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // Counters, each written by one thread only (opaque stores), read by any; the reader's and the
    // writer's 128 bytes apart, on different cache lines.
    private static final int BYTES_IN = 0, FRAMES_IN = 1, TICKS_IN = 2, READS = 3;
    private static final int BYTES_OUT = 16, FRAMES_OUT = 17, TICKS_OUT = 18, WRITES = 19;

    private final DistStream stream;
    private final NodeName peer;
    private final long flags;
    private final boolean distHeader;
    private final boolean fragments;
    private final ConnectionConfig config;
    private final FrameListener listener;
    private final ConcurrentLinkedQueue<ByteBuffer> queue = new ConcurrentLinkedQueue<>();
    private final long[] counters = new long[20];
    private final Thread reader;
    private final Thread writer;
    private final Thread ticker;

    @SuppressWarnings("unused") // through CLOSE_REASON
    private volatile String closeReason;
    @SuppressWarnings("unused") // through WRITER_PARKED
    private volatile boolean writerParked;

    private Connection(DistStream stream, NodeName peer, long flags, ConnectionConfig config, FrameListener listener) {
        this.stream = Objects.requireNonNull(stream, "stream");
        this.peer = Objects.requireNonNull(peer, "peer");
        this.flags = flags;
        this.distHeader = DistFlags.usesDistHeader(flags);
        this.fragments = (flags & DistFlags.FRAGMENTS) != 0;
        this.config = Objects.requireNonNull(config, "config");
        this.listener = Objects.requireNonNull(listener, "listener");
        String n = peer.toString();
        this.reader = config.readerThreads().unstarted("otp4j-dist-reader-" + n, this::readLoop);
        this.writer = config.writerThreads().unstarted("otp4j-dist-writer-" + n, this::writeLoop);
        this.ticker = Thread.ofVirtual().name("otp4j-dist-ticker-" + n).unstarted(this::tickLoop);
    }

    /** Starts the connection over the stream of a completed handshake. */
    public static Connection start(DistStream stream, HandshakeResult handshake, ConnectionConfig config,
                                   FrameListener listener) {
        return start(stream, handshake.peer(), handshake.flags(), config, listener);
    }

    /** Starts a connection to {@code peer} with the negotiated {@code flags}. */
    public static Connection start(DistStream stream, NodeName peer, long flags, ConnectionConfig config,
                                   FrameListener listener) {
        Connection c = new Connection(stream, peer, flags, config, listener);
        c.reader.start();
        c.writer.start();
        c.ticker.start();
        return c;
    }

    public NodeName peer() {
        return peer;
    }

    /** The negotiated flags. */
    public long flags() {
        return flags;
    }

    /** True when frames carry the distribution header, false for pass-through frames. */
    public boolean usesDistHeader() {
        return distHeader;
    }

    // ---------------------------------------------------------------- sending

    /**
     * Queues one frame (its bytes from position to limit; a length is put before it). The buffer
     * is read later, by the writer, and not changed: it must not be changed until then. Never blocks.
     *
     * @return false when the connection is closed (the frame is dropped)
     * @throws IllegalArgumentException for an empty frame (that is a tick)
     */
    public boolean send(ByteBuffer frame) {
        if (!frame.hasRemaining()) throw new IllegalArgumentException("an empty frame is a tick");
        if (closeReason != null) return false;
        queue.offer(frame);
        if ((boolean) WRITER_PARKED.getVolatile(this) && WRITER_PARKED.compareAndSet(this, true, false)) {
            LockSupport.unpark(writer);
        }
        return true;
    }

    /** {@link #send(ByteBuffer)} of a whole array. */
    public boolean send(byte[] frame) {
        return send(ByteBuffer.wrap(frame));
    }

    private void writeLoop() {
        byte[] buf = new byte[config.writeBufferSize()];
        int pos = 0;
        try {
            while (closeReason == null) {
                ByteBuffer f = queue.poll();
                if (f == null) {
                    if (pos > 0) {
                        flush(buf, pos);
                        pos = 0;
                        continue;
                    }
                    WRITER_PARKED.setVolatile(this, true);
                    if (!queue.isEmpty() || closeReason != null) {
                        WRITER_PARKED.setVolatile(this, false);
                        continue;
                    }
                    LockSupport.park(this);
                    WRITER_PARKED.setVolatile(this, false);
                    continue;
                }
                int len = f.remaining();
                add(len == 0 ? TICKS_OUT : FRAMES_OUT, 1);
                if (pos + 4 + len > buf.length) {
                    if (pos > 0) {
                        flush(buf, pos);
                        pos = 0;
                    }
                    if (4 + len > buf.length) {
                        writeLarge(buf, f, len);
                        continue;
                    }
                }
                putInt(buf, pos, len);
                f.get(f.position(), buf, pos + 4, len);
                pos += 4 + len;
            }
        } catch (IOException | RuntimeException e) {
            close(closeReason != null ? closeReason : "write failed: " + e);
        }
    }

    /** A frame larger than the buffer: its length with the start of it, then the rest. */
    private void writeLarge(byte[] buf, ByteBuffer f, int len) throws IOException {
        putInt(buf, 0, len);
        int first = buf.length - 4;
        f.get(f.position(), buf, 4, first);
        flush(buf, buf.length);
        int done = first;
        if (f.hasArray()) {
            stream.write(f.array(), f.arrayOffset() + f.position() + done, len - done);
            add(WRITES, 1);
            add(BYTES_OUT, len - done);
            return;
        }
        while (done < len) {
            int n = Math.min(buf.length, len - done);
            f.get(f.position() + done, buf, 0, n);
            flush(buf, n);
            done += n;
        }
    }

    private void flush(byte[] buf, int len) throws IOException {
        stream.write(buf, 0, len);
        add(WRITES, 1);
        add(BYTES_OUT, len);
    }

    // ---------------------------------------------------------------- reading

    private void readLoop() {
        byte[] buf = new byte[config.readBufferSize()];
        ByteBuffer view = ByteBuffer.wrap(buf);
        int start = 0;
        int end = 0;
        int max = config.maxFrameLength();
        try {
            while (closeReason == null) {
                if (end - start < 4) {
                    if (start > 0) {
                        System.arraycopy(buf, start, buf, 0, end - start);
                        end -= start;
                        start = 0;
                    }
                    if (!fill(buf, end)) return;
                    end += lastRead;
                    continue;
                }
                long len = getInt(buf, start) & 0xffffffffL;
                if (len == 0) {
                    add(TICKS_IN, 1);
                    start += 4;
                    listener.onTick();
                    continue;
                }
                if (len > max) {
                    close("malformed frame from node " + peer + ": length " + len + " exceeds the maximum of "
                            + max + " bytes");
                    return;
                }
                int n = (int) len;
                if (4 + n <= buf.length) {
                    if (end - start < 4 + n) {
                        if (start > 0) {
                            System.arraycopy(buf, start, buf, 0, end - start);
                            end -= start;
                            start = 0;
                        }
                        if (!fill(buf, end)) return;
                        end += lastRead;
                        continue;
                    }
                    if (!deliver(view.slice(start + 4, n), buf, start + 4, n)) return;
                    start += 4 + n;
                } else {
                    byte[] big = new byte[n];
                    int have = end - start - 4;
                    System.arraycopy(buf, start + 4, big, 0, have);
                    start = end = 0;
                    while (have < n) {
                        int r = stream.read(big, have, n - have);
                        if (r < 0) {
                            close(CONNECTION_CLOSED);
                            return;
                        }
                        add(BYTES_IN, r);
                        add(READS, 1);
                        have += r;
                    }
                    if (!deliver(ByteBuffer.wrap(big), big, 0, n)) return;
                }
            }
        } catch (IOException | RuntimeException e) {
            close(closeReason != null ? closeReason : "read failed: " + e);
        }
    }

    private int lastRead; // reader thread only

    /** Reads what the stream has into {@code buf[end..]}; false at the end of the stream (the connection is closed). */
    private boolean fill(byte[] buf, int end) throws IOException {
        int r = stream.read(buf, end, buf.length - end);
        if (r < 0) {
            close(CONNECTION_CLOSED);
            return false;
        }
        lastRead = r;
        add(BYTES_IN, r);
        add(READS, 1);
        return true;
    }

    private boolean deliver(ByteBuffer frame, byte[] b, int off, int n) {
        String bad = checkKind(b, off, n);
        if (bad != null) {
            close("malformed frame from node " + peer + ": " + bad);
            return false;
        }
        add(FRAMES_IN, 1);
        try {
            listener.onFrame(frame);
        } catch (RuntimeException e) {
            LOG.warn("frame listener of the connection to node {} failed", peer, e);
            close("frame listener failed: " + e);
            return false;
        }
        return true;
    }

    /** Null when the frame's first bytes are what the negotiated flags imply, else what is wrong. */
    private String checkKind(byte[] b, int off, int n) {
        int b0 = b[off] & 0xff;
        if (!distHeader) {
            return b0 == PASS_THROUGH ? null
                    : "it starts with " + b0 + ", expected 112 (pass-through; no distribution header was negotiated)";
        }
        int b1 = n > 1 ? b[off + 1] & 0xff : -1;
        if (b0 == VERSION_MAGIC && (b1 == DIST_HEADER || (fragments && (b1 == DIST_FRAG_HEADER || b1 == DIST_FRAG_CONT)))) {
            return null;
        }
        return "it starts with " + b0 + " " + b1 + ", expected 131 68" + (fragments ? " (or 131 69, 131 70)" : "")
                + " (the distribution header)";
    }

    // ---------------------------------------------------------------- ticks

    private void tickLoop() {
        long interval = config.tickInterval().toNanos();
        int intensity = config.tickIntensity();
        long lastIn = get(BYTES_IN);
        long lastOut = get(BYTES_OUT);
        int silent = 0;
        while (closeReason == null) {
            try {
                TimeUnit.NANOSECONDS.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            if (closeReason != null) return;
            long in = get(BYTES_IN);
            if (in == lastIn) {
                if (++silent >= intensity) {
                    LOG.warn("node {} not responding: removing the (timed out) connection, nothing read for {}",
                            peer, config.tickTime());
                    close(NET_TICK_TIMEOUT);
                    return;
                }
            } else {
                silent = 0;
                lastIn = in;
            }
            long out = get(BYTES_OUT);
            if (out == lastOut && queue.isEmpty()) {
                queue.offer(TICK);
                if ((boolean) WRITER_PARKED.getVolatile(this) && WRITER_PARKED.compareAndSet(this, true, false)) {
                    LockSupport.unpark(writer);
                }
            }
            lastOut = out;
        }
    }

    // ---------------------------------------------------------------- closing

    /** Closes the connection (reason {@code "closed"}); frames still queued are dropped. */
    @Override
    public void close() {
        close(CLOSED);
    }

    /**
     * Closes the connection for {@code reason}: closes the stream, stops the three threads and tells
     * the listener. Only the first close counts.
     *
     * @return true when this call closed it
     */
    public boolean close(String reason) {
        Objects.requireNonNull(reason, "reason");
        if (!CLOSE_REASON.compareAndSet(this, null, reason)) return false;
        try {
            stream.close();
        } catch (IOException e) {
            LOG.debug("closing the stream to node {}: {}", peer, e.toString());
        }
        LockSupport.unpark(writer);
        ticker.interrupt();
        queue.clear();
        if (reason.equals(CLOSED)) {
            LOG.debug("connection to node {} closed", peer);
        } else {
            LOG.info("connection to node {} closed: {}", peer, reason);
        }
        try {
            listener.onClosed(reason);
        } catch (RuntimeException e) {
            LOG.warn("frame listener of the connection to node {} failed on close", peer, e);
        }
        return true;
    }

    public boolean isOpen() {
        return closeReason == null;
    }

    /** Why the connection closed, or null while it is open. */
    public String closeReason() {
        return closeReason;
    }

    /** Waits until the connection's threads have ended (after a close); true if they did in time. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : new Thread[] {reader, writer, ticker}) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !t.join(Duration.ofNanos(left))) return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- statistics

    /** Frames read, ticks not counted. */
    public long framesReceived() {
        return get(FRAMES_IN);
    }

    public long ticksReceived() {
        return get(TICKS_IN);
    }

    public long bytesReceived() {
        return get(BYTES_IN);
    }

    /** Frames written (or being written), ticks not counted. */
    public long framesSent() {
        return get(FRAMES_OUT);
    }

    public long ticksSent() {
        return get(TICKS_OUT);
    }

    public long bytesSent() {
        return get(BYTES_OUT);
    }

    /** Calls to the stream's write: fewer than frames when frames were batched. */
    public long writeCalls() {
        return get(WRITES);
    }

    /** Calls to the stream's read. */
    public long readCalls() {
        return get(READS);
    }

    @Override
    public String toString() {
        String r = closeReason;
        return "Connection[" + peer + (r == null ? ", open" : ", closed: " + r) + ", "
                + (distHeader ? "dist header" : "pass-through") + "]";
    }

    private long get(int i) {
        return (long) LONG.getOpaque(counters, i);
    }

    private void add(int i, long d) {
        LONG.setOpaque(counters, i, (long) LONG.getOpaque(counters, i) + d);
    }

    private static int getInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
