package io.otp4j.dist;

import io.otp4j.dist.internal.epmd.EpmdClient;
import io.otp4j.dist.internal.epmd.EpmdException;
import io.otp4j.dist.internal.epmd.Names;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Helpers of the EPMD tests: free ports, the real epmd and erl as subprocesses, raw exchanges. */
final class EpmdTestSupport {
    private EpmdTestSupport() {}

    static final String EPMD = "/usr/bin/epmd";
    static final String ERL = "/usr/bin/erl";

    static final InetAddress LOOPBACK;

    static {
        try {
            LOOPBACK = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static boolean epmdInstalled() {
        return new File(EPMD).canExecute();
    }

    static boolean erlInstalled() {
        return new File(ERL).canExecute();
    }

    /** A port free on 127.0.0.1 a moment ago. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(LOOPBACK, 0));
            return s.getLocalPort();
        }
    }

    /**
     * The real epmd, run in the foreground with its debug output ({@code -d -d}), which says what
     * it does: its main loop once it listens, each registration and each unregistration.
     */
    record RealEpmd(Process process, BlockingQueue<String> output) {
        /** Waits for a line of epmd's output containing {@code text}, or fails. */
        void awaitOutput(String text, Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            for (;;) {
                long left = deadline - System.nanoTime();
                String l = left > 0 ? output.poll(left, TimeUnit.NANOSECONDS) : null;
                if (l == null) throw new AssertionError("epmd did not print \"" + text + "\" within " + limit);
                if (l.contains(text)) return;
            }
        }
    }

    /** Starts the real epmd on {@code port} (127.0.0.1) and waits until it says it serves. */
    static RealEpmd startRealEpmd(int port, String... extraArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(EPMD, "-d", "-d", "-port", Integer.toString(port), "-address", "127.0.0.1"));
        cmd.addAll(List.of(extraArgs));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        RealEpmd epmd = new RealEpmd(p, new LinkedBlockingQueue<>());
        Thread.ofVirtual().name("epmd-" + port + "-output").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) epmd.output().add(l);
            } catch (IOException ignored) {
                // epmd ended
            }
        });
        try {
            epmd.awaitOutput("entering the main select() loop", Duration.ofSeconds(15));
            return epmd;
        } catch (AssertionError e) {
            stop(p);
            throw new IllegalStateException("epmd did not start on port " + port, e);
        }
    }

    /** Stops a subprocess: destroy, wait, then force. */
    static void stop(Process p) throws InterruptedException {
        if (p == null) return;
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Runs a command to its end (bounded), returning its exit code and its output (stderr merged). */
    static Result run(List<String> cmd, Map<String, String> env, Duration limit) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            p.getOutputStream().close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (InputStream in = p.getInputStream()) {
                    in.transferTo(out);
                } catch (IOException ignored) {
                    // the process is gone
                }
            });
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("command did not finish within " + limit + ": " + cmd);
            }
            reader.join(5000);
            return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
        } finally {
            stop(p);
        }
    }

    record Result(int exit, String output) {}

    /** The names of the EPMD on {@code port}, or null when it does not answer. */
    static Names namesOrNull(int port) {
        try {
            return new EpmdClient(port, Duration.ofSeconds(2)).names(LOOPBACK);
        } catch (EpmdException e) {
            return null;
        }
    }

    static byte[] request(int code, byte... body) {
        byte[] b = new byte[3 + body.length];
        int len = 1 + body.length;
        b[0] = (byte) (len >>> 8);
        b[1] = (byte) len;
        b[2] = (byte) code;
        System.arraycopy(body, 0, b, 3, body.length);
        return b;
    }

    /** An ALIVE2_REQ with the given fields (lengths as given, not necessarily true). */
    static byte[] alive2(int port, int type, int high, int low, byte[] name, byte[] extra) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(port >>> 8);
        b.write(port);
        b.write(type);
        b.write(0);
        b.write(high >>> 8);
        b.write(high);
        b.write(low >>> 8);
        b.write(low);
        b.write(name.length >>> 8);
        b.write(name.length);
        b.writeBytes(name);
        b.write(extra.length >>> 8);
        b.write(extra.length);
        b.writeBytes(extra);
        return request(120, b.toByteArray());
    }

    /** Sends {@code bytes} to 127.0.0.1:port and reads until the peer closes (or {@code limit} passes). */
    static Exchange exchange(int port, byte[] bytes, Duration limit) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(LOOPBACK, port), 5000);
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            return readToEnd(s, limit);
        }
    }

    /** Reads from {@code s} until it closes or {@code limit} passes. */
    static Exchange readToEnd(Socket s, Duration limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + limit.toNanos();
        byte[] buf = new byte[4096];
        InputStream in = s.getInputStream();
        while (true) {
            long ms = (deadline - System.nanoTime()) / 1_000_000;
            if (ms <= 0) return new Exchange(out.toByteArray(), false);
            s.setSoTimeout((int) ms);
            try {
                int n = in.read(buf);
                if (n < 0) return new Exchange(out.toByteArray(), true);
                out.write(buf, 0, n);
            } catch (SocketTimeoutException e) {
                return new Exchange(out.toByteArray(), false);
            } catch (IOException e) {
                // a reset counts as closed
                return new Exchange(out.toByteArray(), true);
            }
        }
    }

    /** What came back, and whether the peer closed the connection. */
    record Exchange(byte[] reply, boolean closed) {
        String text() {
            return new String(reply, StandardCharsets.UTF_8);
        }
    }
}
