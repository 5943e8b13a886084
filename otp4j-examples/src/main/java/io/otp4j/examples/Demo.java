package io.otp4j.examples;

import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.behaviour.Application;
import io.otp4j.behaviour.ChildSpec;
import io.otp4j.behaviour.GenEvent;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartOptions;
import io.otp4j.behaviour.Supervisor;
import io.otp4j.examples.cache.Cache;
import io.otp4j.examples.counter.Counters;
import io.otp4j.examples.doorlock.DoorLock;
import io.otp4j.examples.events.EventLog;
import io.otp4j.examples.infosys.Backend;
import io.otp4j.examples.infosys.InfoSys;
import io.otp4j.examples.misiva.Misiva;
import io.otp4j.examples.misiva.PushService;
import io.otp4j.internal.NodeRuntime;
import io.otp4j.observer.Observer;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The demo node ({@code ./otp4j demo}): otp4j at a glance, on a node you can watch.
 * <ol>
 *   <li>The opening act, {@link Story}: a supervisor written by hand, a crash, a restart.</li>
 *   <li>Then the examples start, each an application with its supervision tree, and keep running:
 * <pre>
 *   counters  counter_sup ── raw_counter, counter             two counters, one a GenServer
 *   misiva    misiva_sup ── misiva_connections ── apns1..3    connections to a local push service
 *   infosys   infosys_sup ── infosys_cache, infosys_tasks     parallel queries, an ETS cache
 *   demo      demo_sup ── event_log, door_lock, demo_traffic  a GenEvent, a GenStatem, and the users
 * </pre>
 *       {@link Traffic} plays the users, so that the numbers move.</li>
 *   <li>The Observer opens on the node, and the demo prints where it is and what to try there.</li>
 * </ol>
 * The node runs until it is stopped (Ctrl-C, SIGTERM): the applications stop in the reverse order
 * of their start, then the Observer, the push service and the node.
 *
 * <pre>
 * ./otp4j demo [--port N] [--once]
 * </pre>
 */
public final class Demo implements AutoCloseable {

    static final String USAGE = """
            Usage: ./otp4j demo [--port N] [--once]
              --port N   the Observer's port (default 8090, or any free port if 8090 is taken;
                         0: any free port)
              --once     start everything, print where to look, then stop (for a quick check)""";

    /** The Observer's port unless told otherwise; a free one if it is taken. */
    static final int DEFAULT_PORT = 8090;

    // the names the demo's processes are registered under
    static final String COUNTER = Counters.SERVER;
    static final List<String> CONNECTIONS = List.of("apns1", "apns2", "apns3");
    static final String EVENTS = "event_log";
    static final String DOOR = "door_lock";
    static final List<Integer> CODE = List.of(1, 2, 3, 4);

    public static void main(String[] args) throws Exception {
        // the event log writes its lines through SLF4J too: they are on the page (event_log's
        // state), and the terminal keeps what the demo says
        System.setProperty("org.slf4j.simpleLogger.log." + EventLog.class.getName(), "warn");
        int status = run(args, System.out, System.err);
        if (status != 0) System.exit(status);
    }

    /** What {@code main} does, without exiting: 0 once the demo has stopped, 2 for bad arguments. */
    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Args a;
        try {
            a = Args.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("otp4j demo: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (a.help()) {
            out.println(USAGE);
            return 0;
        }
        try (Demo demo = start(a.port(), out)) {
            if (a.once()) {
                out.println("--once: stopping the node");
            } else {
                out.println("Ctrl-C stops the node.");
                Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "otp4j-demo-stop"));
                demo.closed.await();
            }
        }
        return 0;
    }

    /** The command line: {@code port} empty for the default port. */
    record Args(OptionalInt port, boolean once, boolean help) {
        static Args parse(String... args) {
            OptionalInt port = OptionalInt.empty();
            boolean once = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--once" -> once = true;
                    case "--port" -> {
                        if (++i == args.length) throw new IllegalArgumentException("--port needs a number");
                        port = OptionalInt.of(port(args[i]));
                    }
                    case "-h", "--help" -> {
                        return new Args(port, once, true);
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
            return new Args(port, once, false);
        }

        private static int port(String text) {
            try {
                int p = Integer.parseInt(text);
                if (p >= 0 && p <= 65535) return p;
            } catch (NumberFormatException notANumber) {
                // said below
            }
            throw new IllegalArgumentException("--port takes a port number (0 to 65535), not '" + text + "'");
        }
    }

    // ------------------------------------------------------------------ the node

    private final Node node;
    private final PrintStream out;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);
    // set as start goes, read by close; the shutdown hook that may call close starts after start returns
    private PushService pushService;
    private Observer observer;

    private Demo(Node node, PrintStream out) {
        this.node = node;
        this.out = out;
    }

    /**
     * Tells the story, starts the examples and the Observer, and prints where to look. The Observer
     * listens on {@code port}, or on {@value #DEFAULT_PORT} if that is free and any port if not.
     */
    static Demo start(OptionalInt port, PrintStream out) throws Exception {
        Demo demo = new Demo(Node.start(Node.Options.named("demo@localhost")), out);
        try {
            demo.out.println("otp4j demo node " + demo.node.name() + " ("
                    + ((NodeRuntime) demo.node).schedulerDescription() + ")");
            demo.heading("1. A supervisor written by hand");
            new Story(out).run(demo.node);
            demo.heading("2. The examples, running as applications");
            demo.startExamples();
            demo.openObserver(port);
        } catch (Exception | Error e) {
            try {
                demo.close();
            } catch (RuntimeException alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw e;
        }
        demo.printWhereToLook();
        return demo;
    }

    private void startExamples() throws Exception {
        pushService = PushService.start();
        node.run(() -> {
            Application.load(COUNTERS);
            Application.start(COUNTERS.name(), Application.Type.TEMPORARY);
            Misiva.start(new Misiva.Config(pushService.address(), 3, Duration.ofSeconds(5)));
            for (String connection : CONNECTIONS) Misiva.connect(connection);
            Application.load(INFOSYS);
            Application.start(INFOSYS.name(), Application.Type.TEMPORARY);
            Application.load(DEMO);
            Application.start(DEMO.name(), Application.Type.TEMPORARY);
            return null;
        });
        out.println("counters  " + Counters.SUPERVISOR + ": raw_counter (a hand-written process), counter (a GenServer)");
        out.println("misiva    " + Misiva.TOP + " > " + Misiva.CONNECTIONS + " > " + String.join(", ", CONNECTIONS)
                + ": connections to a push service on " + pushService.address().getAddress().getHostAddress()
                + ":" + pushService.address().getPort());
        out.println("infosys   " + InfoSys.SUPERVISOR + ": infosys_cache (owns an ETS table), " + InfoSys.TASKS
                + " (a task supervisor)");
        out.println("demo      demo_sup: " + EVENTS + " (a GenEvent), " + DOOR + " (a GenStatem), "
                + Traffic.NAME + " (bumps the counter every second, pushes, asks, opens the door)");
    }

    private void openObserver(OptionalInt port) throws IOException {
        Observer.Options options = Observer.Options.defaults();
        if (port.isPresent()) {
            observer = Observer.start(node, options.withPort(port.getAsInt()));
            return;
        }
        try {
            observer = Observer.start(node, options.withPort(DEFAULT_PORT));
        } catch (BindException taken) {
            out.println("(port " + DEFAULT_PORT + " is taken: the Observer takes a free port)");
            observer = Observer.start(node, options);
        }
    }

    private void printWhereToLook() {
        URI url = observer.uri();
        Pid counter = node.whereis(COUNTER).orElseThrow();
        out.println();
        out.println("Observer: " + url);
        out.println();
        out.println("What to try:");
        out.println("  - Applications (" + url + "#apps): the four supervision trees above, live.");
        out.println("  - Kill the counter: open " + url + "#process/" + bare(counter) + ", the GenServer");
        out.println("    '" + COUNTER + "' under " + Counters.SUPERVISOR + ", and press Kill. A new pid appears under the same");
        out.println("    supervisor, and counts from 0 again.");
        out.println("  - Processes: click " + DOOR + " (its state turns Open every 20 s), or " + EVENTS + " (its last");
        out.println("    lines: pushes, questions, the door).");
        out.println("  - Tables: infosys_cache, the ETS table where the information system caches answers.");
        out.println("  - The same data as JSON: curl -s " + url + "api/apps");
        out.println("                           curl -s " + url + "api/processes");
        out.println();
    }

    private void heading(String title) {
        out.println();
        out.println("== " + title + " ==");
    }

    private static String bare(Pid pid) {
        String s = pid.toString(); // <0.85.0>
        return s.substring(1, s.length() - 1);
    }

    /** The node the demo runs on. */
    Node node() {
        return node;
    }

    /** Where the Observer is, e.g. {@code http://127.0.0.1:8090/}. */
    URI observerUri() {
        return observer.uri();
    }

    /** Stops the applications (in the reverse order of their start), the Observer, the push service and the node. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) return;
        try {
            if (observer != null) observer.close();
            node.run(() -> {
                Application.stopAll();
                return null;
            });
            if (pushService != null) pushService.close();
        } catch (Exception e) {
            throw new IllegalStateException("the demo did not stop cleanly", e);
        } finally {
            node.stop();
            closed.countDown();
        }
        out.println("demo node stopped");
    }

    // ------------------------------------------------------------------ the applications

    private static final Application.Spec COUNTERS = new Application.Spec("counters", "1.0.0",
            "two counters under one supervisor (io.otp4j.examples.counter)", List.of(), Map.of(),
            env -> Counters.startLink());

    private static final InfoSys.Options INFOSYS_OPTIONS = InfoSys.Options.of(
                    new Backend.Simulated("wolfram", Duration.ofMillis(120), 95),
                    new Backend.Simulated("wikipedia", Duration.ofMillis(60), 70))
            .timeout(Duration.ofMillis(500))
            .ttl(Duration.ofSeconds(45))
            .cache(Cache.Options.named("infosys_cache").sweepEvery(Duration.ofSeconds(15)));

    private static final Application.Spec INFOSYS = new Application.Spec("infosys", "1.0.0",
            "asks backends in parallel and caches their answers (io.otp4j.examples.infosys)", List.of(), Map.of(),
            env -> InfoSys.startLink(INFOSYS_OPTIONS).supervisor());

    private static final Application.Spec DEMO = new Application.Spec("demo", "1.0.0",
            "an event log, a door lock, and the traffic that keeps the other applications busy",
            List.of(COUNTERS.name(), Misiva.APP, INFOSYS.name()), Map.of(), env -> startDemoSupervisor());

    private static ServerRef<?> startDemoSupervisor() {
        DoorLock.Options door = new DoorLock.Options(CODE, Duration.ofSeconds(5), Duration.ofSeconds(30), new LoggedDoor());
        return Supervisor.startLink(Supervisor.Flags.oneForOne(), List.of(
                ChildSpec.worker(EVENTS, Demo::startEventLog),   // first: the door writes to it
                ChildSpec.worker(DOOR, () -> DoorLock.startLink(DOOR, door)),
                ChildSpec.worker(Traffic.NAME, () -> Traffic.startLink(InfoSys.running(INFOSYS_OPTIONS)))),
                StartOptions.named("demo_sup"));
    }

    /** The event log's manager, keeping the last 20 lines. */
    private static ServerRef<EventLog.Line> startEventLog() {
        ServerRef<EventLog.Line> log = GenEvent.startLink(StartOptions.named(EVENTS));
        EventLog.keepLastLines(log, 20);
        return log;
    }

    /** The door lock's hardware: it writes what it does to the event log. */
    private record LoggedDoor() implements DoorLock.Door {
        @Override
        public void lock() {
            EventLog.log(ServerRef.named(EVENTS), EventLog.Level.INFO, "door locked");
        }

        @Override
        public void unlock() {
            EventLog.log(ServerRef.named(EVENTS), EventLog.Level.INFO, "door unlocked");
        }
    }
}
