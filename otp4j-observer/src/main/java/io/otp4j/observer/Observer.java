package io.otp4j.observer;

import io.otp4j.Node;
import io.otp4j.dist.Distribution;
import io.otp4j.observer.internal.ObserverServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * A live web view of a running node, as Erlang's {@code observer}: the supervision tree of every
 * application, the processes (sortable, filterable, each with its own page: links, monitors, state,
 * last crash, a Kill button), the ETS and DETS tables and the connected nodes, updated twice a
 * second, and the same data as JSON for scripts.
 *
 * {@snippet :
 * Node node = Node.start(Node.Options.named("shop@localhost"));
 * try (Observer observer = Observer.start(node, Observer.Options.defaults().withPort(8090))) {
 *     System.out.println("observer at " + observer.uri());   // http://127.0.0.1:8090/
 *     // ... the node runs ...
 * }
 * }
 *
 * <p>Nothing runs unless started: no thread, no socket. {@link #close()} stops the web server and
 * ends the open event streams; the node goes on.
 *
 * <p><b>What the observer costs the node.</b> Each request runs in a short-lived process of the
 * node; listing a supervision tree calls each supervisor ({@code which_children}), and a process's
 * page calls its process ({@code sys:get_state}, {@code sys:get_status}). Those calls are bounded
 * by {@link Options#callTimeout()}: a busy or dead process shows as such, it does not hold up the
 * page. While a page is open, a snapshot of everything is made every {@link Options#eventInterval()}
 * and pushed to it (Server-Sent Events, {@code /api/events}); with no page open, no snapshot is made.
 *
 * <p><b>Security.</b> Anyone who can reach the port sees the node's processes and their state, and
 * can kill any process. So the server listens on the loopback address by default (reachable from
 * this machine only), answers only requests whose {@code Host} names a loopback host when it does
 * (a web page whose domain an attacker points at 127.0.0.1, DNS rebinding, is refused), and
 * refuses cross-site POSTs: the kill endpoint requires the header {@code X-Otp4j-Observer}, which
 * a page of another site cannot send without the browser first asking this server's permission
 * (a CORS preflight, which the observer never grants), and a request whose {@code Origin} is not
 * this server's own. Pages may not be framed by other sites. There is no login: bind to another
 * address only on a trusted network, or behind a proxy that authenticates.
 *
 * <p>The JSON endpoints ({@code GET /api/node}, {@code /api/processes},
 * {@code /api/processes/{pid}}, {@code /api/apps}, {@code /api/tables}, {@code /api/nodes},
 * {@code /api/events}; {@code POST /api/processes/{pid}/kill}) are described in the module's
 * README. Pids in URLs are written as Erlang prints them, without the angle brackets:
 * {@code 0.123.0}.
 */
public final class Observer implements AutoCloseable {
    private final ObserverServer server;

    private Observer(ObserverServer server) {
        this.server = server;
    }

    /**
     * Starts an observer of {@code node}: binds its address and port, and returns once it answers.
     *
     * @param node    the node to show; it may run in this JVM only (the observer reads it directly)
     * @param options where to listen and how often to update; {@link Options#defaults()} to start with
     * @return the running observer; close it to stop the web server
     * @throws IOException           if the address and port cannot be bound
     * @throws IllegalStateException if the node is stopped
     */
    public static Observer start(Node node, Options options) throws IOException {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(options, "options");
        if (node.isStopped()) throw new IllegalStateException("node " + node.name() + " is stopped");
        return new Observer(ObserverServer.start(node, new ObserverServer.Settings(options.bindAddress(),
                options.port(), options.eventInterval(), options.callTimeout(), options.distribution(),
                options.processLimit(), options.crashReports())));
    }

    /** Where the page is, e.g. {@code http://127.0.0.1:8090/}. */
    public URI uri() {
        return server.uri();
    }

    /** The port it listens on (the one chosen, when started with port 0). */
    public int port() {
        return server.port();
    }

    /** Stops the web server: open pages lose their event stream, the port is released. Idempotent. */
    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "Observer[" + uri() + "]";
    }

    /**
     * How to start an observer.
     *
     * @param bindAddress   the address to listen on: the loopback address by default (see the
     *                      security note of {@link Observer})
     * @param port          the port; 0 (the default) takes any free port, which {@link #port()} tells
     * @param eventInterval how often an open page gets a fresh snapshot (500 ms)
     * @param callTimeout   how long the observer waits for a process it asks something (a
     *                      supervisor for its children, a server for its state): 1 s
     * @param distribution  the distribution whose connected nodes are listed; null (the default) for
     *                      the node's own, if it is distributed (otherwise the observer says it is not)
     * @param processLimit  the most processes a list or snapshot holds (10,000), in pid order; the
     *                      count of all processes is always given
     * @param crashReports  for how many processes the last crash report is kept (1,000): the
     *                      oldest are forgotten first
     */
    public record Options(InetAddress bindAddress, int port, Duration eventInterval, Duration callTimeout,
                          Distribution distribution, int processLimit, int crashReports) {

        public Options {
            Objects.requireNonNull(bindAddress, "bindAddress");
            if (port < 0 || port > 65535) throw new IllegalArgumentException("bad port " + port);
            Objects.requireNonNull(eventInterval, "eventInterval");
            if (eventInterval.toMillis() < 10) {
                throw new IllegalArgumentException("eventInterval must be at least 10 ms, got " + eventInterval);
            }
            Objects.requireNonNull(callTimeout, "callTimeout");
            if (callTimeout.isNegative() || callTimeout.isZero()) {
                throw new IllegalArgumentException("callTimeout must be positive, got " + callTimeout);
            }
            if (processLimit <= 0) throw new IllegalArgumentException("processLimit must be positive, got " + processLimit);
            if (crashReports < 0) throw new IllegalArgumentException("crashReports cannot be negative, got " + crashReports);
        }

        /** The loopback address, any free port, a snapshot every 500 ms, calls bounded by 1 s. */
        public static Options defaults() {
            return new Options(InetAddress.getLoopbackAddress(), 0, Duration.ofMillis(500), Duration.ofSeconds(1),
                    null, 10_000, 1_000);
        }

        public Options withBindAddress(InetAddress address) {
            return new Options(address, port, eventInterval, callTimeout, distribution, processLimit, crashReports);
        }

        public Options withPort(int p) {
            return new Options(bindAddress, p, eventInterval, callTimeout, distribution, processLimit, crashReports);
        }

        public Options withEventInterval(Duration interval) {
            return new Options(bindAddress, port, interval, callTimeout, distribution, processLimit, crashReports);
        }

        public Options withCallTimeout(Duration timeout) {
            return new Options(bindAddress, port, eventInterval, timeout, distribution, processLimit, crashReports);
        }

        public Options withDistribution(Distribution dist) {
            return new Options(bindAddress, port, eventInterval, callTimeout, dist, processLimit, crashReports);
        }

        public Options withProcessLimit(int limit) {
            return new Options(bindAddress, port, eventInterval, callTimeout, distribution, limit, crashReports);
        }

        public Options withCrashReports(int kept) {
            return new Options(bindAddress, port, eventInterval, callTimeout, distribution, processLimit, kept);
        }
    }
}
