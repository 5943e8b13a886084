package io.otp4j.dist;

import io.otp4j.Atom;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Tuple;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.StartOptions;
import io.otp4j.dist.internal.connection.DistStream;
import io.otp4j.dist.internal.connection.Handshake;
import io.otp4j.dist.internal.connection.HandshakeConfig;
import io.otp4j.dist.internal.connection.HandshakeRegistry;
import io.otp4j.dist.internal.etf.DistEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile peers: random and mutated bytes during the handshake, and random and mutated frames after
 * a valid handshake. Only the bad connection closes; the node keeps serving real peers.
 */
class DistFuzzTest {
    int epmdPort;
    Node node;
    Distribution dist;
    Node peer;
    Distribution peerDist;

    record Pong() implements GenServer<Integer, Object> {
        @Override
        public Init<Integer> init() {
            return new Init.Ok<>(0);
        }

        @Override
        public CallResult<Integer> handleCall(Object req, From from, Integer n) {
            return new Reply<>(Atom.of("pong"), n + 1);
        }
    }

    @BeforeEach
    void start() throws Exception {
        epmdPort = ErlNode.freePort();
        node = Node.start(Node.Options.named("target@localhost").withCreation(21));
        dist = Distribution.start(node, DistOptions.cookie("fuzz").withEpmdPort(epmdPort));
        node.run(() -> GenServer.start(new Pong(), StartOptions.named("pong")));
        peer = Node.start(Node.Options.named("honest@localhost").withCreation(22));
        peerDist = Distribution.start(peer, DistOptions.cookie("fuzz").withEpmdPort(epmdPort));
    }

    @AfterEach
    void stop() {
        peer.stop();
        node.stop();
    }

    private void stillServes() {
        Object r = peerDist.call("pong", "target@localhost", "ping");
        assertThat(r).isEqualTo(Atom.of("pong"));
    }

    @Test
    void randomAndMutatedHandshakesCloseOnlyTheirConnection() throws Exception {
        Random rnd = new Random(42);
        // a valid send_name ('N'), to mutate: length, 'N', flags, creation, name length, name
        byte[] name = "evil@localhost".getBytes();
        ByteBuffer valid = ByteBuffer.allocate(2 + 1 + 8 + 4 + 2 + name.length);
        valid.putShort((short) (1 + 8 + 4 + 2 + name.length)).put((byte) 'N').putLong(0x7fffffffL).putInt(5)
                .putShort((short) name.length).put(name);
        for (int i = 0; i < 300; i++) {
            byte[] bytes;
            if (i % 2 == 0) {
                bytes = new byte[rnd.nextInt(200)];
                rnd.nextBytes(bytes);
            } else {
                bytes = valid.array().clone();
                for (int k = 0; k < 1 + rnd.nextInt(4); k++) bytes[rnd.nextInt(bytes.length)] = (byte) rnd.nextInt(256);
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), dist.port())) {
                s.setSoTimeout(2000);
                OutputStream out = s.getOutputStream();
                out.write(bytes);
                out.flush();
                s.shutdownOutput();
                s.getInputStream().readAllBytes(); // until the node closes it (or answers and closes)
            } catch (IOException closed) {
                // the node closed the connection: that is the point
            }
        }
        stillServes();
    }

    @Test
    void randomAndMutatedFramesAfterTheHandshakeCloseOnlyTheirConnection() throws Exception {
        Random rnd = new Random(7);
        io.otp4j.dist.NodeName me = io.otp4j.dist.NodeName.parse("mallory@localhost");
        byte[] good = new DistEncoder(true, 0, 100).encode(
                Tuple.of(6, new Pid("mallory@localhost", 1, 0, 3), Atom.of(""), Atom.of("pong")),
                Tuple.of(Atom.of("hello"), List.of(1, 2, 3)), 1).getFirst();
        for (int round = 0; round < 40; round++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), dist.port())) {
                s.setSoTimeout(5000);
                DistStream stream = DistStream.of(s);
                Handshake.initiate(stream, HandshakeConfig.of(me, 3, "fuzz"),
                        io.otp4j.dist.NodeName.parse("target@localhost"), HandshakeRegistry.ACCEPT_ALL);
                OutputStream out = s.getOutputStream();
                for (int i = 0; i < 20; i++) {
                    byte[] frame;
                    if (rnd.nextBoolean()) {
                        frame = new byte[1 + rnd.nextInt(100)];
                        rnd.nextBytes(frame);
                    } else {
                        frame = good.clone();
                        for (int k = 0; k < 1 + rnd.nextInt(3); k++) frame[rnd.nextInt(frame.length)] = (byte) rnd.nextInt(256);
                    }
                    ByteBuffer b = ByteBuffer.allocate(4 + frame.length).putInt(frame.length).put(frame);
                    out.write(b.array());
                }
                // a frame that claims 2 GB
                out.write(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array());
                out.flush();
                s.getInputStream().readAllBytes();
            } catch (IOException closed) {
                // closed by the node
            }
        }
        stillServes();
    }
}
