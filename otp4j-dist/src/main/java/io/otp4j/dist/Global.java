package io.otp4j.dist;

import io.otp4j.Atom;
import io.otp4j.NoSuchNameException;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Tuple;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.internal.NodeRuntime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Global names: a name registered here names one process on every node of the cluster, otp4j and
 * Erlang alike (Erlang's {@code global}, whose protocol this node speaks). {@code global:whereis_name(x)}
 * on an Erlang node finds a process registered here as {@code Atom.of("x")}, and the reverse.
 *
 * <pre>{@code
 * Global global = distribution.global();
 * global.registerName(Atom.of("billing"), Proc.self());   // true: nobody in the cluster had the name
 * Pid p = global.whereisName(Atom.of("billing")).orElseThrow();
 * global.send(Atom.of("billing"), msg);
 * }</pre>
 *
 * <p>Registering takes {@code global}'s lock on every known node, checks the name is free, and
 * registers it on each of them; the name goes when its process ends (each node monitors it), and
 * when its node is lost. When two clusters that both use a name join, the name's clash method
 * decides: by default ({@link Clash#RANDOM_EXIT}) one of the two processes is killed, as in Erlang.
 * Names are any term; use {@link Atom}s to share them with Erlang code. {@link #whereisName} reads
 * the local table and is cheap; registration is a cluster-wide operation.
 */
public final class Global {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** What happens to a name both sides had when two clusters join ({@code global}'s resolve functions). */
    public enum Clash {
        /** Keep one of the processes, kill the other ({@code global:random_exit_name/3}). */
        RANDOM_EXIT(GlobalServer.RANDOM_EXIT_NAME),
        /** Keep one, send the other {@code {global_name_conflict, Name}} ({@code random_notify_name/3}). */
        RANDOM_NOTIFY(GlobalServer.RANDOM_NOTIFY_NAME),
        /** Unregister the name, send both {@code {global_name_conflict, Name, OtherPid}} ({@code notify_all_name/3}). */
        NOTIFY_ALL(GlobalServer.NOTIFY_ALL_NAME);

        final Object method;

        Clash(Object method) {
            this.method = method;
        }
    }

    private final Distribution dist;
    private final NodeRuntime node;
    private volatile ServerRef<Object> registrar;

    Global(Distribution dist, NodeRuntime node) {
        this.dist = dist;
        this.node = node;
    }

    private GlobalServer server() {
        return dist.globalServer();
    }

    /**
     * Registers {@code name} for {@code pid} on every node ({@code global:register_name/2}).
     *
     * @return false if the name is taken, or {@code pid} already has a global name
     */
    public boolean registerName(Object name, Pid pid) {
        return registerName(name, pid, Clash.RANDOM_EXIT);
    }

    /** As {@link #registerName(Object, Pid)} with the clash method {@code clash} ({@code register_name/3}). */
    public boolean registerName(Object name, Pid pid, Clash clash) {
        return YES.equals(registrar(new Op(Kind.REGISTER, name, pid, clash.method)));
    }

    /** Registers {@code name} for {@code pid} even if it names another process ({@code re_register_name/2}). */
    public void reRegisterName(Object name, Pid pid) {
        registrar(new Op(Kind.RE_REGISTER, name, pid, Clash.RANDOM_EXIT.method));
    }

    /** Removes {@code name} on every node ({@code global:unregister_name/1}). */
    public void unregisterName(Object name) {
        if (whereisName(name).isPresent()) registrar(new Op(Kind.UNREGISTER, name, null, null));
    }

    /** The process registered as {@code name}, read from this node's table ({@code global:whereis_name/1}). */
    public Optional<Pid> whereisName(Object name) {
        GlobalServer.Entry e = server().names.get(Objects.requireNonNull(name, "name"));
        if (e == null) return Optional.empty();
        if (e.pid().node().equals(dist.name()) && !node.isAlive(e.pid())) return Optional.empty();
        return Optional.of(e.pid());
    }

    /**
     * Sends {@code msg} to the process registered as {@code name} ({@code global:send/2}).
     *
     * @throws NoSuchNameException if no process has the name
     */
    public Pid send(Object name, Object msg) {
        Pid pid = whereisName(name).orElseThrow(() -> new NoSuchNameException(String.valueOf(name), "global"));
        if (Proc.inProcess() && Proc.node() == node) Proc.send(pid, msg);
        else node.send(pid, msg);
        return pid;
    }

    /** The names registered in the cluster, as this node knows them ({@code global:registered_names/0}). */
    public List<Object> registeredNames() {
        return List.copyOf(server().names.keySet());
    }

    /**
     * Waits until this node's names are in step with every visible node connected now
     * ({@code global:sync/0}), at most {@code timeout}.
     *
     * @throws io.otp4j.behaviour.CallTimeoutException if that takes longer
     */
    public void sync(Duration timeout) {
        List<Object> nodes = GlobalServer.atoms(dist.nodes());
        call(() -> GenServer.call(ServerRef.named(GlobalServer.NAME), Tuple.of(Atom.of("sync"), nodes), timeout));
    }

    // ------------------------------------------------------------------ the registrar

    private static final Atom YES = GlobalServer.YES;

    private enum Kind { REGISTER, RE_REGISTER, UNREGISTER }

    private record Op(Kind kind, Object name, Pid pid, Object method) {
    }

    private Object registrar(Op op) {
        ServerRef<Object> r = registrar;
        if (r == null) {
            synchronized (this) {
                if (registrar == null) {
                    registrar = call(() -> GenServer.start(new Registrar(dist, server())));
                }
                r = registrar;
            }
        }
        ServerRef<Object> ref = r;
        return call(() -> GenServer.call(ref, op, TIMEOUT));
    }

    /** Runs {@code fn} in a process of this node (the API can be called from any thread). */
    private <T> T call(java.util.concurrent.Callable<T> fn) {
        try {
            if (Proc.inProcess() && Proc.node() == node) return fn.call();
            return node.run(fn::call);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The registrar (as in {@code global}): a process that takes {@code global}'s lock on every
     * known node, so that a name is registered everywhere or nowhere, and holds the lock while it
     * registers. Being a process of its own, it outlives the callers that ask it.
     */
    private static final class Registrar implements GenServer<Object, Object> {
        private final Distribution dist;
        private final GlobalServer state;
        private GlobalLocks locks;

        Registrar(Distribution dist, GlobalServer state) {
            this.dist = dist;
            this.state = state;
        }

        @Override
        public Init<Object> init() {
            locks = new GlobalLocks(dist, state);
            return new Init.Ok<>("");
        }

        @Override
        public CallResult<Object> handleCall(Object request, From from, Object s) {
            Op op = (Op) request;
            Object reply = transAllKnown(nodes -> switch (op.kind()) {
                case REGISTER -> {
                    if (state.names.containsKey(op.name()) && isAlive(state.names.get(op.name()).pid())) yield Atom.of("no");
                    for (GlobalServer.Entry e : state.names.values()) if (e.pid().equals(op.pid())) yield Atom.of("no");
                    yield registerEverywhere(nodes, op);
                }
                case RE_REGISTER -> registerEverywhere(nodes, op);
                case UNREGISTER -> {
                    for (String n : nodes) locks.callGlobal(n, Tuple.of(GlobalServer.UNREGISTER, op.name()));
                    yield Atom.OK;
                }
            });
            return new Reply<>(reply, s);
        }

        private boolean isAlive(Pid pid) {
            return !pid.node().equals(dist.name()) || Proc.isAlive(pid);
        }

        private Object registerEverywhere(List<String> nodes, Op op) {
            for (String n : nodes) locks.callGlobal(n, Tuple.of(GlobalServer.REGISTER, op.name(), op.pid(), op.method()));
            return YES;
        }

        /** {@code global:trans_all_known/1}: runs {@code fn} holding global's lock on this node and every known one. */
        private Object transAllKnown(Function<List<String>, Object> fn) {
            Tuple id = Tuple.of(GlobalServer.GLOBAL, Proc.self());
            for (int times = 0; ; times++) {
                List<String> known = knownNodes();
                List<String> nodes = new ArrayList<>();
                nodes.add(dist.name());
                nodes.addAll(known);
                String boss = GlobalLocks.boss(nodes);
                if (locks.setLock(id, List.of(boss))) {
                    if (locks.setLock(id, nodes) && knownNodes().equals(known)) {
                        try {
                            return fn.apply(nodes);
                        } finally {
                            locks.deleteGlobalLock(id, nodes);
                        }
                    }
                    locks.delLock(id, List.of(boss));
                }
                backOff(times);
            }
        }

        private List<String> knownNodes() {
            Object known = locks.callGlobal(dist.name(), GlobalServer.GET_KNOWN);
            List<String> out = GlobalServer.nodeList(GlobalServer.asList(known));
            out.sort(Comparator.naturalOrder());
            return out;
        }

        /** A random pause growing with the attempts, as {@code global}'s own (someone else holds the lock). */
        private static void backOff(int times) {
            int max = times > 5 ? 8000 : ((1 << times) * 1000) / 8;
            Proc.sleep(Duration.ofMillis(1 + ThreadLocalRandom.current().nextInt(Math.max(1, max))));
        }
    }
}
