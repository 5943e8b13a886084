package io.otp4j.dist.internal.connection;

import java.io.Closeable;
import java.io.IOException;
import java.net.Socket;

/**
 * The byte stream a distribution connection runs over: blocking reads and writes, a read timeout
 * and a close that wakes a blocked reader. {@link #of(Socket)} adapts a TCP socket; a TLS stream
 * can implement it the same way.
 *
 * <p>One thread reads and one thread writes at a time; {@link #close} may come from any thread.
 */
public interface DistStream extends Closeable {

    /**
     * Reads up to {@code len} bytes, blocking until at least one is there.
     *
     * @return the number of bytes read, or -1 at the end of the stream
     * @throws java.net.SocketTimeoutException when the {@linkplain #setReadTimeout read timeout}
     *     passes first (the stream stays usable)
     */
    int read(byte[] buf, int off, int len) throws IOException;

    /** Writes all {@code len} bytes (one call is meant to be one system call, or close to it). */
    void write(byte[] buf, int off, int len) throws IOException;

    /** The longest a {@link #read} blocks, in milliseconds; 0 for no limit. */
    void setReadTimeout(int millis) throws IOException;

    /** Who is at the other end, for log lines and reasons ({@code 127.0.0.1:4369}). */
    String remote();

    /** Closes the stream; a blocked {@link #read} or {@link #write} returns with an exception. Idempotent. */
    @Override
    void close() throws IOException;

    /** The stream of a connected TCP socket; sets {@code TCP_NODELAY}, as Erlang's distribution does. */
    static DistStream of(Socket socket) throws IOException {
        return new SocketDistStream(socket);
    }
}
