package io.otp4j.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.otp4j.dist.DistHandshakeTestSupport.CountingStream;
import io.otp4j.dist.DistHandshakeTestSupport.Frames;
import io.otp4j.dist.DistHandshakeTestSupport.SocketPair;
import io.otp4j.dist.internal.connection.Connection;
import io.otp4j.dist.internal.connection.ConnectionConfig;
import io.otp4j.dist.internal.connection.DistFlags;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The framed connection after the handshake: frames, batching, ticks and failures. */
@Timeout(60)
class ConnectionTest {
    static final NodeName A = NodeName.parse("a@localhost");
    static final NodeName B = NodeName.parse("b@localhost");
    static final long HEADER = DistFlags.OFFERED | DistFlags.PUBLISHED; // with FRAGMENTS: the dist header
    static final long PASS_THROUGH = HEADER & ~DistFlags.FRAGMENTS;
    static final ConnectionConfig QUIET = ConnectionConfig.DEFAULT; // ticks every 15 s: none in a short test

    /** A frame with the distribution header: 131 68 0, then {@code n}. */
    static byte[] headerFrame(int n, int extra) {
        ByteBuffer b = ByteBuffer.allocate(7 + extra).put((byte) 131).put((byte) 68).put((byte) 0).putInt(n);
        for (int i = 0; i < extra; i++) b.put((byte) (n + i));
        return b.array();
    }

    static void awaitClosed(Frames f) throws InterruptedException {
        assertThat(f.closed.await(20, TimeUnit.SECONDS)).as("the connection closed").isTrue();
    }

    @Test
    void framesFlowBothWaysInOrder() throws Exception {
        try (SocketPair p = SocketPair.open()) {
            Frames fa = new Frames();
            Frames fb = new Frames();
            Connection a = Connection.start(p.clientStream(), B, HEADER, QUIET, fa);
            Connection b = Connection.start(p.serverStream(), A, HEADER, QUIET, fb);
            assertThat(a.usesDistHeader()).isTrue();
            int n = 20_000;
            Thread other = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < n; i++) b.send(headerFrame(i, i % 50));
            });
            for (int i = 0; i < n; i++) assertThat(a.send(headerFrame(i, i % 50))).isTrue();
            other.join();
            for (int i = 0; i < n; i++) {
                assertThat(fb.frames.poll(10, TimeUnit.SECONDS)).isEqualTo(headerFrame(i, i % 50));
                assertThat(fa.frames.poll(10, TimeUnit.SECONDS)).isEqualTo(headerFrame(i, i % 50));
            }
            assertThat(a.framesSent()).isEqualTo(n);
            assertThat(b.framesReceived()).isEqualTo(n);
            assertThat(a.writeCalls()).isLessThan(n);

            a.close();
            awaitClosed(fa);
            awaitClosed(fb);
            assertThat(fa.reason).isEqualTo("closed");
            assertThat(fb.reason).isEqualTo("connection_closed");
            assertThat(a.send(headerFrame(1, 0))).isFalse();
            assertThat(a.awaitTermination(Duration.ofSeconds(10))).isTrue();
            assertThat(b.awaitTermination(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void theReaderAndWriterAreMadeByTheConfigsThreadMaker() throws Exception {
        java.util.List<String> made = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.Set<Thread> readers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        ConnectionConfig counted = QUIET.withThreads((name, task) -> {
            made.add(name);
            return Thread.ofVirtual().name(name).unstarted(task);
        });
        try (SocketPair p = SocketPair.open()) {
            Frames fb = new Frames() {
                @Override
                public void onFrame(ByteBuffer frame) {
                    readers.add(Thread.currentThread());
                    super.onFrame(frame);
                }
            };
            Connection a = Connection.start(p.clientStream(), B, HEADER, counted, new Frames());
            Connection b = Connection.start(p.serverStream(), A, HEADER, counted, fb);
            assertThat(made).containsExactlyInAnyOrder("otp4j-dist-reader-" + B, "otp4j-dist-writer-" + B,
                    "otp4j-dist-reader-" + A, "otp4j-dist-writer-" + A);
            a.send(headerFrame(1, 3));
            assertThat(fb.frames.poll(10, TimeUnit.SECONDS)).isEqualTo(headerFrame(1, 3));
            assertThat(readers).extracting(Thread::getName).containsExactly("otp4j-dist-reader-" + A);
            a.close();
            assertThat(a.awaitTermination(Duration.ofSeconds(10))).isTrue();
            assertThat(b.awaitTermination(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void framesLargerThanTheBuffersArriveWhole() throws Exception {
        ConnectionConfig small = QUIET.withBuffers(1024, 1024);
        try (SocketPair p = SocketPair.open()) {
            Frames fb = new Frames();
            Connection a = Connection.start(p.clientStream(), B, HEADER, small, new Frames());
            Connection b = Connection.start(p.serverStream(), A, HEADER, small, fb);
            byte[] big = headerFrame(7, 300_000);
            byte[] direct = headerFrame(8, 5000);
            a.send(headerFrame(1, 10));
            a.send(big);
            a.send(ByteBuffer.allocateDirect(direct.length).put(direct).flip());
            a.send(headerFrame(2, 10));
            assertThat(fb.frames.poll(10, TimeUnit.SECONDS)).isEqualTo(headerFrame(1, 10));
            assertThat(fb.frames.poll(10, TimeUnit.SECONDS)).isEqualTo(big);
            assertThat(fb.frames.poll(10, TimeUnit.SECONDS)).isEqualTo(direct);
            assertThat(fb.frames.poll(10, TimeUnit.SECONDS)).isEqualTo(headerFrame(2, 10));
            a.close();
            b.close();
        }
    }

    @Test
    void queuedFramesAreBatchedIntoFewWrites() throws Exception {
        try (SocketPair p = SocketPair.open()) {
            CountingStream counting = new CountingStream(p.clientStream(), true);
            Frames fb = new Frames();
            Connection a = Connection.start(counting, B, HEADER, QUIET, new Frames());
            Connection b = Connection.start(p.serverStream(), A, HEADER, QUIET, fb);
            int n = 10_000;
            a.send(headerFrame(-1, 0));
            assertThat(counting.firstWriteStarted.await(10, TimeUnit.SECONDS)).isTrue();
            // The writer is held in its first write; everything sent now queues up.
            for (int i = 0; i < n; i++) a.send(headerFrame(i, 13));
            counting.release.countDown();
            assertThat(fb.frames.poll(10, TimeUnit.SECONDS)).isEqualTo(headerFrame(-1, 0));
            for (int i = 0; i < n; i++) assertThat(fb.frames.poll(10, TimeUnit.SECONDS)).isEqualTo(headerFrame(i, 13));
            // 10,000 frames of 24 bytes with their lengths: 240 KB, a few 64 KiB writes.
            assertThat(counting.writes.get()).isLessThanOrEqualTo(10);
            assertThat(a.writeCalls()).isEqualTo(counting.writes.get());
            assertThat(b.readCalls()).isLessThan(n);
            a.close();
            b.close();
        }
    }

    @Test
    void ticksAreSentWhenIdleAndKeepTheConnectionUp() throws Exception {
        ConnectionConfig fast = QUIET.withTickTime(Duration.ofSeconds(1));
        try (SocketPair p = SocketPair.open()) {
            Frames fa = new Frames();
            Frames fb = new Frames();
            Connection a = Connection.start(p.clientStream(), B, HEADER, fast, fa);
            long t0 = System.nanoTime();
            Connection b = Connection.start(p.serverStream(), A, HEADER, fast, fb);
            // each side lives on the other's ticks for two and a half tick times
            fa.awaitTicksSpanning(t0, Duration.ofMillis(2500), Duration.ofSeconds(5));
            fb.awaitTicksSpanning(t0, Duration.ofMillis(2500), Duration.ofSeconds(5));
            assertThat(a.isOpen()).as("open: " + a.closeReason()).isTrue();
            assertThat(b.isOpen()).as("open: " + b.closeReason()).isTrue();
            assertThat(a.ticksSent()).isPositive();
            assertThat(b.ticksSent()).isPositive();
            assertThat(a.ticksReceived()).isPositive();
            assertThat(b.ticksReceived()).isPositive();
            assertThat(fa.frames).isEmpty(); // ticks are not frames
            assertThat(a.framesReceived()).isZero();
            a.close();
            b.close();
        }
    }

    @Test
    void aBusyConnectionDoesNotTick() throws Exception {
        ConnectionConfig fast = QUIET.withTickTime(Duration.ofMillis(800)); // checks every 200 ms
        try (SocketPair p = SocketPair.open()) {
            Connection a = Connection.start(p.clientStream(), B, HEADER, fast, new Frames(false));
            Frames fb = new Frames();
            Connection b = Connection.start(p.serverStream(), A, HEADER, fast, fb);
            // a sends for a second, each frame once b has the previous one: a is never idle
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1000);
            while (System.nanoTime() < end) {
                a.send(headerFrame(1, 0));
                assertThat(fb.frames.poll(5, TimeUnit.SECONDS)).isNotNull();
            }
            assertThat(a.ticksSent()).isLessThanOrEqualTo(1); // (one, if this thread stalled for 200 ms)
            assertThat(b.ticksSent()).isGreaterThanOrEqualTo(2);
            a.close();
            b.close();
        }
    }

    @Test
    void aSilentPeerIsDeclaredDownAfterTheTickTime() throws Exception {
        try (SocketPair p = SocketPair.open()) {
            Frames fa = new Frames();
            long t0 = System.nanoTime();
            Connection a = Connection.start(p.clientStream(), B, HEADER, QUIET.withTickTime(Duration.ofMillis(400)), fa);
            awaitClosed(fa);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(fa.reason).isEqualTo("net_tick_timeout");
            assertThat(a.closeReason()).isEqualTo("net_tick_timeout");
            assertThat(ms).isBetween(350L, 5000L);
            // It ticked to its silent peer meanwhile: 4-byte zero lengths.
            DataInputStream in = new DataInputStream(p.server().getInputStream());
            assertThat(in.readInt()).isZero();
        }
    }

    @Test
    void aHugeFrameLengthClosesTheConnectionWithTheReason() throws Exception {
        try (SocketPair p = SocketPair.open()) {
            Frames fa = new Frames();
            Connection a = Connection.start(p.clientStream(), B, HEADER, QUIET.withMaxFrameLength(1 << 20), fa);
            OutputStream out = p.server().getOutputStream();
            out.write(new byte[] {0, 0, 0, 7, (byte) 131, 68, 0, 1, 2, 3, 4});
            out.write(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xF0, 1, 2, 3});
            out.flush();
            awaitClosed(fa);
            assertThat(fa.frames).hasSize(1);
            assertThat(fa.reason).contains("malformed frame", "b@localhost", "length 4294967280",
                    "exceeds the maximum of 1048576");
            assertThat(a.isOpen()).isFalse();
            assertThat(p.server().getInputStream().read()).isEqualTo(-1); // the socket is closed
        }
    }

    @Test
    void aFrameOfTheWrongKindClosesTheConnection() throws Exception {
        // Pass-through was negotiated (no FRAGMENTS, no atom cache): a dist header frame is wrong.
        try (SocketPair p = SocketPair.open()) {
            Frames fa = new Frames();
            Connection a = Connection.start(p.clientStream(), B, PASS_THROUGH, QUIET, fa);
            assertThat(a.usesDistHeader()).isFalse();
            OutputStream out = p.server().getOutputStream();
            out.write(new byte[] {0, 0, 0, 3, 112, (byte) 131, 97});
            out.write(new byte[] {0, 0, 0, 3, (byte) 131, 68, 0});
            awaitClosed(fa);
            assertThat(fa.frames).hasSize(1);
            assertThat(fa.reason).contains("malformed frame", "expected 112");
        }
        // The dist header without FRAGMENTS: a fragment is wrong.
        try (SocketPair p = SocketPair.open()) {
            Frames fa = new Frames();
            Connection.start(p.clientStream(), B, PASS_THROUGH | DistFlags.DIST_HDR_ATOM_CACHE, QUIET, fa);
            p.server().getOutputStream().write(new byte[] {0, 0, 0, 3, (byte) 131, 69, 0});
            awaitClosed(fa);
            assertThat(fa.reason).contains("expected 131 68");
        }
    }

    @Test
    void aFailingListenerClosesTheConnection() throws Exception {
        try (SocketPair p = SocketPair.open()) {
            Frames fb = new Frames();
            Frames failing = new Frames() {
                @Override
                public void onFrame(ByteBuffer frame) {
                    throw new IllegalStateException("boom");
                }
            };
            Connection a = Connection.start(p.clientStream(), B, HEADER, QUIET, fb);
            Connection.start(p.serverStream(), A, HEADER, QUIET, failing);
            a.send(headerFrame(1, 1));
            awaitClosed(failing);
            assertThat(failing.reason).contains("frame listener failed", "boom");
            awaitClosed(fb);
            assertThat(fb.reason).isEqualTo("connection_closed");
        }
    }

    @Test
    void emptyFramesAreRefused() throws Exception {
        try (SocketPair p = SocketPair.open()) {
            Connection a = Connection.start(p.clientStream(), B, HEADER, QUIET, new Frames());
            assertThatThrownBy(() -> a.send(new byte[0])).isInstanceOf(IllegalArgumentException.class);
            a.close();
        }
    }
}
