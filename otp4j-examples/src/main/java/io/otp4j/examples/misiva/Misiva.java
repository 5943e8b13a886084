package io.otp4j.examples.misiva;

import io.otp4j.Down;
import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.Report;
import io.otp4j.behaviour.Application;
import io.otp4j.behaviour.ChildSpec;
import io.otp4j.behaviour.DynamicSupervisor;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartException;
import io.otp4j.behaviour.StartOptions;
import io.otp4j.behaviour.Supervisor;
import io.otp4j.behaviour.Task;
import io.otp4j.examples.misiva.Connection.Delivered;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Misiva, a push notification gateway as an OTP application, after the talk "Lo mejor de dos
 * mundos: OTP y Elixir": a web application asks it to notify devices; Misiva keeps connections to
 * the push service ({@link PushService}, standing in for Apple's) and sends through them.
 *
 * <pre>
 *   misiva (application)
 *   └── misiva_sup                 Supervisor, one_for_one
 *       └── misiva_connections     DynamicSupervisor: intensity N restarts in T
 *           ├── apns1              Connection (GenServer), transient
 *           ├── apns2
 *           └── ...                started on demand with {@link #connect}
 * </pre>
 *
 * {@snippet :
 * Misiva.start(new Misiva.Config(service.address(), 3, Duration.ofSeconds(5)));
 * Misiva.connect("apns1");
 * Connection.Result r = Misiva.push("apns1", deviceToken, "Your order has shipped");
 * Misiva.Summary s = Misiva.pushAll(tenThousandTokens, "Sale!", List.of("apns1", "apns2"), 32);
 * Misiva.stop();
 * }
 *
 * <p>The talk asks two questions.
 *
 * <p><b>What if Apple's server goes down?</b> A connection whose socket closes stops with an
 * abnormal reason, and its supervisor starts it again: its {@code init} connects afresh. If the
 * service was only restarting, the new connections work and callers never hear of it (beyond the
 * calls that were in flight). If it stays down, each restart fails to connect, and the failures
 * count against the supervisor's <em>restart intensity</em>: more than {@code maxRestarts}
 * restarts within {@code within} and {@code misiva_connections} gives up, stopping with reason
 * {@code shutdown}. Its own supervisor then starts it again, empty: Misiva stays up, {@link #connect}
 * fails at once with the service's error, and nothing spins in a loop of failing reconnects. The
 * restart window is measured with the node's {@link io.otp4j.Ticker}, so tests cross it without
 * waiting.
 *
 * <p><b>What if we must notify 10,000 devices?</b> {@link #pushAll} runs one small task per device
 * with {@link Task#asyncStream}, at most {@code maxConcurrency} at a time: the connections are
 * kept busy (each carries several notifications at once) without 10,000 callers queueing on them.
 * A device always goes through the same connection, so its notifications stay in order.
 */
public final class Misiva {
    private Misiva() {
    }

    public static final String APP = "misiva";
    /** The top supervisor's name. */
    public static final String TOP = "misiva_sup";
    /** The connections' supervisor's name. */
    public static final String CONNECTIONS = "misiva_connections";

    /**
     * Misiva's configuration (its application environment).
     *
     * @param service     where the push service listens
     * @param maxRestarts at most this many connection restarts...
     * @param within      ...within this window, or the connections' supervisor gives up
     */
    public record Config(InetSocketAddress service, int maxRestarts, Duration within) {
        public Config {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(within, "within");
        }
    }

    /** The application callback: starts the supervision tree, and is told when it has stopped. */
    private static final class Callback implements Application.Start {
        @Override
        public Object start(Application.Env env) {
            Config config = (Config) env.get("config").orElseThrow(() -> new IllegalStateException("misiva has no config"));
            DynamicSupervisor.Options connections = DynamicSupervisor.Options.DEFAULT
                    .withIntensity(config.maxRestarts(), config.within())
                    // every connection's start gets the service's address first (Elixir's extra_arguments)
                    .withExtraArguments(List.of(config.service()));
            return Supervisor.startLink(Supervisor.Flags.oneForOne(), List.of(
                    ChildSpec.supervisor("connections",
                            () -> DynamicSupervisor.startLink(connections, StartOptions.named(CONNECTIONS)))),
                    StartOptions.named(TOP));
        }

        @Override
        public void stop() {
            System.getLogger(Misiva.class.getName()).log(System.Logger.Level.INFO, "misiva stopped");
        }
    }

    private static final Application.Spec SPEC = new Application.Spec(APP, "1.0.0", "push notifications",
            List.of(), Map.of(), new Callback());

    // ------------------------------------------------------------------ the application

    /** Starts Misiva on the caller's node with {@code config} (a temporary application). */
    public static void start(Config config) {
        Application.load(SPEC);
        Application.putEnv(APP, "config", config);
        Application.start(APP, Application.Type.TEMPORARY);
    }

    /** Stops Misiva: every connection's {@code terminate} closes its socket. */
    public static void stop() {
        Application.stop(APP);
    }

    // ------------------------------------------------------------------ client API

    /**
     * Opens a connection to the push service under {@code misiva_connections}, registered as
     * {@code name} (the talk's {@code Supervisor.start_child(Misiva.Supervisor, [args, [name: :apns1]])}).
     *
     * @throws StartException if the service cannot be reached
     */
    public static ServerRef<Connection.Msg> connect(String name) {
        DynamicSupervisor.startChild(ServerRef.named(CONNECTIONS),
                ChildSpec.workerWithArgs(name, args -> Connection.startLink((InetSocketAddress) args.getFirst(), name))
                        .withRestart(ChildSpec.Restart.TRANSIENT));
        return ServerRef.named(name);
    }

    /** Sends {@code message} to device {@code token} through the connection {@code connection}; waits for the answer. */
    public static Connection.Result push(String connection, String token, String message) {
        return Connection.push(ServerRef.named(connection), token, message);
    }

    /**
     * What {@link #pushAll} did.
     *
     * @param delivered   notifications the service acknowledged
     * @param rejected    notifications it refused
     * @param maxInFlight the most notifications waiting for an answer at one time
     * @param took        how long it took
     */
    public record Summary(int delivered, int rejected, int maxInFlight, Duration took) {
    }

    /**
     * Sends {@code message} to every device in {@code tokens}, spread over {@code connections}, with
     * at most {@code maxConcurrency} notifications waiting for an answer at any time. The tasks are
     * linked to the caller: if a connection fails under them, the caller fails too (run it under a
     * supervisor, or in a task of its own, to retry).
     */
    public static Summary pushAll(List<String> tokens, String message, List<String> connections, int maxConcurrency) {
        long start = System.nanoTime();
        // a gauge read by nobody but the summary: a measuring device, not a way for tasks to talk
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        Map<Boolean, Long> delivered = Task.asyncStream(tokens, token -> {
                    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    try {
                        return push(connections.get(Math.floorMod(token.hashCode(), connections.size())), token, message);
                    } finally {
                        inFlight.decrementAndGet();
                    }
                }, Task.StreamOptions.DEFAULT.withMaxConcurrency(maxConcurrency).withOrdered(false))
                .map(outcome -> switch (outcome) {
                    case Task.Outcome.Ok<Connection.Result>(Connection.Result result) -> result;
                    // the tasks are linked: one that fails takes the caller with it before it gets here
                    case Task.Outcome.Exited<Connection.Result>(ExitReason why) -> throw new IllegalStateException("a push task exited: " + why);
                })
                .collect(Collectors.partitioningBy(result -> result instanceof Delivered, Collectors.counting()));
        return new Summary(delivered.get(true).intValue(), delivered.get(false).intValue(), maxInFlight.get(),
                Duration.ofNanos(System.nanoTime() - start));
    }

    // ------------------------------------------------------------------ watching the supervisors

    /** The name a process takes to hear of Misiva's supervisors' reports (see {@link #forwardReports}). */
    public static final String WATCHER = "misiva_watcher";

    /**
     * A node's report listener: hands every report of Misiva's two supervisors (a child started
     * or restarted, a child terminated, a supervisor giving up) to the process registered as
     * {@link #WATCHER}, as a message. Supervisors report from their own process, so this can send.
     */
    public static void forwardReports(Report report) {
        Optional<String> sup = switch (report) {
            case Report.Progress p -> p.supervisorName();
            case Report.Supervisor s -> s.supervisorName();
            default -> Optional.empty();
        };
        if (sup.isPresent() && (sup.get().equals(TOP) || sup.get().equals(CONNECTIONS)) && Proc.inProcess()) {
            Proc.whereis(WATCHER).ifPresent(watcher -> Proc.send(watcher, report));
        }
    }

    // ------------------------------------------------------------------ the talk, run

    /**
     * Runs the talk's story against a local push service and prints it. Run it with the examples
     * module's class path: {@code java -cp ... io.otp4j.examples.misiva.Misiva}.
     */
    public static void main(String[] args) throws Exception {
        try (PushService service = PushService.start();
             Node node = Node.start(Node.Options.named("misiva@localhost").withReportListener(Misiva::forwardReports))) {
            node.run(() -> {
                run(service, 10_000, System.out);
                return null;
            });
        }
    }

    /** The story, with {@code devices} devices to notify; runs in a process of a node whose report listener is {@link #forwardReports}. */
    static void run(PushService service, int devices, PrintStream out) throws Exception {
        start(new Config(service.address(), 3, Duration.ofSeconds(5)));
        List<String> names = List.of("apns1", "apns2", "apns3");
        for (String name : names) connect(name);
        Proc.register(WATCHER, Proc.self()); // from now on, we hear of restarts
        out.println("misiva started, connected to the push service on " + service.address() + " 3 times");
        out.println("push to a device: " + push("apns1", "00ff00ff", "hello"));
        out.println("push to a bad token: " + push("apns2", "not-a-token", "hello"));

        out.println("-- the push service restarts: every connection is dropped --");
        service.dropConnections();
        for (int i = 0; i < names.size(); i++) {
            Report.Progress p = Proc.receive(m -> m instanceof Report.Progress x && x.supervisorName().equals(Optional.of(CONNECTIONS)) ? x : null);
            out.println("  " + p.childId() + " reconnected as " + p.childPid());
        }
        out.println("push again: " + push("apns3", "0123abcd", "still there?"));

        out.printf("-- %,d devices, at most 64 notifications in flight --%n", devices);
        List<String> tokens = IntStream.range(0, devices).mapToObj(i -> "%064x".formatted(i)).toList();
        long before = service.delivered();
        Summary s = pushAll(tokens, "Sale!", names, 64);
        out.println("delivered " + s.delivered() + ", rejected " + s.rejected() + " in " + s.took().toMillis()
                + " ms; at most " + s.maxInFlight() + " in flight; the service acknowledged " + (service.delivered() - before));

        out.println("-- the push service goes down for good --");
        Pid connections = Proc.whereis(CONNECTIONS).orElseThrow();
        Ref watch = Proc.monitor(connections);
        service.close();
        Report.Supervisor gaveUp = Proc.receive(m -> m instanceof Report.Supervisor x && x.context().equals("shutdown") ? x : null);
        out.println("  " + CONNECTIONS + " gave up: " + gaveUp.reason());
        Proc.receive(m -> m instanceof Down d && d.ref().equals(watch) ? d : null);
        Report.Progress again = Proc.receive(m -> m instanceof Report.Progress x && x.supervisorName().equals(Optional.of(TOP)) ? x : null);
        out.println("  " + TOP + " started " + CONNECTIONS + " again, empty, as " + again.childPid());
        try {
            connect("apns1");
        } catch (StartException e) {
            out.println("  connecting now fails at once: " + e.getMessage());
        }
        out.println("misiva still running: " + Application.whichApplications().stream().anyMatch(a -> a.name().equals(APP)));
        Proc.unregister(WATCHER);
        stop();
        out.println("misiva stopped");
    }
}
