package io.otp4j.stage;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.behaviour.ChildSpec;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartException;
import io.otp4j.behaviour.StartOptions;
import io.otp4j.behaviour.Supervisor;
import io.otp4j.stage.internal.ConsumerSupervisorStage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A consumer stage that starts one child process per event (Elixir's {@code ConsumerSupervisor}):
 * a pool whose size is bounded by demand, where each child lives as long as the work of one event.
 *
 * {@snippet :
 * ChildSpec printer = ConsumerSupervisor.child("printer",
 *         event -> Task.startLink(() -> System.out.println(event)));   // TEMPORARY by default
 * ServerRef<Object> sup = ConsumerSupervisor.startLink(ConsumerSupervisor.Spec.of(printer)
 *         .subscribeTo(SubscribeOptions.to(producer).maxDemand(50)));
 * }
 *
 * <h2>Demand</h2>
 * For each subscription the supervisor asks its producer for {@code maxDemand} events, and starts
 * a child for each event as it arrives, passing the event as the single argument of the child's
 * start function ({@link ChildSpec#start()} receives {@code List.of(event)}). When a child exits,
 * its slot is freed; once {@code maxDemand - minDemand} slots of a subscription are free, the
 * supervisor asks that producer for that many events. So the children started from a producer's
 * events never exceed its {@code maxDemand}; under a steady flow of events their number stays
 * between {@code minDemand} and {@code maxDemand}. A child whose start fails or is ignored frees
 * its slot at once.
 *
 * <h2>Children</h2>
 * The child template is a {@link ChildSpec}, built with {@link #child} or
 * {@link ChildSpec#workerWithArgs}. Its restart type is {@link ChildSpec.Restart#TEMPORARY}
 * (never restarted; {@link #child}'s default) or {@link ChildSpec.Restart#TRANSIENT} (restarted
 * with the same event after an abnormal exit, keeping its slot); {@code PERMANENT} is refused, as
 * a child started for an event is expected to end. Restarts count toward the supervisor's
 * intensity ({@link Spec#maxRestarts} within {@link Spec#maxSeconds}, 3 in 5 seconds by default);
 * one restart too many stops the supervisor with reason {@code shutdown}. A restart whose start
 * fails is tried again, also counting toward the intensity. Children are linked to the supervisor,
 * which traps exits; when it stops, every child is stopped as the template's
 * {@link ChildSpec#shutdown()} says, all at once, and waited for.
 *
 * <p>{@link #startChild} starts a child outside of any subscription, with arguments of its own;
 * it takes no slot. {@link #terminateChild} stops a child and frees its slot;
 * {@link #whichChildren} and {@link #countChildren} report them. The supervisor is otherwise a
 * consumer stage like any other: it can subscribe later with {@link GenStage#syncSubscribe}, and
 * each subscription's {@link CancelMode} says whether it stops when a producer ends (if it does,
 * its children are stopped with it).
 *
 * <h2>Differences from Elixir's ConsumerSupervisor</h2>
 * There is no callback module: the {@link Spec} is the whole configuration, and the only strategy
 * is one-for-one. Children are reported with the template's id rather than {@code :undefined}.
 * Start functions return a {@link Pid} or a {@link ServerRef} (null or an ignored
 * {@link StartException} for {@code :ignore}) rather than {@code {:ok, pid}}.
 */
public final class ConsumerSupervisor {
    private ConsumerSupervisor() {
    }

    /** Starts a child for one event: links it to the caller and returns its pid or a {@link ServerRef}. */
    @FunctionalInterface
    public interface EventStart<E> {
        Object start(E event) throws Exception;
    }

    /**
     * A supervisor's configuration.
     *
     * @param child       the template every child is started from; restart {@code TEMPORARY} or
     *                    {@code TRANSIENT}
     * @param maxRestarts at most this many restarts...
     * @param maxSeconds  ...within this window; one more stops the supervisor
     * @param subscribeTo the producers subscribed to at start; each subscription's
     *                    {@code maxDemand} bounds the children started from its events
     */
    public record Spec(ChildSpec child, int maxRestarts, Duration maxSeconds, List<SubscribeOptions> subscribeTo) {
        public Spec {
            Objects.requireNonNull(child, "child");
            Objects.requireNonNull(maxSeconds, "maxSeconds");
            subscribeTo = List.copyOf(subscribeTo);
            if (child.restart() == ChildSpec.Restart.PERMANENT) {
                throw new IllegalArgumentException("a child with restart PERMANENT is not supported by a ConsumerSupervisor ("
                        + child + "): use TEMPORARY, so that children started from events are never restarted, or "
                        + "TRANSIENT, so that they are restarted only after an abnormal exit");
            }
            if (maxRestarts < 0) throw new IllegalArgumentException("maxRestarts cannot be negative, got " + maxRestarts);
            if (maxSeconds.isNegative()) throw new IllegalArgumentException("maxSeconds cannot be negative, got " + maxSeconds);
            for (SubscribeOptions s : subscribeTo) {
                String problem = s.problem();
                if (problem != null) throw new IllegalArgumentException("bad subscription options: " + problem);
            }
        }

        /** A supervisor of {@code child}: 3 restarts in 5 seconds, no subscription yet. */
        public static Spec of(ChildSpec child) {
            return new Spec(child, 3, Duration.ofSeconds(5), List.of());
        }

        public Spec withIntensity(int restarts, Duration within) {
            return new Spec(child, restarts, within, subscribeTo);
        }

        /** Adds subscriptions made at start, in order. */
        public Spec subscribeTo(SubscribeOptions... subscriptions) {
            List<SubscribeOptions> all = new ArrayList<>(subscribeTo);
            for (SubscribeOptions s : subscriptions) all.add(Objects.requireNonNull(s, "subscription"));
            return new Spec(child, maxRestarts, maxSeconds, all);
        }
    }

    /**
     * A child template: a {@code TEMPORARY} worker with a 5 s shutdown, started by
     * {@code start} with the event. Change it with {@link ChildSpec#withRestart},
     * {@link ChildSpec#withShutdown} and so on. {@link #startChild} must then give exactly one
     * argument.
     */
    @SuppressWarnings("unchecked")
    public static <E> ChildSpec child(Object id, EventStart<E> start) {
        Objects.requireNonNull(start, "start");
        return ChildSpec.workerWithArgs(id, args -> {
            if (args.size() != 1) {
                throw new IllegalArgumentException("the child '" + id + "' takes one argument, the event; got " + args);
            }
            try {
                return start.start((E) args.getFirst());
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new StartException("start of child " + id, new StartException.Why.Failed(new ExitReason.Crash(e)));
            }
        }).withRestart(ChildSpec.Restart.TEMPORARY);
    }

    // ------------------------------------------------------------------ start and stop

    /** Starts a supervisor, not linked; returns once it has sent its subscriptions. */
    public static ServerRef<Object> start(Spec spec) {
        return start(spec, StartOptions.DEFAULT);
    }

    public static ServerRef<Object> start(Spec spec, StartOptions options) {
        return GenStage.start(new ConsumerSupervisorStage(Objects.requireNonNull(spec, "spec").child(), spec.maxRestarts(),
                spec.maxSeconds(), spec.subscribeTo(), options.name()), options);
    }

    /** Starts a supervisor linked to the calling process. */
    public static ServerRef<Object> startLink(Spec spec) {
        return startLink(spec, StartOptions.DEFAULT);
    }

    public static ServerRef<Object> startLink(Spec spec, StartOptions options) {
        return GenStage.startLink(new ConsumerSupervisorStage(Objects.requireNonNull(spec, "spec").child(),
                spec.maxRestarts(), spec.maxSeconds(), spec.subscribeTo(), options.name()), options);
    }

    /** Stops the supervisor with reason {@code normal}, its children first. */
    public static void stop(ServerRef<?> sup) {
        GenStage.stop(sup, ExitReason.NORMAL, Proc.INFINITY);
    }

    // ------------------------------------------------------------------ children

    /**
     * Starts a child from the template with {@code args} as its start's arguments, outside of any
     * subscription: it takes no producer's slot.
     *
     * @return its pid, or null if its start was ignored
     * @throws StartException if it failed to start
     */
    public static Pid startChild(ServerRef<?> sup, List<?> args) {
        Object r = GenStage.call(sup, new ConsumerSupervisorStage.StartChild(List.copyOf(args)), Proc.INFINITY);
        return (Pid) unwrap(r);
    }

    /**
     * Stops the child {@code child} as the template's shutdown says and forgets it; a child started
     * from an event frees its slot.
     *
     * @throws IllegalArgumentException if it is not a child of {@code sup}
     */
    public static void terminateChild(ServerRef<?> sup, Pid child) {
        unwrap(GenStage.call(sup, new ConsumerSupervisorStage.TerminateChild(Objects.requireNonNull(child, "child")),
                Proc.INFINITY));
    }

    /** The children, oldest first; a child being restarted has no pid and the status {@code RESTARTING}. */
    public static List<Supervisor.ChildInfo> whichChildren(ServerRef<?> sup) {
        return GenStage.call(sup, new ConsumerSupervisorStage.WhichChildren(), Proc.INFINITY);
    }

    /**
     * The counts: {@code specs} is always 1 (the template), {@code active} the running children,
     * and the children (restarting or not) are all {@code workers} or all {@code supervisors} as
     * the template's type says.
     */
    public static Supervisor.Counts countChildren(ServerRef<?> sup) {
        return GenStage.call(sup, new ConsumerSupervisorStage.CountChildren(), Proc.INFINITY);
    }

    private static Object unwrap(Object reply) {
        if (reply instanceof ConsumerSupervisorStage.Failure(RuntimeException e)) throw e;
        if (reply == ConsumerSupervisorStage.IGNORED) return null;
        return reply;
    }
}
