package io.otp4j.behaviour;

import io.otp4j.Down;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.internal.BehaviourInfo;
import io.otp4j.internal.NodeRuntime;
import io.otp4j.internal.gen.SysView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Applications (OTP's {@code application}): a named, versioned component with a supervision tree,
 * configuration, and the applications it depends on.
 *
 * {@snippet :
 * Application.Spec misiva = new Application.Spec("misiva", "1.0.0", "push notifications",
 *         List.of("logger_app"), Map.of("pool_size", 10),
 *         env -> Supervisor.startLink(Supervisor.Flags.oneForOne(), children(env)));
 * Application.load(misiva);
 * Application.ensureAllStarted("misiva", Application.Type.PERMANENT);
 * int pool = (Integer) Application.getEnv("misiva", "pool_size").orElseThrow();
 * }
 *
 * <p>Starting an application runs its start callback, which returns the top supervisor. The
 * application runs as long as that supervisor does; how its end affects the node is its restart
 * type: a {@link Type#PERMANENT} application's end stops every application and the node; a
 * {@link Type#TRANSIENT} one's does only if it ended abnormally; a {@link Type#TEMPORARY} one's is
 * only reported. Applications stop in the reverse order of their start.
 */
public final class Application {
    private static final Logger LOG = LoggerFactory.getLogger("io.otp4j.application");

    private Application() {
    }

    /** How an application's end affects the node. */
    public enum Type { PERMANENT, TRANSIENT, TEMPORARY }

    /** Starts an application's supervision tree; runs in the application's master process. */
    @FunctionalInterface
    public interface Start {
        /**
         * @param env the application's environment
         * @return the top supervisor (linked to the caller, e.g. {@code Supervisor.startLink}), as a
         *         {@code Pid} or {@link ServerRef}
         */
        Object start(Env env) throws Exception;

        /** Called after the application's supervision tree has stopped. */
        default void stop() {
        }
    }

    /** An application's environment: configuration values by key. */
    public interface Env {
        Optional<Object> get(String key);
    }

    /**
     * An application descriptor (the {@code .app} file).
     *
     * @param name         unique on the node
     * @param version      its version
     * @param description  what it is
     * @param dependencies applications that must run first
     * @param env          its default configuration
     * @param start        starts its supervision tree
     */
    public record Spec(String name, String version, String description, List<String> dependencies,
                       Map<String, Object> env, Start start) {
        public Spec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(start, "start");
            version = version == null ? "0" : version;
            description = description == null ? "" : description;
            dependencies = List.copyOf(dependencies);
            env = Map.copyOf(env);
        }
    }

    /** A running application, as {@link #whichApplications} reports it. */
    public record Running(String name, String version, String description, Type type) {
    }

    /** An application failed to start, or a dependency was missing. */
    public static final class StartError extends IllegalStateException {
        StartError(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** What a node knows of its applications. */
    private static final class Controller {
        final NodeRuntime node;
        final Map<String, Spec> loaded = new ConcurrentHashMap<>();
        final Map<String, Map<String, Object>> env = new ConcurrentHashMap<>();
        /** Running applications, in start order: name -> master. */
        final LinkedHashMap<String, Master> running = new LinkedHashMap<>();

        Controller(NodeRuntime node) {
            this.node = node;
        }
    }

    private record Master(Spec spec, Type type, Pid pid, Pid top) {
    }

    private static final ConcurrentHashMap<NodeRuntime, Controller> CONTROLLERS = new ConcurrentHashMap<>();

    private static Controller controller() {
        NodeRuntime n = NodeRuntime.current();
        return CONTROLLERS.computeIfAbsent(n, Controller::new);
    }

    // ------------------------------------------------------------------ loading and env

    /** Makes an application known to the node (application:load). */
    public static void load(Spec spec) {
        Controller c = controller();
        Spec prev = c.loaded.putIfAbsent(spec.name(), spec);
        if (prev != null && prev != spec) throw new IllegalStateException("application " + spec.name() + " is already loaded");
        c.env.computeIfAbsent(spec.name(), k -> new ConcurrentHashMap<>(spec.env()));
    }

    public static Optional<Object> getEnv(String app, String key) {
        Map<String, Object> e = controller().env.get(app);
        return e == null ? Optional.empty() : Optional.ofNullable(e.get(key));
    }

    public static void putEnv(String app, String key, Object value) {
        Map<String, Object> e = controller().env.get(app);
        if (e == null) throw new IllegalArgumentException("application " + app + " is not loaded");
        e.put(key, value);
    }

    // ------------------------------------------------------------------ starting and stopping

    /**
     * Starts a loaded application whose dependencies run (application:start).
     *
     * @throws StartError if a dependency is not running or the start callback fails
     */
    public static void start(String name, Type type) {
        Controller c = controller();
        Spec spec = c.loaded.get(name);
        if (spec == null) throw new StartError("application " + name + " is not loaded", null);
        synchronized (c) {
            if (c.running.containsKey(name)) return;
            for (String dep : spec.dependencies()) {
                if (!c.running.containsKey(dep)) {
                    throw new StartError("application " + name + " needs " + dep + ", which is not started", null);
                }
            }
        }
        Master master = startMaster(c, spec, type);
        synchronized (c) {
            c.running.put(name, master);
        }
        LOG.atInfo().addKeyValue("application", name).addKeyValue("type", type).log("application {} started", name);
    }

    /**
     * Starts an application and, first, every application it depends on that is not running, in
     * dependency order (application:ensure_all_started).
     *
     * @return the applications this call started, in order
     */
    public static List<String> ensureAllStarted(String name, Type type) {
        Controller c = controller();
        List<String> order = new ArrayList<>();
        visit(c, name, new HashSet<>(), new HashSet<>(), order);
        List<String> started = new ArrayList<>();
        for (String app : order) {
            boolean was;
            synchronized (c) {
                was = c.running.containsKey(app);
            }
            if (!was) {
                try {
                    start(app, type);
                } catch (StartError e) {
                    throw new StartError("could not start " + name + ": " + e.getMessage(), e.getCause());
                }
                started.add(app);
            }
        }
        return started;
    }

    private static void visit(Controller c, String app, Set<String> done, Set<String> visiting, List<String> order) {
        if (done.contains(app)) return;
        if (!visiting.add(app)) throw new StartError("applications depend on each other in a cycle through " + app, null);
        Spec spec = c.loaded.get(app);
        if (spec == null) throw new StartError("application " + app + " is not loaded", null);
        for (String dep : spec.dependencies()) visit(c, dep, done, visiting, order);
        visiting.remove(app);
        done.add(app);
        order.add(app);
    }

    /** Loads and starts applications in order (a node booting with a list of applications). */
    public static void boot(List<Spec> apps, Type type) {
        for (Spec s : apps) load(s);
        for (Spec s : apps) ensureAllStarted(s.name(), type);
    }

    /** Stops an application: its supervision tree stops, then its stop callback runs. Others are unaffected. */
    public static void stop(String name) {
        Controller c = controller();
        Master m;
        synchronized (c) {
            m = c.running.remove(name);
        }
        if (m == null) throw new IllegalStateException("application " + name + " is not started");
        GenServer.stop(ServerRef.of(m.pid()), ExitReason.NORMAL, io.otp4j.Proc.INFINITY);
        LOG.atInfo().addKeyValue("application", name).log("application {} stopped", name);
    }

    /** Stops every running application, in the reverse order of their start. */
    public static void stopAll() {
        Controller c = controller();
        List<String> names;
        synchronized (c) {
            names = new ArrayList<>(c.running.keySet());
        }
        for (int i = names.size() - 1; i >= 0; i--) {
            try {
                stop(names.get(i));
            } catch (IllegalStateException alreadyGone) {
                // stopped meanwhile
            }
        }
    }

    public static List<Running> whichApplications() {
        Controller c = controller();
        List<Running> out = new ArrayList<>();
        synchronized (c) {
            for (Master m : c.running.values()) {
                out.add(new Running(m.spec().name(), m.spec().version(), m.spec().description(), m.type()));
            }
        }
        return out;
    }

    /**
     * The top supervisor of a running application: the process its start callback returned
     * ({@code application:get_supervisor/1}).
     *
     * @return empty if the application is not running
     */
    public static Optional<Pid> supervisor(String app) {
        Controller c = controller();
        synchronized (c) {
            Master m = c.running.get(app);
            return m == null ? Optional.empty() : Optional.of(m.top());
        }
    }

    // ------------------------------------------------------------------ the application master

    /**
     * The application master: a process that runs the start callback (the top supervisor links to
     * it), and when the supervisor ends applies the restart type.
     */
    private static Master startMaster(Controller c, Spec spec, Type type) {
        Env env = key -> {
            Map<String, Object> e = c.env.get(spec.name());
            return e == null ? Optional.empty() : Optional.ofNullable(e.get(key));
        };
        // the master's init sets it; start returns after init, so it is set (and visible) by then
        AtomicReference<Pid> top = new AtomicReference<>();
        try {
            Pid master = GenServer.start(new MasterServer(c, spec, type, env, top)).pid();
            return new Master(spec, type, master, top.get());
        } catch (StartException e) {
            throw new StartError("application " + spec.name() + " failed to start: " + e.getMessage(), e);
        }
    }

    private record MasterState(Pid top, Ref monitor) {
    }

    private record MasterServer(Controller c, Spec spec, Type type, Env env, AtomicReference<Pid> top)
            implements GenServer<MasterState, Object>, SysView<MasterState> {
        @Override
        public String behaviourName() {
            return "Application";
        }

        /** The application's start callback's class: the user's code behind this master. */
        @Override
        public String moduleName() {
            return BehaviourInfo.classNameOf(spec.start());
        }

        @Override
        public Init<MasterState> init() throws Exception {
            Proc.trapExit(true);
            Pid pid = SupervisorServer.pidOf(spec.start().start(env));
            if (pid == null) return new Init.Error<>("the start callback of " + spec.name() + " returned no supervisor");
            top.set(pid);
            return new Init.Ok<>(new MasterState(pid, Proc.monitor(pid)));
        }

        @Override
        public CastResult<MasterState> handleInfo(Object msg, MasterState s) {
            if (msg instanceof Down d && d.ref().equals(s.monitor())) {
                applicationEnded(d.reason());
                return new Stop<>(ExitReason.NORMAL, s);
            }
            return new NoReply<>(s); // EXITs from the linked top supervisor are seen through the monitor
        }

        /** The top supervisor ended on its own: the restart type decides what happens to the node. */
        private void applicationEnded(ExitReason reason) {
            boolean wasRunning;
            synchronized (c) {
                wasRunning = c.running.remove(spec.name()) != null;
            }
            if (!wasRunning) return;
            LOG.atWarn().addKeyValue("application", spec.name()).addKeyValue("exited", reason)
                    .log("application {} exited with reason {} (type {})", spec.name(), reason, type);
            boolean stopNode = switch (type) {
                case PERMANENT -> true;
                case TRANSIENT -> !reason.isNormal();
                case TEMPORARY -> false;
            };
            if (stopNode) {
                LOG.atError().addKeyValue("application", spec.name())
                        .log("stopping node {}: {} application {} ended", c.node.name(), type, spec.name());
                // off this process: stopping the node kills it
                Thread.ofPlatform().name("otp4j-app-stop").start(() -> {
                    try {
                        c.node.run(() -> {
                            stopAll();
                            return null;
                        });
                    } catch (Exception ignored) {
                        // the node is stopping anyway
                    }
                    c.node.stop();
                    CONTROLLERS.remove(c.node);
                });
            }
        }

        @Override
        public void terminate(ExitReason reason, MasterState s) {
            if (Proc.isAlive(s.top())) {
                // an explicit stop: take the tree down, as a supervisor takes down a child
                Proc.demonitor(s.monitor(), true);
                Ref mon = Proc.monitor(s.top());
                Proc.unlink(s.top());
                Proc.exit(s.top(), ExitReason.SHUTDOWN);
                Proc.receive(m -> m instanceof Down d && d.ref().equals(mon) ? d : null);
            }
            spec.start().stop();
        }
    }
}
