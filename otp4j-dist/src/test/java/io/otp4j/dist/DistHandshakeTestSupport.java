package io.otp4j.dist;

import io.otp4j.dist.internal.connection.DistStream;
import io.otp4j.dist.internal.connection.FrameListener;
import io.otp4j.dist.internal.connection.HandshakeRegistry;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Sockets, registries, listeners and streams for the handshake and connection tests. */
final class DistHandshakeTestSupport {
    private DistHandshakeTestSupport() {}

    /** Two connected loopback sockets; closing the pair closes both. */
    record SocketPair(Socket client, Socket server) implements AutoCloseable {
        static SocketPair open() throws IOException {
            try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                Socket c = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
                Socket s = ss.accept();
                return new SocketPair(c, s);
            }
        }

        DistStream clientStream() throws IOException {
            return DistStream.of(client);
        }

        DistStream serverStream() throws IOException {
            return DistStream.of(server);
        }

        @Override
        public void close() throws IOException {
            client.close();
            server.close();
        }
    }

    /**
     * A node's table of connections as the handshake sees it, deciding simultaneous connects as
     * Erlang does: a pending attempt of ours wins over the peer's when our name is greater; a
     * losing attempt of ours is aborted by closing its stream.
     */
    static final class TestRegistry implements HandshakeRegistry {
        enum State { PENDING, UP }

        final NodeName self;
        final Map<NodeName, State> states = new ConcurrentHashMap<>();
        final Map<NodeName, DistStream> outgoing = new ConcurrentHashMap<>();
        final List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile boolean confirmAlive = true;

        TestRegistry(NodeName self) {
            this.self = self;
        }

        /** Before initiating a connection to {@code peer} over {@code stream}. */
        void connecting(NodeName peer, DistStream stream) {
            states.put(peer, State.PENDING);
            outgoing.put(peer, stream);
        }

        void up(NodeName peer) {
            states.put(peer, State.UP);
            outgoing.remove(peer);
        }

        @Override
        public synchronized Pending acceptPending(NodeName peer) {
            State s = states.get(peer);
            if (s == null) {
                states.put(peer, State.PENDING);
                events.add("ok " + peer);
                return Pending.OK;
            }
            if (s == State.UP) {
                events.add("alive " + peer);
                return Pending.ALIVE;
            }
            if (HandshakeRegistry.ownAttemptWins(self, peer)) {
                events.add("nok " + peer);
                return Pending.NOK;
            }
            DistStream own = outgoing.remove(peer);
            if (own != null) {
                try {
                    own.close();
                } catch (IOException ignored) {
                    // aborting
                }
            }
            events.add("ok_simultaneous " + peer);
            return Pending.OK_SIMULTANEOUS;
        }

        @Override
        public boolean isPending(NodeName peer) {
            events.add("is_pending " + peer);
            return confirmAlive;
        }

        @Override
        public void replace(NodeName peer) {
            events.add("replace " + peer);
        }
    }

    /** Keeps copies of the frames a connection hands over, and why it closed. */
    static class Frames implements FrameListener {
        final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        /** When each tick arrived (System.nanoTime). */
        final LinkedBlockingQueue<Long> ticks = new LinkedBlockingQueue<>();
        final CountDownLatch closed = new CountDownLatch(1);
        final AtomicInteger count = new AtomicInteger();
        volatile String reason;
        final boolean keep;

        Frames() {
            this(true);
        }

        Frames(boolean keep) {
            this.keep = keep;
        }

        @Override
        public void onFrame(ByteBuffer frame) {
            if (keep) {
                byte[] b = new byte[frame.remaining()];
                frame.get(b);
                frames.add(b);
            }
            count.incrementAndGet();
        }

        @Override
        public void onTick() {
            ticks.add(System.nanoTime());
        }

        @Override
        public void onClosed(String reason) {
            this.reason = reason;
            closed.countDown();
        }

        /**
         * Waits for ticks until one arrives {@code span} or more after {@code since} (a
         * System.nanoTime): the connection has then lived on ticks alone for that long.
         *
         * @throws AssertionError if the ticks stop coming for {@code gap}
         */
        void awaitTicksSpanning(long since, Duration span, Duration gap) throws InterruptedException {
            for (;;) {
                Long at = ticks.poll(gap.toNanos(), TimeUnit.NANOSECONDS);
                if (at == null) throw new AssertionError("no tick for " + gap + " (closed: " + reason + ")");
                if (at - since >= span.toNanos()) return;
            }
        }
    }

    /** A stream that counts its writes, and can hold the first write until released. */
    static final class CountingStream implements DistStream {
        final DistStream inner;
        final AtomicInteger writes = new AtomicInteger();
        final CountDownLatch firstWriteStarted = new CountDownLatch(1);
        final CountDownLatch release;

        CountingStream(DistStream inner, boolean holdFirstWrite) {
            this.inner = inner;
            this.release = new CountDownLatch(holdFirstWrite ? 1 : 0);
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            return inner.read(buf, off, len);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            firstWriteStarted.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            writes.incrementAndGet();
            inner.write(buf, off, len);
        }

        @Override
        public void setReadTimeout(int millis) throws IOException {
            inner.setReadTimeout(millis);
        }

        @Override
        public String remote() {
            return inner.remote();
        }

        @Override
        public void close() throws IOException {
            release.countDown();
            inner.close();
        }
    }

    /** A handshake message with its 2-byte length. */
    static byte[] message(byte[] body) {
        byte[] m = new byte[2 + body.length];
        m[0] = (byte) (body.length >>> 8);
        m[1] = (byte) body.length;
        System.arraycopy(body, 0, m, 2, body.length);
        return m;
    }

    /** Reads one handshake message's body. */
    static byte[] readMessage(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        int n = in.readUnsignedShort();
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
