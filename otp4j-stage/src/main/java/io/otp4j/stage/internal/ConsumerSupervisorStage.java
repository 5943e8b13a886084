package io.otp4j.stage.internal;

import io.otp4j.Down;
import io.otp4j.Exit;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.Report;
import io.otp4j.behaviour.Agent;
import io.otp4j.behaviour.ChildSpec;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.Name;
import io.otp4j.behaviour.Registry;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartException;
import io.otp4j.behaviour.Supervisor;
import io.otp4j.internal.NodeRuntime;
import io.otp4j.stage.Consumer;
import io.otp4j.stage.GenStage;
import io.otp4j.stage.StageOptions;
import io.otp4j.stage.SubscribeOptions;
import io.otp4j.stage.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The consumer behind {@code ConsumerSupervisor}: a stage in manual demand mode that traps exits,
 * starts a linked child per event and asks each producer for more as the children of its events
 * exit. The stage object is its own state, mutated only by its process.
 */
public final class ConsumerSupervisorStage implements Consumer<ConsumerSupervisorStage, Object> {
    private static final Logger LOG = LoggerFactory.getLogger("io.otp4j.stage");

    // ------------------------------------------------------------------ requests and replies

    /** start_child (a call): the reply is the pid, {@link #IGNORED} or a {@link Failure}. */
    public record StartChild(List<Object> args) {
    }

    /** terminate_child (a call). */
    public record TerminateChild(Pid pid) {
    }

    /** which_children (a call). */
    public record WhichChildren() {
    }

    /** count_children (a call). */
    public record CountChildren() {
    }

    /** A request that failed; the client throws {@code error}. */
    public record Failure(RuntimeException error) {
    }

    /** The reply to a start that was ignored. */
    public static final Object IGNORED = new Object() {
        @Override
        public String toString() {
            return "ignore";
        }
    };

    /** To itself: try again to restart the child that was {@code pid} (its last start failed). */
    private record Restart(Pid pid) {
    }

    // ------------------------------------------------------------------ state

    /** A child; {@code producer} is its subscription's tag, or null when started by start_child. */
    private static final class Child {
        final Ref producer;
        /** Its start's arguments, kept to restart it; null for a temporary child. */
        final List<Object> args;
        boolean restarting;

        Child(Ref producer, List<Object> args) {
            this.producer = producer;
            this.args = args;
        }
    }

    /** A subscription's slots: {@code count} taken (asked and not yet freed), {@code pending} freed and not yet asked. */
    private static final class Slots {
        final Subscription subscription;
        final long min;
        final long max;
        long count;
        long pending;

        Slots(Subscription subscription, long min, long max) {
            this.subscription = subscription;
            this.min = min;
            this.max = max;
        }
    }

    /** What a start gave. */
    private sealed interface Started {
    }

    private record Running(Pid pid) implements Started {
    }

    private record Ignored() implements Started {
    }

    private record Failed(StartException error) implements Started {
    }

    private final ChildSpec template;
    private final int maxRestarts;
    private final Duration maxSeconds;
    private final List<SubscribeOptions> subscribeTo;
    private final Name name;

    private final LinkedHashMap<Pid, Child> children = new LinkedHashMap<>();
    private final Map<Ref, Slots> producers = new HashMap<>();
    private final ArrayDeque<Long> restarts = new ArrayDeque<>();
    private int restarting;
    private NodeRuntime node;

    public ConsumerSupervisorStage(ChildSpec template, int maxRestarts, Duration maxSeconds,
                                   List<SubscribeOptions> subscribeTo, Name name) {
        this.template = template;
        this.maxRestarts = maxRestarts;
        this.maxSeconds = maxSeconds;
        this.subscribeTo = subscribeTo;
        this.name = name;
    }

    private boolean temporary() {
        return template.restart() == ChildSpec.Restart.TEMPORARY;
    }

    // ------------------------------------------------------------------ stage callbacks

    @Override
    public Init<ConsumerSupervisorStage> init() {
        Proc.trapExit(true);
        node = NodeRuntime.current();
        return new Init.Ok<>(this, StageOptions.DEFAULT.subscribeTo(subscribeTo.toArray(SubscribeOptions[]::new)));
    }

    @Override
    public SubscribeResult<ConsumerSupervisorStage> handleSubscribe(Peer peer, SubscribeOptions options,
                                                                    Subscription subscription,
                                                                    ConsumerSupervisorStage s) {
        Slots slots = new Slots(subscription, options.minDemand(), options.maxDemand());
        producers.put(subscription.tag(), slots);
        GenStage.ask(subscription, slots.max);
        return new Manual<>(this);
    }

    @Override
    public Result<ConsumerSupervisorStage, Void> handleCancel(Cancellation cancellation, Subscription subscription,
                                                              ConsumerSupervisorStage s) {
        producers.remove(subscription.tag());
        return new NoReply<>(this);
    }

    @Override
    public Result<ConsumerSupervisorStage, Void> handleEvents(List<Object> events, Subscription from,
                                                              ConsumerSupervisorStage s) {
        Ref ref = from.tag();
        int failed = 0;
        for (Object event : events) {
            List<Object> args = List.of(event);
            switch (start(args)) {
                case Running(Pid pid) -> children.put(pid, new Child(ref, temporary() ? null : args));
                case Ignored i -> failed++;
                case Failed(StartException e) -> {
                    report("start_error", e.reason().orElse(new ExitReason.Other(e.getMessage())), Optional.empty());
                    failed++;
                }
            }
        }
        slots(ref, events.size(), failed);
        return new NoReply<>(this);
    }

    @Override
    public CallResult<ConsumerSupervisorStage, Void> handleCall(Object request, From from, ConsumerSupervisorStage s)
            throws Exception {
        switch (request) {
            case StartChild(List<Object> args) -> {
                return switch (start(args)) {
                    case Running(Pid pid) -> {
                        children.put(pid, new Child(null, temporary() ? null : args));
                        yield new Reply<>(pid, this);
                    }
                    case Ignored i -> new Reply<>(IGNORED, this);
                    case Failed(StartException e) -> new Reply<>(new Failure(e), this);
                };
            }
            case TerminateChild(Pid pid) -> {
                Child c = children.get(pid);
                if (c == null) {
                    return new Reply<>(new Failure(new IllegalArgumentException(pid + " is not a child of " + Proc.self())),
                            this);
                }
                if (!c.restarting) shutdown(List.of(pid));
                remove(pid);
                return new Reply<>(Boolean.TRUE, this);
            }
            case WhichChildren() -> {
                List<Supervisor.ChildInfo> out = new ArrayList<>(children.size());
                for (Map.Entry<Pid, Child> e : children.entrySet()) {
                    boolean r = e.getValue().restarting;
                    out.add(new Supervisor.ChildInfo(template.id(), r ? null : e.getKey(),
                            r ? Supervisor.ChildStatus.RESTARTING : Supervisor.ChildStatus.RUNNING, template.type()));
                }
                return new Reply<>(List.copyOf(out), this);
            }
            case CountChildren() -> {
                int all = children.size();
                int waiting = 0;
                for (Child c : children.values()) if (c.restarting) waiting++;
                boolean sup = template.type() == ChildSpec.Type.SUPERVISOR;
                return new Reply<>(new Supervisor.Counts(1, all - waiting, sup ? all : 0, sup ? 0 : all), this);
            }
            default -> {
                return Consumer.super.handleCall(request, from, s);
            }
        }
    }

    /** Casts are ignored, as by Elixir's ConsumerSupervisor. */
    @Override
    public Result<ConsumerSupervisorStage, Void> handleCast(Object msg, ConsumerSupervisorStage s) {
        return new NoReply<>(this);
    }

    @Override
    public Result<ConsumerSupervisorStage, Void> handleInfo(Object msg, ConsumerSupervisorStage s) throws Exception {
        switch (msg) {
            case Exit(Pid pid, ExitReason reason) -> {
                Child c = children.get(pid);
                if (c == null || c.restarting) return new NoReply<>(this);
                if (reason.isSilent()) {
                    remove(pid);
                    return new NoReply<>(this);
                }
                report("child_terminated", reason, Optional.of(pid));
                if (temporary()) {
                    remove(pid);
                    return new NoReply<>(this);
                }
                return restart(pid, c);
            }
            case Restart(Pid pid) -> {
                restarting--;
                Child c = children.get(pid);
                if (c == null) return new NoReply<>(this); // terminated meanwhile
                return restart(pid, c);
            }
            default -> {
                return Consumer.super.handleInfo(msg, s);
            }
        }
    }

    @Override
    public void terminate(ExitReason reason, ConsumerSupervisorStage s) {
        List<Pid> running = new ArrayList<>(children.size());
        for (Map.Entry<Pid, Child> e : children.entrySet()) if (!e.getValue().restarting) running.add(e.getKey());
        shutdown(running);
        children.clear();
    }

    @Override
    public Object formatStatus(ConsumerSupervisorStage s) {
        return "ConsumerSupervisor " + template + " children=" + children.size() + " restarting=" + restarting
                + " producers=" + producers.size();
    }

    // ------------------------------------------------------------------ demand

    /**
     * {@code arrived} events came from the subscription {@code ref} and {@code freed} of its slots
     * were freed: asks the producer for the freed slots once there are {@code max - min} of them.
     */
    private void slots(Ref ref, long arrived, long freed) {
        if (ref == null) return;
        Slots slots = producers.get(ref);
        if (slots == null) return;
        if (slots.count + arrived > slots.max) {
            LOG.error("consumer supervisor {} has received {} events in excess from {}", Proc.self(),
                    slots.count + arrived - slots.max, slots.subscription.peer());
        }
        slots.count += arrived - freed;
        slots.pending += freed;
        if (slots.pending >= slots.max - slots.min) {
            long ask = slots.pending;
            slots.pending = 0;
            GenStage.ask(slots.subscription, ask);
        }
    }

    /** Forgets a child and frees its slot. */
    private void remove(Pid pid) {
        Child c = children.remove(pid);
        if (c != null) slots(c.producer, 0, 1);
    }

    // ------------------------------------------------------------------ starting and restarting

    private Started start(List<Object> args) {
        Object r;
        try {
            r = template.start().apply(args);
        } catch (StartException e) {
            return e.ignored() ? new Ignored() : new Failed(e);
        } catch (RuntimeException e) {
            return new Failed(new StartException("start of child " + template.id(),
                    new StartException.Why.Failed(new ExitReason.Crash(e))));
        }
        Pid pid;
        try {
            pid = pidOf(r);
        } catch (IllegalArgumentException e) {
            return new Failed(new StartException("start of child " + template.id(),
                    new StartException.Why.Failed(new ExitReason.Crash(e))));
        }
        if (pid == null) return new Ignored();
        Proc.link(pid);
        return new Running(pid);
    }

    private static Pid pidOf(Object r) {
        return switch (r) {
            case null -> null;
            case Pid p -> p;
            case ServerRef<?> ref -> ref.resolve().orElse(null);
            case Registry reg -> reg.owner();
            case Agent<?> a -> a.ref().resolve().orElse(null);
            default -> throw new IllegalArgumentException("a child start function must return a Pid or a ServerRef, not "
                    + r.getClass().getName());
        };
    }

    /** Restarts the child that was {@code pid}, with the same arguments; stops when the intensity is exceeded. */
    private Result<ConsumerSupervisorStage, Void> restart(Pid pid, Child c) {
        if (!addRestart()) {
            report("shutdown", new ExitReason.Other("reached_max_restart_intensity"), Optional.of(pid));
            remove(pid);
            return new Stop<>(ExitReason.SHUTDOWN, this);
        }
        switch (start(c.args)) {
            case Running(Pid now) -> {
                children.remove(pid);
                children.put(now, new Child(c.producer, c.args));
            }
            case Ignored i -> remove(pid);
            case Failed(StartException e) -> {
                report("start_error", e.reason().orElse(new ExitReason.Other(e.getMessage())), Optional.of(pid));
                c.restarting = true;
                restarting++;
                Proc.send(Proc.self(), new Restart(pid)); // try again, counting toward the intensity
            }
        }
        return new NoReply<>(this);
    }

    /** Counts a restart; false when there have been more than {@code maxRestarts} within {@code maxSeconds}. */
    private boolean addRestart() {
        long now = node.ticker().nanoTime();
        restarts.addLast(now);
        long window = maxSeconds.toNanos();
        while (!restarts.isEmpty() && now - restarts.peekFirst() > window) restarts.removeFirst();
        return restarts.size() <= maxRestarts;
    }

    // ------------------------------------------------------------------ stopping

    /**
     * Stops {@code pids} all at once as the template's shutdown says (monitor, unlink taking an
     * exit already on its way, exit signal, wait; kill those still alive after the timeout), and
     * reports those that did not stop as asked.
     */
    private void shutdown(List<Pid> pids) {
        if (pids.isEmpty()) return;
        Map<Ref, Pid> waiting = new HashMap<>();
        for (Pid pid : pids) {
            Ref mon = Proc.monitor(pid);
            Proc.unlink(pid);
            Optional<ExitReason> early = Proc.receive(m -> m instanceof Exit e && e.from().equals(pid) ? e.reason() : null,
                    Duration.ZERO);
            if (early.isPresent()) {
                Proc.receive(m -> m instanceof Down d && d.ref().equals(mon) ? d : null);
                if (!early.get().isSilent()) report("shutdown_error", early.get(), Optional.of(pid));
            } else {
                waiting.put(mon, pid);
            }
        }
        ChildSpec.Shutdown how = template.shutdown();
        ExitReason signal = how instanceof ChildSpec.Shutdown.BrutalKill ? ExitReason.KILL : ExitReason.SHUTDOWN;
        for (Pid pid : waiting.values()) Proc.exit(pid, signal);
        if (how instanceof ChildSpec.Shutdown.Timeout(Duration t)) {
            long deadline = System.nanoTime() + t.toNanos();
            while (!waiting.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                Optional<Down> d = Proc.receive(m -> m instanceof Down x && waiting.containsKey(x.ref()) ? x : null,
                        Duration.ofNanos(left));
                d.ifPresent(x -> stopped(how, waiting.remove(x.ref()), x.reason()));
            }
            for (Pid pid : waiting.values()) Proc.exit(pid, ExitReason.KILL);
        }
        while (!waiting.isEmpty()) {
            Down d = Proc.receive(m -> m instanceof Down x && waiting.containsKey(x.ref()) ? x : null);
            stopped(how, waiting.remove(d.ref()), d.reason());
        }
    }

    private void stopped(ChildSpec.Shutdown how, Pid pid, ExitReason reason) {
        boolean expected = reason.isSilent() || reason instanceof ExitReason.NoProc
                || (reason instanceof ExitReason.Killed && how instanceof ChildSpec.Shutdown.BrutalKill);
        if (!expected) report("shutdown_error", reason, Optional.of(pid));
    }

    private void report(String context, ExitReason reason, Optional<Pid> child) {
        node.reports().emit(new Report.Supervisor(Instant.now(), Proc.self(),
                name instanceof Name.Local(String n) ? Optional.of(n) : Optional.empty(), context, reason,
                template.id(), child));
    }
}
