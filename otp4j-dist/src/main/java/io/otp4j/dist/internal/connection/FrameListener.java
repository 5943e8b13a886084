package io.otp4j.dist.internal.connection;

import java.nio.ByteBuffer;

/**
 * Receives what a {@link Connection} reads, on the connection's reader thread, one frame at a
 * time and in order.
 */
public interface FrameListener {

    /**
     * One frame: the bytes after its 4-byte length, from the buffer's position (0) to its limit.
     * With the distribution header ({@link Connection#usesDistHeader()}) it starts with {@code 131 68}
     * (or {@code 131 69}, {@code 131 70} for the fragments of a large message); without it, with
     * {@code 112} (pass-through). Ticks (empty frames) are not passed on.
     *
     * <p>The buffer is the reader's own and is valid only until this method returns: decode it, or
     * copy what is to be kept. Throwing closes the connection.
     */
    void onFrame(ByteBuffer frame);

    /** A tick (an empty frame) arrived: the peer is alive and had nothing to send. */
    default void onTick() {
    }

    /**
     * The connection is closed, for {@code reason}: {@code "net_tick_timeout"} when the peer was
     * silent for the tick time, {@code "connection_closed"} when the peer closed it, {@code "closed"}
     * when this node closed it, or a sentence for a malformed frame or a failed read or write.
     * Called once, on whichever thread closed the connection.
     */
    void onClosed(String reason);
}
