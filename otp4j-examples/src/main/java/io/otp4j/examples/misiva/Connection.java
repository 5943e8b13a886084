package io.otp4j.examples.misiva;

import io.otp4j.Exit;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartOptions;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One connection to the push service, as a {@link GenServer} (the talk's {@code Misiva.Apns}):
 * <ul>
 *   <li>{@link #init} connects: it returns once the service has greeted us, and if the service
 *       cannot be reached the start fails, which the supervisor sees;</li>
 *   <li>{@link #handleCall} sends a notification; the caller of {@link #push} waits until the
 *       service acknowledges it ({@link Delivered}) or refuses it ({@link Rejected});</li>
 *   <li>{@link #terminate} closes the socket, whether the application is stopping or the
 *       connection failed.</li>
 * </ul>
 *
 * <p>The socket is read by a small linked process that turns each line from the service into a
 * message to the server, as an Erlang socket in active mode sends {@code {tcp, Socket, Line}} and
 * {@code {tcp_closed, Socket}}. So the server never blocks on the network: a call writes its line
 * and returns {@code NoReply}, keeping the caller's {@link From}; the answer arrives later in
 * {@link #handleInfo}, which {@linkplain GenServer#reply replies} to that caller. One connection
 * thus carries many notifications at once, from many callers.
 *
 * <p>If the service closes the connection, the server stops with an abnormal reason: callers
 * still waiting get a {@code CallException}, and the supervisor starts a fresh connection (a
 * transient worker is restarted only after an abnormal exit). There is no reconnect logic here:
 * reconnecting is what a restart is.
 */
public final class Connection implements GenServer<Connection.State, Connection.Msg> {

    /** How long connecting may take. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    /** The reason a connection stops with when the service closes it: abnormal, so it is restarted. */
    static final ExitReason SERVICE_CLOSED = ExitReason.of("push_service_closed_the_connection");

    // ------------------------------------------------------------------ protocol

    /** What callers ask of a connection. */
    public sealed interface Msg {
    }

    /** Send {@code message} to the device {@code token} (a call). */
    public record Push(String token, String message) implements Msg {
        public Push {
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(message, "message");
            if (token.isEmpty() || token.contains(" ") || token.contains("\n")) throw new IllegalArgumentException("bad token: " + token);
            if (message.contains("\n") || message.contains("\r")) throw new IllegalArgumentException("a message is one line");
        }
    }

    /** What a push came to. */
    public sealed interface Result {
    }

    /** The service took the notification for the device. */
    public record Delivered(String token) implements Result {
    }

    /** The service refused it, for {@code reason}. */
    public record Rejected(String token, String reason) implements Result {
    }

    /** What the socket's reader tells the server: a line from the service, parsed, or the end. */
    sealed interface FromService {
    }

    record Ack(long id) implements FromService {
    }

    record Err(long id, String reason) implements FromService {
    }

    record Closed() implements FromService {
    }

    /**
     * The server's state: the socket, the writer on it, the callers waiting for an answer (by
     * notification id) and the next id. The map is mutable, which is safe: the state never leaves
     * the server process.
     */
    record State(Socket socket, Writer out, Map<Long, Waiting> waiting, long nextId) {
        State next() {
            return new State(socket, out, waiting, nextId + 1);
        }
    }

    /** A caller waiting for the answer about {@code token}. */
    record Waiting(From from, String token) {
    }

    private final InetSocketAddress service;

    private Connection(InetSocketAddress service) {
        this.service = service;
    }

    // ------------------------------------------------------------------ client

    /** Connects to {@code service}; the connection is linked to the caller and registered as {@code name}. */
    public static ServerRef<Msg> startLink(InetSocketAddress service, String name) {
        return GenServer.startLink(new Connection(service), StartOptions.named(name));
    }

    /** Sends {@code message} to the device {@code token} and waits for the service's answer. */
    public static Result push(ServerRef<Msg> connection, String token, String message) {
        return GenServer.call(connection, new Push(token, message));
    }

    // ------------------------------------------------------------------ server

    @Override
    public Init<State> init() throws IOException {
        Proc.trapExit(true); // so that terminate runs when our supervisor stops us
        Socket socket = new Socket();
        try {
            socket.connect(service, (int) CONNECT_TIMEOUT.toMillis());
            socket.setTcpNoDelay(true); // small lines: send each at once
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String greeting = in.readLine();
            if (!"READY".equals(greeting)) throw new IOException("the push service did not greet us: " + greeting);
            Pid server = Proc.self();
            Proc.spawnLink(() -> read(in, server));
            Writer out = new BufferedWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8));
            return new Init.Ok<>(new State(socket, out, new HashMap<>(), 1));
        } catch (IOException e) {
            socket.close();
            throw e; // the start fails with it
        }
    }

    @Override
    public CallResult<State> handleCall(Msg msg, From from, State s) throws IOException {
        return switch (msg) {
            case Push(String token, String message) -> {
                s.out().write("PUSH " + s.nextId() + " " + token + " " + message + "\n");
                s.out().flush();
                s.waiting().put(s.nextId(), new Waiting(from, token));
                yield new NoReply<>(s.next()); // the answer comes in handleInfo
            }
        };
    }

    @Override
    public CastResult<State> handleInfo(Object msg, State s) throws Exception {
        return switch (msg) {
            case Ack(long id) -> answer(s, id, w -> new Delivered(w.token()));
            case Err(long id, String reason) -> answer(s, id, w -> new Rejected(w.token(), reason));
            case Closed() -> new Stop<>(SERVICE_CLOSED, s);
            // only the reader is linked to us besides our supervisor (whose exit the GenServer
            // handles): it ends normally only after Closed, which stopped us, so this is a crash
            case Exit(Pid reader, ExitReason why) -> new Stop<>(why, s);
            default -> GenServer.super.handleInfo(msg, s);
        };
    }

    private CastResult<State> answer(State s, long id, Function<Waiting, Result> result) {
        Waiting w = s.waiting().remove(id);
        if (w == null) throw new IllegalStateException("the service answered notification " + id + ", which we never sent");
        GenServer.reply(w.from(), result.apply(w));
        return new NoReply<>(s);
    }

    @Override
    public void terminate(ExitReason reason, State s) throws IOException {
        s.socket().close(); // callers still waiting get a CallException: we are gone
    }

    @Override
    public Object formatStatus(State s) {
        return "connected to " + service + ", " + s.waiting().size() + " notifications waiting for an answer";
    }

    // ------------------------------------------------------------------ the socket's reader

    /** Turns each line from the service into a message to {@code server}, then tells it the connection closed. */
    private static void read(BufferedReader in, Pid server) {
        try {
            for (String line; (line = in.readLine()) != null; ) Proc.send(server, parse(line));
        } catch (IOException e) {
            // the socket was closed: by the service, or by terminate
        }
        Proc.send(server, new Closed());
    }

    private static FromService parse(String line) {
        String[] f = line.split(" ", 3);
        return switch (f[0]) {
            case "ACK" -> new Ack(Long.parseLong(f[1]));
            case "ERR" -> new Err(Long.parseLong(f[1]), f.length > 2 ? f[2] : "unknown");
            default -> throw new IllegalStateException("the push service said something we do not understand: " + line);
        };
    }
}
