package io.otp4j.behaviour;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * How a supervisor starts, restarts and stops one child (Erlang's child spec map).
 *
 * {@snippet :
 * ChildSpec counter = ChildSpec.worker("counter", () -> GenServer.startLink(new Counter()));
 * ChildSpec conn = ChildSpec.worker("conn", () -> Connection.startLink(host))
 *         .withRestart(ChildSpec.Restart.TRANSIENT)
 *         .withShutdown(ChildSpec.Shutdown.timeout(Duration.ofSeconds(10)));
 * ChildSpec sub = ChildSpec.supervisor("workers", () -> Supervisor.startLink(flags, children));
 * }
 *
 * @param id          identifies the child within its supervisor
 * @param start       starts the child, linked to the calling supervisor; returns its {@code Pid}
 *                    or a {@link ServerRef} (anything with a pid), or throws a
 *                    {@link StartException} (an ignored start leaves the child not running)
 * @param restart     when the child is restarted
 * @param significant whether its exit counts for the supervisor's {@link Supervisor.AutoShutdown}
 *                    (only transient and temporary children can be significant)
 * @param shutdown    how the child is stopped
 * @param type        worker or supervisor
 */
public record ChildSpec(Object id, Function<List<Object>, Object> start, Restart restart, boolean significant,
                        Shutdown shutdown, Type type) {

    /** When a child is restarted. */
    public enum Restart {
        /** Always. */
        PERMANENT,
        /** Only after an abnormal exit (not {@code normal}, {@code shutdown} or {@code {shutdown, _}}). */
        TRANSIENT,
        /** Never; the child is forgotten when it exits. */
        TEMPORARY
    }

    /** A worker or a supervisor (whose own children make up a subtree). */
    public enum Type { WORKER, SUPERVISOR }

    /** Starts a child; see {@link ChildSpec#start()}. */
    @FunctionalInterface
    public interface Start {
        Object start() throws Exception;
    }

    /** How a child is stopped. */
    public sealed interface Shutdown {
        /** Killed at once ({@code exit(Child, kill)}). */
        record BrutalKill() implements Shutdown {
        }

        /** Asked to stop ({@code exit(Child, shutdown)}), killed if still alive after {@code time}. */
        record Timeout(Duration time) implements Shutdown {
            public Timeout {
                Objects.requireNonNull(time, "time");
                if (time.isNegative() || time.isZero()) {
                    throw new IllegalArgumentException("a shutdown timeout must be positive, got " + time
                            + "; use Shutdown.BRUTAL_KILL to kill at once");
                }
            }
        }

        /** Asked to stop, and waited for as long as it takes (the default for supervisors). */
        record Infinity() implements Shutdown {
        }

        Shutdown BRUTAL_KILL = new BrutalKill();
        Shutdown INFINITY = new Infinity();

        static Shutdown timeout(Duration time) {
            return new Timeout(time);
        }
    }

    /** The default shutdown of workers: 5 seconds. */
    public static final Shutdown WORKER_SHUTDOWN = new Shutdown.Timeout(Duration.ofSeconds(5));

    static final String EXAMPLE = "a correct spec looks like: ChildSpec.worker(\"my_worker\", () -> "
            + "GenServer.startLink(new MyServer())).withRestart(ChildSpec.Restart.TRANSIENT)";

    public ChildSpec {
        if (id == null) throw invalid(null, "the id is missing");
        if (start == null) throw invalid(id, "the start function is missing");
        if (restart == null) throw invalid(id, "the restart type is missing");
        if (shutdown == null) throw invalid(id, "the shutdown is missing");
        if (type == null) throw invalid(id, "the type is missing");
        if (significant && restart == Restart.PERMANENT) {
            throw invalid(id, "a permanent child cannot be significant (make it TRANSIENT or TEMPORARY)");
        }
    }

    static IllegalArgumentException invalid(Object id, String why) {
        return new IllegalArgumentException("invalid child spec" + (id != null ? " '" + id + "'" : "") + ": " + why
                + "; " + EXAMPLE);
    }

    /** A permanent worker with a 5 s shutdown. */
    public static ChildSpec worker(Object id, Start start) {
        Objects.requireNonNull(start, "start");
        return new ChildSpec(id, args -> call(start), Restart.PERMANENT, false, WORKER_SHUTDOWN, Type.WORKER);
    }

    /**
     * A permanent worker whose start takes the extra arguments of a {@link DynamicSupervisor}
     * (Elixir's {@code extra_arguments}).
     */
    public static ChildSpec workerWithArgs(Object id, Function<List<Object>, Object> start) {
        return new ChildSpec(id, start, Restart.PERMANENT, false, WORKER_SHUTDOWN, Type.WORKER);
    }

    /** A permanent supervisor child, waited for as long as its own shutdown takes. */
    public static ChildSpec supervisor(Object id, Start start) {
        Objects.requireNonNull(start, "start");
        return new ChildSpec(id, args -> call(start), Restart.PERMANENT, false, Shutdown.INFINITY, Type.SUPERVISOR);
    }

    private static Object call(Start s) {
        try {
            return s.start();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new StartException("child start", new StartException.Why.Failed(new io.otp4j.ExitReason.Crash(e)));
        }
    }

    public ChildSpec withId(Object newId) {
        return new ChildSpec(newId, start, restart, significant, shutdown, type);
    }

    public ChildSpec withRestart(Restart r) {
        return new ChildSpec(id, start, r, significant, shutdown, type);
    }

    public ChildSpec withSignificant(boolean s) {
        return new ChildSpec(id, start, restart, s, shutdown, type);
    }

    public ChildSpec withShutdown(Shutdown s) {
        return new ChildSpec(id, start, restart, significant, s, type);
    }

    public ChildSpec withType(Type t) {
        return new ChildSpec(id, start, restart, significant, shutdown, t);
    }

    @Override
    public String toString() {
        return "ChildSpec[" + id + ", " + restart + (significant ? ", significant" : "") + ", " + shutdown + ", " + type + "]";
    }
}
