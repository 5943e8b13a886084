package io.otp4j.dist;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real Erlang node for interop tests: {@code erl -sname NAME -setcookie C -noshell -eval CODE},
 * using the EPMD on {@code epmdPort} (never starting one of its own); its standard output is read
 * line by line. {@link #close} kills it and waits for it.
 */
final class ErlNode implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    ErlNode(String sname, String cookie, int epmdPort, String code) throws IOException {
        this(sname, cookie, epmdPort, List.of(), code);
    }

    /** With more {@code erl} arguments, e.g. {@code -proto_dist inet_tls -ssl_dist_optfile FILE}. */
    ErlNode(String sname, String cookie, int epmdPort, List<String> erlArgs, String code) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("erl", "-sname", sname, "-setcookie", cookie, "-noshell",
                "-start_epmd", "false"));
        cmd.addAll(erlArgs);
        cmd.addAll(List.of("-eval", code));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("ERL_EPMD_PORT", Integer.toString(epmdPort));
        pb.redirectErrorStream(true);
        process = pb.start();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
            } catch (IOException ignored) {
                // the process ended
            }
        });
    }

    /** Waits for a line containing {@code text}; fails with what was printed if none comes in time. */
    String await(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            long left = deadline - System.nanoTime();
            String l = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (l == null) throw new AssertionError("erl did not print \"" + text + "\" within " + timeout + "; it printed: " + seen);
            seen.add(l);
            if (l.contains(text)) return l;
        }
    }

    /** Waits for the node to exit; its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("erl did not exit within " + timeout + "; it printed: " + seen + lines);
        }
        return process.exitValue();
    }

    /** Kills the node at once (kill -9). */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
