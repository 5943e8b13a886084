package io.otp4j.examples.pingpong;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real Erlang node running one expression: {@code erl -sname NAME -setcookie COOKIE -noshell
 * -eval CODE}, registering with the EPMD on {@code epmdPort} (it never starts one of its own).
 * Its output is read line by line; {@link #close} kills it if it still runs and waits for it.
 */
final class Erl implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final Thread reader;

    Erl(String sname, String cookie, int epmdPort, String code) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("erl", "-sname", sname, "-setcookie", cookie, "-noshell",
                "-start_epmd", "false", "-eval", code).redirectErrorStream(true);
        pb.environment().put("ERL_EPMD_PORT", Integer.toString(epmdPort));
        process = pb.start();
        process.getOutputStream().close();
        reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
            } catch (IOException ended) {
                // the node is gone
            }
        });
    }

    /** Waits for the next line containing {@code text}; fails, with what the node printed, if none comes in time. */
    String await(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String l = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (l == null) throw new AssertionError("erl did not print \"" + text + "\" within " + timeout + "; it printed " + seen);
            seen.add(l);
            if (l.contains(text)) return l;
        }
    }

    /** Waits for the node to halt; its exit status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("erl did not halt within " + timeout + "; it printed " + seen + lines);
        }
        return process.exitValue();
    }

    /** What the node printed that the awaits took, in order. */
    List<String> seen() {
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            reader.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
