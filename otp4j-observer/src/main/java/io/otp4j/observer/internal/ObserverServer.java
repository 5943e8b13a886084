package io.otp4j.observer.internal;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.dist.Distribution;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The observer's web server: the JDK's {@code HttpServer}, a virtual thread per exchange, one
 * context that routes by method and path. Every API request reads the node in a fresh process of
 * the node ({@link Node#run}) through the {@link Inspector}.
 */
public final class ObserverServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ObserverServer.class);

    /** The header a POST must carry: a page of another site cannot send it without a CORS preflight. */
    static final String CSRF_HEADER = "X-Otp4j-Observer";

    /** The page's files, served from the class path. */
    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/observer.js", "observer.js",
            "/observer.css", "observer.css");

    /** The observer's settings, as {@code Observer.Options} gives them. */
    public record Settings(InetAddress bindAddress, int port, Duration eventInterval, Duration callTimeout,
                           Distribution distribution, int processLimit, int crashReports) {
    }

    private final Node node;
    private final HttpServer http;
    private final ExecutorService executor;
    private final Inspector inspector;
    private final EventFeed feed;
    private final AutoCloseable reportListener;
    private final boolean loopbackOnly;
    private final URI uri;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ObserverServer(Node node, Settings s) throws IOException {
        this.node = node;
        CrashLog crashes = new CrashLog(s.crashReports());
        this.inspector = new Inspector(node, s.callTimeout(), s.processLimit(), s.distribution(), crashes);
        this.feed = new EventFeed(s.eventInterval(), seq -> new EventFeed.Frame(seq, "snapshot",
                Json.write(inNode(() -> inspector.snapshot(seq)))));
        this.loopbackOnly = s.bindAddress().isLoopbackAddress();
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        this.http = HttpServer.create(new InetSocketAddress(s.bindAddress(), s.port()), 0);
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        this.reportListener = node.addReportListener(crashes::accept);
        http.start();
        String host = s.bindAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        this.uri = URI.create("http://" + host + ":" + http.getAddress().getPort() + "/");
        LOG.info("observer of node {} at {}", node.name(), uri);
    }

    public static ObserverServer start(Node node, Settings settings) throws IOException {
        return new ObserverServer(node, settings);
    }

    public URI uri() {
        return uri;
    }

    public int port() {
        return uri.getPort();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        feed.close();                 // event streams end, their exchanges close
        http.stop(2);                 // waits (at most 2 s) for exchanges under way, streams ending cleanly
        executor.shutdownNow();       // requests still reading the node are interrupted
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("observer at {}: some requests did not end within 5 s of close", uri);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            reportListener.close();
        } catch (Exception e) {
            LOG.warn("observer at {}: could not remove its report listener", uri, e);
        }
        LOG.info("observer of node {} at {} closed", node.name(), uri);
    }

    // ------------------------------------------------------------------ routing

    /** A response to send: a status, a content type and a body. */
    private record Response(int status, String contentType, byte[] body) {
        static Response json(int status, Object view) {
            return new Response(status, "application/json; charset=utf-8", Json.write(view).getBytes(StandardCharsets.UTF_8));
        }

        static Response error(int status, String why) {
            return json(status, new Views.ErrorView(status, why));
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String refused = refusal(ex);
            if (refused != null) {
                send(ex, Response.error(403, refused));
                return;
            }
            String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
            String path = ex.getRequestURI().getRawPath();
            if (method.equals("GET") && path.equals("/api/events")) {
                events(ex);
                return;
            }
            Response r;
            try {
                r = route(method, path, ex);
            } catch (NodeDown e) {
                r = Response.error(503, e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("observer: {} {} failed", method, path, e);
                r = Response.error(500, Calls.describe(e));
            }
            send(ex, r);
        } catch (IOException gone) {
            LOG.debug("observer: client went away", gone);
        }
    }

    private Response route(String method, String path, HttpExchange ex) {
        if (STATIC.containsKey(path)) {
            return method.equals("GET") ? page(STATIC.get(path)) : notAllowed(method, path);
        }
        if (!path.startsWith("/api/")) return Response.error(404, "no such page: " + path);
        String[] parts = path.substring("/api/".length()).split("/", -1);
        try {
            for (int i = 0; i < parts.length; i++) {
                parts[i] = URLDecoder.decode(parts[i].replace("+", "%2B"), StandardCharsets.UTF_8); // a path keeps its '+'
            }
        } catch (IllegalArgumentException badEscape) {
            return Response.error(400, "malformed path: " + path);
        }
        boolean get = method.equals("GET");
        return switch (parts.length) {
            case 1 -> switch (parts[0]) {
                case "node" -> get ? Response.json(200, inNode(inspector::nodeView)) : notAllowed(method, path);
                case "processes" -> get ? Response.json(200, inNode(inspector::processes)) : notAllowed(method, path);
                case "apps" -> get ? Response.json(200, inNode(inspector::apps)) : notAllowed(method, path);
                case "tables" -> get ? Response.json(200, inNode(inspector::tables)) : notAllowed(method, path);
                case "nodes" -> get ? Response.json(200, inNode(inspector::nodes)) : notAllowed(method, path);
                default -> Response.error(404, "no such endpoint: " + path);
            };
            case 2 -> parts[0].equals("processes")
                    ? (get ? processPage(parts[1]) : notAllowed(method, path))
                    : Response.error(404, "no such endpoint: " + path);
            case 3 -> parts[0].equals("processes") && parts[2].equals("kill")
                    ? (method.equals("POST") ? kill(parts[1], ex) : notAllowed(method, path))
                    : Response.error(404, "no such endpoint: " + path);
            default -> Response.error(404, "no such endpoint: " + path);
        };
    }

    private Response processPage(String text) {
        Optional<Pid> pid = Pids.parse(text, node);
        if (pid.isEmpty()) return badPid(text);
        Optional<Views.ProcessDetail> d = inNode(() -> inspector.process(pid.get()));
        return d.map(v -> Response.json(200, v))
                .orElseGet(() -> Response.error(404, "no process " + text + " on node " + node.name()));
    }

    /**
     * {@code POST /api/processes/{pid}/kill}: {@code exit(Pid, kill)}. Refused without the
     * {@value #CSRF_HEADER} header (see {@link #refusal} for the Origin and Host checks every
     * request passes first).
     */
    private Response kill(String text, HttpExchange ex) {
        if (ex.getRequestHeaders().getFirst(CSRF_HEADER) == null) {
            return Response.error(403, "a POST must carry the header " + CSRF_HEADER
                    + " (any value): it keeps pages of other sites from posting here");
        }
        Optional<Pid> pid = Pids.parse(text, node);
        if (pid.isEmpty()) return badPid(text);
        boolean killed = inNode(() -> inspector.kill(pid.get()));
        return killed ? Response.json(200, new Views.KillView(Pids.format(pid.get()), "killed"))
                : Response.error(404, "no process " + text + " on node " + node.name());
    }

    private static Response badPid(String text) {
        return Response.error(400, "'" + text + "' is not a pid of this node; write pids as 0.123.0");
    }

    private static Response notAllowed(String method, String path) {
        return Response.error(405, method + " is not allowed on " + path);
    }

    // ------------------------------------------------------------------ who may ask

    /**
     * Why a request is refused, or null. On a loopback address, the {@code Host} must name a
     * loopback host: a page of a domain an attacker has pointed at 127.0.0.1 (DNS rebinding) is the
     * same origin as the observer for the browser, but names its own domain as {@code Host}. A
     * request with an {@code Origin} must come from the observer's own origin: browsers send one
     * with every POST and every cross-site request (a fetch or an {@code EventSource} of another
     * site's page), never with the page's own GETs.
     */
    private String refusal(HttpExchange ex) {
        Headers h = ex.getRequestHeaders();
        String host = h.getFirst("Host");
        if (loopbackOnly && (host == null || !isLoopbackHost(host))) {
            return "the observer answers only requests to a loopback host (localhost, 127.0.0.1, [::1]), not '"
                    + host + "'";
        }
        String origin = h.getFirst("Origin");
        if (origin != null && (host == null || !origin.equalsIgnoreCase("http://" + host))) {
            return "cross-site request refused: origin " + origin + " is not this observer's";
        }
        return null;
    }

    static boolean isLoopbackHost(String hostHeader) {
        String h = hostHeader.toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 && h.substring(1, end).equals("::1");
        }
        int colon = h.indexOf(':');
        if (colon >= 0) h = h.substring(0, colon);
        return h.equals("localhost") || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    // ------------------------------------------------------------------ the node

    /** The node has stopped: the observer has nothing to show (503). */
    private static final class NodeDown extends RuntimeException {
        NodeDown(String message) {
            super(message);
        }
    }

    /** Runs {@code fn} in a new process of the observed node, for the APIs that act on the caller's node. */
    private <T> T inNode(Callable<T> fn) {
        if (node.isStopped()) throw new NodeDown("node " + node.name() + " is stopped");
        try {
            return node.run(fn);
        } catch (RuntimeException e) {
            if (node.isStopped()) throw new NodeDown("node " + node.name() + " is stopped");
            throw e;
        } catch (Exception e) {
            if (node.isStopped()) throw new NodeDown("node " + node.name() + " is stopped");
            throw new IllegalStateException(Calls.describe(e), e);
        }
    }

    // ------------------------------------------------------------------ responses

    private static void send(HttpExchange ex, Response r) throws IOException {
        Headers h = ex.getResponseHeaders();
        h.set("Content-Type", r.contentType());
        h.set("Cache-Control", "no-store");
        securityHeaders(h);
        if (ex.getRequestMethod().equalsIgnoreCase("HEAD")) {
            ex.sendResponseHeaders(r.status(), -1);
            return;
        }
        ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(r.body());
        }
    }

    private static void securityHeaders(Headers h) {
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        h.set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; object-src 'none'");
        h.set("Referrer-Policy", "no-referrer");
    }

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8");

    private static Response page(String file) {
        byte[] body = PAGES.computeIfAbsent(file, ObserverServer::load);
        return new Response(200, TYPES.get(file.substring(file.lastIndexOf('.') + 1)), body);
    }

    /** The page's files, read once. */
    private static final ConcurrentHashMap<String, byte[]> PAGES = new ConcurrentHashMap<>();

    private static byte[] load(String file) {
        try (InputStream in = ObserverServer.class.getResourceAsStream("web/" + file)) {
            if (in == null) throw new IllegalStateException("the observer's page " + file + " is missing from its jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ the event stream

    /**
     * {@code GET /api/events}: Server-Sent Events, one {@code snapshot} event per interval (a
     * {@code failure} event when a snapshot could not be made), until the client goes or the
     * observer closes.
     */
    private void events(HttpExchange ex) throws IOException {
        EventFeed.Subscription sub;
        try {
            sub = feed.subscribe();
        } catch (IllegalStateException closing) {
            send(ex, Response.error(503, "the observer is closing"));
            return;
        }
        try (sub) {
            Headers h = ex.getResponseHeaders();
            h.set("Content-Type", "text/event-stream; charset=utf-8");
            h.set("Cache-Control", "no-store");
            securityHeaders(h);
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write("retry: 1000\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            for (EventFeed.Frame f = sub.next(); f != null; f = sub.next()) {
                out.write(("id: " + f.seq() + "\nevent: " + f.event() + "\ndata: " + f.data() + "\n\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
