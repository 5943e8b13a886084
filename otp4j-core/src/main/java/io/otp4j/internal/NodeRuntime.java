package io.otp4j.internal;

import io.otp4j.Down;
import io.otp4j.Exit;
import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.NoSuchNameException;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.ProcessExit;
import io.otp4j.ProcessInfo;
import io.otp4j.Ref;
import io.otp4j.SpawnOptions;
import io.otp4j.TimerRef;
import io.otp4j.internal.sched.Schedulers;
import io.otp4j.internal.timer.TimerService;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node: the runtime that hosts processes (see {@link Node}).
 *
 * <p>All process-to-process operations go through here, and every one of them first asks whether
 * the other process is local. Remote pids are handed to the {@link RemoteRouter} that the
 * distribution layer installs: that interface is the one seam between the process core and the
 * network (send, link, unlink, exit, monitor, demonitor).
 */
public final class NodeRuntime implements Node {

    private static final Object DEFAULT_LOCK = new Object();
    private static volatile NodeRuntime defaultNode;
    /** The running nodes of this JVM by name: a pid's node, for callers that are not processes. */
    private static final ConcurrentHashMap<String, NodeRuntime> NODES = new ConcurrentHashMap<>();

    private final String name;
    private final int creation;
    private final Options options;
    final ProcessTable table = new ProcessTable();
    private final ConcurrentHashMap<String, ProcessImpl> names = new ConcurrentHashMap<>();
    final TimerService timers;
    final Schedulers schedulers;
    private final boolean checkMessages;
    private final AtomicLong refCounter = new AtomicLong();
    private final int refSalt = ThreadLocalRandom.current().nextInt();
    private final Reports reports;
    private final int yieldBudget;
    /** yieldBudget - 1: a process yields when its reduction count has these bits clear. */
    final int budgetMask;
    private volatile RemoteRouter remote = RemoteRouter.NONE;
    private volatile boolean stopped;
    private final ConcurrentHashMap<Class<?>, Object> attachments = new ConcurrentHashMap<>();
    private final java.util.concurrent.CopyOnWriteArrayList<Runnable> stopActions =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    private NodeRuntime(Options options) {
        this.options = options;
        this.name = options.name();
        this.creation = options.creation() != 0 ? options.creation() : (name.equals("nonode@nohost") ? 0 : 1);
        NodeNames.local(name);
        this.checkMessages = options.checkMessages();
        this.timers = new TimerService("otp4j-timer[" + name + "]");
        this.schedulers = Schedulers.create(name, options.schedulers(), options.scheduler());
        this.reports = new Reports(options.reportListener());
        // a power of two, so that the check on every send is a mask, not a division
        NODES.put(name, this);
        this.yieldBudget = Integer.highestOneBit(Math.max(1, options.reductionBudget() - 1)) << 1;
        this.budgetMask = yieldBudget - 1;
    }

    public static NodeRuntime start(Options options) {
        return new NodeRuntime(options);
    }

    /** The JVM's default node, started on first use. */
    public static NodeRuntime defaultNode() {
        NodeRuntime n = defaultNode;
        if (n == null || n.stopped) {
            synchronized (DEFAULT_LOCK) {
                n = defaultNode;
                if (n == null || n.stopped) {
                    n = new NodeRuntime(Options.defaults());
                    defaultNode = n;
                }
            }
        }
        return n;
    }

    /** The node of the calling process, or the default node when called from outside a process. */
    public static NodeRuntime current() {
        ProcessImpl p = ProcessImpl.current();
        return p != null ? p.node : defaultNode();
    }

    /**
     * The node to act on {@code pid} from: the caller's node for a process; for a caller that is
     * not a process, the node of this JVM the pid belongs to (else the default node).
     */
    public static NodeRuntime forPid(ProcessImpl caller, Pid pid) {
        if (caller != null) return caller.node;
        NodeRuntime n = NODES.get(pid.node());
        return n != null && !n.stopped ? n : defaultNode();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int creation() {
        return creation;
    }

    public Options options() {
        return options;
    }

    public boolean isLocal(Pid pid) {
        return pid.node().equals(name) && pid.creation() == creation;
    }

    public void installRemoteRouter(RemoteRouter router) {
        this.remote = router;
    }

    @Override
    public AutoCloseable addReportListener(java.util.function.Consumer<io.otp4j.Report> listener) {
        return reports.addListener(listener);
    }

    public Reports reports() {
        return reports;
    }

    /** The live local process with this pid, or null. */
    public ProcessImpl lookup(Pid pid) {
        if (pid.node() != name && !pid.node().equals(name)) return null;
        return table.get(pid);
    }

    // ------------------------------------------------------------------ spawning

    @Override
    public Pid spawn(Proc.Body body) {
        return spawn(null, body, SpawnOptions.DEFAULT, null);
    }

    @Override
    public Pid spawn(SpawnOptions opts, Proc.Body body) {
        if (opts.link() || opts.monitor()) {
            throw new IllegalStateException("link and monitor need a parent process: use Proc.spawn inside a process");
        }
        return spawn(null, body, opts, null);
    }

    /**
     * Spawns a process. With {@code link} or a monitor ref, the link or monitor exists before the
     * child's code runs, so no exit can slip between spawn and link (spawn_link's atomicity).
     */
    public Pid spawn(ProcessImpl parent, Proc.Body body, SpawnOptions opts, Ref monitorRef) {
        return spawn(parent, body, opts, monitorRef, null);
    }

    /**
     * Spawns a process; with a {@code listener}, {@code monitorRef} names a monitor held by that
     * listener (a caller that is not a process) instead of by the parent.
     */
    public Pid spawn(ProcessImpl parent, Proc.Body body, SpawnOptions opts, Ref monitorRef, DownListener listener) {
        if (body == null) throw new NullPointerException("body");
        if (stopped) throw new IllegalStateException("node " + name + " is stopped");
        if (parent != null) {
            parent.checkAlive();
            parent.reductions++;
        }
        long slot = table.allocate();
        Pid pid = new Pid(name, (int) slot, (int) (slot >>> 32), creation);
        boolean system = opts.priority() == SpawnOptions.Priority.HIGH;
        ProcessImpl p = new ProcessImpl(this, pid, body, system ? ProcessImpl.SYSTEM : 0);
        if (body instanceof MarkedBody marked) p.behaviour(marked.behaviour());
        if (listener != null) {
            p.ext().monitoredBy().put(monitorRef, listener);
        }
        Ref parentMonitor = listener == null ? monitorRef : null;
        if (opts.link() || parentMonitor != null) {
            boolean parentDead;
            synchronized (parent) {
                parentDead = parent.exitReason != null;
                if (!parentDead) {
                    if (opts.link()) parent.ext().links().add(pid);
                    if (parentMonitor != null) parent.ext().monitors().put(parentMonitor, pid);
                }
            }
            if (parentDead) {
                table.publish(p);
                table.release(p);
                parent.checkAlive();
            }
            if (opts.link()) p.ext().links().add(parent.pid);
            if (parentMonitor != null) p.ext().monitoredBy().put(parentMonitor, parent.pid);
        }
        table.publish(p);
        startThread(p);
        return pid;
    }

    private void startThread(ProcessImpl p) {
        Thread t = schedulers.newThread(p, (p.flags & ProcessImpl.SYSTEM) != 0);
        t.setUncaughtExceptionHandler(p);
        p.thread = t;
        t.start();
    }

    /** A message reached a hibernating process: give it a new thread, which runs its continuation. */
    void wakeHibernated(ProcessImpl p) {
        if (p.exitReason != null) return;
        startThread(p);
    }

    /** {@code erlang:hibernate}: unwinds the process's stack; {@code then} runs on the next message. */
    public void hibernate(ProcessImpl self, Proc.Body then) {
        self.checkAlive();
        throw new ProcessImpl.HibernateSignal(then);
    }

    /** Called on the process's own thread when its code has returned or thrown. */
    void processEnded(ProcessImpl p, ExitReason reason, boolean reported) {
        terminate(p, reason, !reported);
    }

    public TimerService timers() {
        return timers;
    }

    public io.otp4j.Ticker ticker() {
        return options.ticker();
    }

    // ------------------------------------------------------------------ messages

    public void send(ProcessImpl from, Pid to, Object msg) {
        if (msg == null) throw new NullPointerException("a message cannot be null");
        if (from != null) countAndMaybeYield(from);
        if (checkMessages) MessageCheck.check(msg);
        ProcessImpl p = lookup(to);
        if (p != null) {
            p.deliver(msg);
        } else if (!isLocal(to) && !to.node().equals(name)) {
            remote.send(from != null ? from.pid : null, to, msg);
        }
        // a dead local pid: dropped, as in Erlang
    }

    public void send(ProcessImpl from, String registered, Object msg) {
        if (msg == null) throw new NullPointerException("a message cannot be null");
        if (from != null) countAndMaybeYield(from);
        if (checkMessages) MessageCheck.check(msg);
        ProcessImpl p = names.get(registered);
        if (p == null) {
            throw new NoSuchNameException(registered, name);
        }
        p.deliver(msg);
    }

    @Override
    public void send(Pid to, Object msg) {
        send(ProcessImpl.current(), to, msg);
    }

    @Override
    public void send(String registered, Object msg) {
        send(ProcessImpl.current(), registered, msg);
    }

    private void countAndMaybeYield(ProcessImpl from) {
        from.checkAlive();
        if ((++from.reductions & budgetMask) == 0) {
            schedulers.maybeYield((from.flags & ProcessImpl.SYSTEM) != 0);
        }
    }

    /** Called by a process whose reduction budget is spent: let others run if any wait. */
    void budgetSpent(ProcessImpl self) {
        schedulers.maybeYield((self.flags & ProcessImpl.SYSTEM) != 0);
    }

    public Ref makeRef(ProcessImpl self) {
        long c = refCounter.incrementAndGet();
        Ref ref = new Ref(name, creation, (int) (c & 0x3ffff), (int) (c >>> 18), refSalt ^ (int) (c >>> 50));
        if (self != null) self.mark(ref);
        return ref;
    }

    public void yieldNow(ProcessImpl self) {
        self.checkAlive();
        schedulers.yieldNow((self.flags & ProcessImpl.SYSTEM) != 0);
        self.checkAlive();
    }

    // ------------------------------------------------------------------ links

    public void link(ProcessImpl self, Pid other) {
        self.checkAlive();
        if (other.equals(self.pid)) return;
        synchronized (self) {
            self.ext().links().add(other);
        }
        if (!isLocal(other) && !other.node().equals(name)) {
            remote.link(self.pid, other);
            return;
        }
        ProcessImpl o = table.get(other);
        boolean linked = false;
        if (o != null) {
            synchronized (o) {
                if (o.exitReason == null) {
                    o.ext().links().add(self.pid);
                    linked = true;
                }
            }
        }
        if (!linked) {
            // Erlang: linking to a process that does not exist gives the caller an exit signal noproc
            ExitReason death = onLinkSignal(self, other, ExitReason.NOPROC);
            if (death != null) {
                terminate(self, death, false);
                self.checkAlive();
            }
        }
    }

    public void unlink(ProcessImpl self, Pid other) {
        self.checkAlive();
        synchronized (self) {
            if (self.ext != null && self.ext.links != null) self.ext.links.remove(other);
        }
        ProcessImpl o = lookup(other);
        if (o != null) {
            synchronized (o) {
                if (o.ext != null && o.ext.links != null) o.ext.links.remove(self.pid);
            }
        } else if (!other.node().equals(name)) {
            remote.unlink(self.pid, other);
        }
    }

    /** A link exit signal from {@code from} reaches {@code t}: returns the reason t dies with, or null. */
    private ExitReason onLinkSignal(ProcessImpl t, Pid from, ExitReason reason) {
        synchronized (t) {
            if (t.exitReason != null) return null;
            ProcessImpl.Extras x = t.ext;
            if (x == null || x.links == null || !x.links.remove(from)) return null; // unlinked meanwhile
            if (t.trapsExits()) {
                t.deliver(new Exit(from, reason));
                return null;
            }
            return reason.isNormal() ? null : reason;
        }
    }

    /**
     * Entry point for a link request arriving from another node: {@code from} (remote) links to
     * {@code to} (local). Returns false if {@code to} is not alive; the caller then sends
     * {@code from} an exit with reason {@code noproc}, as ERTS does.
     */
    public boolean remoteLink(Pid from, Pid to) {
        ProcessImpl t = table.get(to);
        if (t == null) return false;
        synchronized (t) {
            if (t.exitReason != null) return false;
            t.ext().links().add(from);
            return true;
        }
    }

    /** Entry point for an unlink arriving from another node. */
    public void remoteUnlink(Pid from, Pid to) {
        ProcessImpl t = table.get(to);
        if (t == null) return;
        synchronized (t) {
            if (t.ext != null && t.ext.links != null) t.ext.links.remove(from);
        }
    }

    /** Entry point for a demonitor arriving from another node. */
    public void remoteDemonitor(Pid target, Ref ref) {
        ProcessImpl t = table.get(target);
        if (t == null) return;
        synchronized (t) {
            if (t.ext != null && t.ext.monitoredBy != null) t.ext.monitoredBy.remove(ref);
        }
    }

    /** Entry point for a message arriving from another node: delivered, or dropped if the process is gone. */
    public void remoteSend(Pid to, Object msg) {
        ProcessImpl p = table.get(to);
        if (p != null) p.deliver(msg);
    }

    /** Entry point for a message to a registered name arriving from another node: false if nobody has the name. */
    public boolean remoteSend(String registered, Object msg) {
        ProcessImpl p = names.get(registered);
        if (p == null) return false;
        p.deliver(msg);
        return true;
    }

    /** Entry point for a link exit signal arriving from another node. */
    public void remoteLinkExit(Pid from, Pid to, ExitReason reason) {
        ProcessImpl t = table.get(to);
        if (t == null) return;
        ExitReason death = onLinkSignal(t, from, reason);
        if (death != null) terminate(t, death, false);
    }

    // ------------------------------------------------------------------ exit signals

    /** {@code exit(to, reason)} sent by {@code caller} (null: sent by the node itself). */
    public void exit(ProcessImpl caller, Pid to, ExitReason reason) {
        if (caller != null) countAndMaybeYield(caller);
        Pid from = caller != null ? caller.pid : null;
        ProcessImpl t = lookup(to);
        if (t == null) {
            if (!to.node().equals(name)) remote.exit(from, to, reason);
            return;
        }
        exitSignal(caller, from, t, reason);
        if (caller == t) caller.checkAlive();
    }

    /** Entry point for an exit/2 signal arriving from another node. */
    public void remoteExit(Pid from, Pid to, ExitReason reason) {
        ProcessImpl t = table.get(to);
        if (t != null) exitSignal(null, from, t, reason);
    }

    private void exitSignal(ProcessImpl caller, Pid from, ProcessImpl t, ExitReason reason) {
        ExitReason death;
        synchronized (t) {
            if (t.exitReason != null) return;
            if (reason instanceof ExitReason.Kill) {
                death = ExitReason.KILLED;
            } else if (t.trapsExits()) {
                t.deliver(new Exit(from, reason));
                return;
            } else if (reason.isNormal()) {
                death = t == caller ? ExitReason.NORMAL : null;
            } else {
                death = reason;
            }
        }
        if (death != null) terminate(t, death, false);
    }

    public boolean trapExit(ProcessImpl self, boolean on) {
        self.checkAlive();
        synchronized (self) {
            boolean old = self.trapsExits();
            self.flags = on ? self.flags | ProcessImpl.TRAP_EXIT : self.flags & ~ProcessImpl.TRAP_EXIT;
            return old;
        }
    }

    // ------------------------------------------------------------------ death

    private record Death(String name, List<Pid> links) {
    }

    /**
     * Kills {@code p} with {@code reason} if it is alive, then carries the exit along its links,
     * iteratively, so that taking down a long chain of linked processes needs no deep stack.
     *
     * @param own true when the process's own code ended (a crash report is due if abnormal)
     * @return true if this call killed it
     */
    boolean terminate(ProcessImpl p, ExitReason reason, boolean own) {
        Death d = die(p, reason);
        if (d == null) return false;
        if (own && !reason.isSilent()) {
            reports.crash(p, d.name, reason);
        }
        if (d.links.isEmpty()) return true;
        ArrayDeque<Object> work = new ArrayDeque<>();
        for (Pid l : d.links) {
            work.add(p.pid);
            work.add(l);
            work.add(reason);
        }
        while (!work.isEmpty()) {
            Pid from = (Pid) work.poll();
            Pid to = (Pid) work.poll();
            ExitReason r = (ExitReason) work.poll();
            ProcessImpl t = table.get(to);
            if (t == null) {
                if (!to.node().equals(name)) remote.linkExit(from, to, r);
                continue;
            }
            ExitReason death = onLinkSignal(t, from, r);
            if (death == null) continue;
            Death dt = die(t, death);
            if (dt == null) continue;
            for (Pid l : dt.links) {
                work.add(t.pid);
                work.add(l);
                work.add(death);
            }
        }
        return true;
    }

    /**
     * Marks p dead, frees its slot and name, fires its monitors; returns its links, or null if it
     * was already dead. Everything observable happens under p's lock and before anybody hears of the
     * death: the slot is free (lookups fail, counts are right) and the name is released when the
     * first Down is delivered. p's collections are detached so that late operations on the dead
     * process find nothing.
     */
    private Death die(ProcessImpl p, ExitReason reason) {
        HashMap<Ref, Object> watchers = null;
        ConcurrentHashMap<Ref, Pid> mine = null;
        List<Pid> links = List.of();
        String regName = null;
        List<ExitHook> hooks = null;
        synchronized (p) {
            if (p.exitReason != null) return null;
            p.exitReason = reason;
            ProcessImpl.Extras x0 = p.ext;
            if (x0 != null && x0.exitHooks != null) {
                hooks = x0.exitHooks;
                x0.exitHooks = null;
            }
        }
        if (hooks != null) {
            // the process is marked dead (no new links, monitors or hooks), nobody has heard yet
            for (ExitHook h : hooks) {
                try {
                    h.exiting(p.pid, reason);
                } catch (RuntimeException | Error e) {
                    System.getLogger("io.otp4j").log(System.Logger.Level.ERROR,
                            "exit hook of " + p.pid + " failed", e);
                }
            }
        }
        synchronized (p) {
            table.release(p);
            ProcessImpl.Extras x = p.ext;
            if (x != null) {
                regName = x.name;
                x.name = null;
                if (regName != null) {
                    names.remove(regName, p);
                }
                if (x.links != null) {
                    if (!x.links.isEmpty()) links = new ArrayList<>(x.links);
                    x.links = null;
                }
                mine = x.monitors;
                x.monitors = null;
                watchers = x.monitoredBy;
                x.monitoredBy = null;
                if (watchers != null) {
                    // delivered under the lock: a demonitor that returns has either removed the
                    // monitor or finds the Down already queued (so flush can remove it)
                    for (Map.Entry<Ref, Object> e : watchers.entrySet()) {
                        if (e.getValue() instanceof Pid w) {
                            sendDown(w, e.getKey(), p.pid, reason);
                        } else {
                            ((DownListener) e.getValue()).down(e.getKey(), p.pid, reason);
                        }
                    }
                }
            }
        }
        if (p.thread != Thread.currentThread()) {
            p.wakeToDie();
        }
        CallWaiter waiting = (CallWaiter) ProcessImpl.WAITERS.getAndSet(p, DEAD_WAITERS);
        for (CallWaiter w = waiting; w != null; w = w.nextWaiter()) {
            if (!w.isDone()) w.processDown(reason);
        }
        if (watchers != null) {
            for (Map.Entry<Ref, Object> e : watchers.entrySet()) {
                if (e.getValue() instanceof Pid w) {
                    ProcessImpl wp = table.get(w);
                    ProcessImpl.Extras wx = wp != null ? wp.ext : null;
                    ConcurrentHashMap<Ref, Pid> m = wx != null ? wx.monitors : null;
                    if (m != null) m.remove(e.getKey());
                }
            }
        }
        if (mine != null) {
            for (Map.Entry<Ref, Pid> e : mine.entrySet()) {
                ProcessImpl t = table.get(e.getValue());
                if (t != null) {
                    synchronized (t) {
                        if (t.ext != null && t.ext.monitoredBy != null) t.ext.monitoredBy.remove(e.getKey());
                    }
                } else if (!e.getValue().node().equals(name)) {
                    remote.demonitor(p.pid, e.getValue(), e.getKey());
                }
            }
        }
        return new Death(regName, links);
    }

    private void sendDown(Pid watcher, Ref ref, Pid pid, ExitReason reason) {
        ProcessImpl w = table.get(watcher);
        if (w != null) {
            w.deliver(new Down(ref, pid, reason));
        } else if (!watcher.node().equals(name)) {
            remote.down(watcher, ref, pid, reason);
        }
    }

    // ------------------------------------------------------------------ monitors

    public Ref monitor(ProcessImpl self, Pid target) {
        self.checkAlive();
        Ref ref = makeRef(null);
        synchronized (self) {
            self.ext().monitors().put(ref, target);
        }
        if (!isLocal(target) && !target.node().equals(name)) {
            remote.monitor(self.pid, target, ref);
            return ref;
        }
        ProcessImpl t = table.get(target);
        boolean ok = false;
        if (t != null) {
            synchronized (t) {
                if (t.exitReason == null) {
                    t.ext().monitoredBy().put(ref, self.pid);
                    ok = true;
                }
            }
        }
        if (!ok) {
            self.ext.monitors.remove(ref);
            self.deliver(new Down(ref, target, ExitReason.NOPROC));
        }
        return ref;
    }

    /**
     * A monitor held by a listener rather than a process (see {@link DownListener}).
     *
     * @return false if the target is not alive (the listener is not called)
     */
    public boolean watch(Pid target, Ref ref, DownListener listener) {
        ProcessImpl t = lookup(target);
        if (t == null) return false;
        synchronized (t) {
            if (t.exitReason != null) return false;
            t.ext().monitoredBy().put(ref, listener);
            return true;
        }
    }

    /**
     * Runs {@code hook} when {@code target} dies, before its monitors and links hear of it (see
     * {@link ExitHook}).
     *
     * @return false if the target is not a live process of this node (the hook is not added)
     */
    public boolean addExitHook(Pid target, ExitHook hook) {
        ProcessImpl t = lookup(target);
        if (t == null) return false;
        synchronized (t) {
            if (t.exitReason != null) return false;
            ProcessImpl.Extras x = t.ext();
            if (x.exitHooks == null) x.exitHooks = new ArrayList<>(2);
            x.exitHooks.add(hook);
            return true;
        }
    }

    /** Removes a hook added by {@link #addExitHook}; false if it was not there (or already run). */
    public boolean removeExitHook(Pid target, ExitHook hook) {
        ProcessImpl t = lookup(target);
        if (t == null) return false;
        synchronized (t) {
            ProcessImpl.Extras x = t.ext;
            return x != null && x.exitHooks != null && x.exitHooks.remove(hook);
        }
    }

    /**
     * The node's instance of a service kept beside its processes (the ETS table registry, the
     * distribution layer...), made by {@code make} on first use.
     */
    public <T> T attachment(Class<T> key, java.util.function.Function<NodeRuntime, T> make) {
        return key.cast(attachments.computeIfAbsent(key, k -> make.apply(this)));
    }

    /** Runs {@code action} when the node stops, after its processes are gone. */
    public void onStop(Runnable action) {
        stopActions.add(action);
    }

    /** Removes a listener's monitor; once this returns the listener will not be called for it. */
    public void unwatch(Pid target, Ref ref) {
        ProcessImpl t = lookup(target);
        if (t == null) return;
        synchronized (t) {
            if (t.ext != null && t.ext.monitoredBy != null) t.ext.monitoredBy.remove(ref);
        }
    }

    // ------------------------------------------------------------------ call waiters (ADR 0007)

    /** Marks a dead process's waiter stack: pushes after death fail at once. */
    static final CallWaiter DEAD_WAITERS = new CallWaiter() {
        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public void processDown(ExitReason reason) {
        }

        @Override
        public CallWaiter nextWaiter() {
            return null;
        }

        @Override
        public void nextWaiter(CallWaiter next) {
        }
    };

    /**
     * Watches {@code target}'s death on behalf of {@code w}, without taking its lock. If the target
     * is not a live local process, {@code w} hears {@code noproc} at once and false is returned.
     */
    public boolean watchCall(Pid target, CallWaiter w) {
        ProcessImpl t = lookup(target);
        if (t == null) {
            if (!isLocal(target) && !target.node().equals(name)) return remote.watchCall(target, w);
            w.processDown(ExitReason.NOPROC);
            return false;
        }
        for (;;) {
            CallWaiter h = t.waiters;
            if (h == DEAD_WAITERS) {
                ExitReason r = t.exitReason;
                w.processDown(r != null ? r : ExitReason.NOPROC);
                return false;
            }
            w.nextWaiter(h);
            if (ProcessImpl.WAITERS.compareAndSet(t, h, w)) {
                return true;
            }
        }
    }

    /**
     * Drops done waiters from {@code owner}'s stack. Only the owner prunes, so the detached chain
     * is its alone; survivors are pushed back, or told of the death if it died meanwhile.
     */
    public void pruneCallWaiters(ProcessImpl owner) {
        CallWaiter h = owner.waiters;
        if (h == null || h == DEAD_WAITERS) return;
        if (!ProcessImpl.WAITERS.compareAndSet(owner, h, null)) return; // busy: next time
        CallWaiter keepHead = null;
        CallWaiter keepTail = null;
        for (CallWaiter w = h; w != null; ) {
            CallWaiter next = w.nextWaiter();
            if (!w.isDone()) {
                w.nextWaiter(null);
                if (keepHead == null) keepHead = w;
                else keepTail.nextWaiter(w);
                keepTail = w;
            }
            w = next;
        }
        if (keepHead == null) return;
        for (;;) {
            CallWaiter cur = owner.waiters;
            if (cur == DEAD_WAITERS) {
                ExitReason r = owner.exitReason;
                for (CallWaiter w = keepHead; w != null; w = w.nextWaiter()) w.processDown(r);
                return;
            }
            keepTail.nextWaiter(cur);
            if (ProcessImpl.WAITERS.compareAndSet(owner, cur, keepHead)) return;
        }
    }

    /** Entry point for a monitor request from another node; false if the target is not alive. */
    public boolean remoteMonitor(Pid watcher, Pid target, Ref ref) {
        ProcessImpl t = table.get(target);
        if (t == null) return false;
        synchronized (t) {
            if (t.exitReason != null) return false;
            t.ext().monitoredBy().put(ref, watcher);
            return true;
        }
    }

    public boolean demonitor(ProcessImpl self, Ref ref, boolean flush) {
        self.checkAlive();
        Pid target;
        ProcessImpl.Extras sx = self.ext;
        ConcurrentHashMap<Ref, Pid> mon = sx != null ? sx.monitors : null;
        target = mon != null ? mon.remove(ref) : null;
        if (target != null) {
            ProcessImpl t = lookup(target);
            if (t != null) {
                synchronized (t) {
                    if (t.ext != null && t.ext.monitoredBy != null) t.ext.monitoredBy.remove(ref);
                }
            } else if (!target.node().equals(name)) {
                remote.demonitor(self.pid, target, ref);
            }
        }
        if (flush) {
            self.removeMessages(m -> m instanceof Down d && d.ref().equals(ref));
        }
        return target != null;
    }

    /** Delivers a Down that arrived from another node. */
    public void remoteDown(Pid watcher, Ref ref, Pid pid, ExitReason reason) {
        ProcessImpl w = table.get(watcher);
        if (w == null) return;
        ProcessImpl.Extras wx = w.ext;
        ConcurrentHashMap<Ref, Pid> mon = wx != null ? wx.monitors : null;
        if (mon != null && mon.remove(ref) != null) w.deliver(new Down(ref, pid, reason));
    }

    // ------------------------------------------------------------------ names

    public void register(String regName, Pid pid) {
        if (regName == null || regName.isEmpty()) throw new IllegalArgumentException("a name cannot be empty");
        ProcessImpl p = lookup(pid);
        if (p == null) {
            throw new IllegalArgumentException("cannot register '" + regName + "': " + pid
                    + (isLocal(pid) ? " is not alive" : " is not a process of this node"));
        }
        synchronized (p) {
            if (p.exitReason != null) {
                throw new IllegalArgumentException("cannot register '" + regName + "': " + pid + " is not alive");
            }
            if (p.ext != null && p.ext.name != null) {
                throw new IllegalArgumentException("cannot register '" + regName + "': " + pid
                        + " is already registered as '" + p.ext.name + "'");
            }
            ProcessImpl prev = names.putIfAbsent(regName, p);
            if (prev != null) {
                throw new IllegalArgumentException("cannot register '" + regName + "': the name is taken by " + prev.pid);
            }
            p.ext().name = regName;
        }
    }

    public void unregister(String regName) {
        ProcessImpl p = names.get(regName);
        if (p == null) throw new IllegalArgumentException("cannot unregister '" + regName + "': no process has that name");
        synchronized (p) {
            if (names.remove(regName, p) && p.ext != null) p.ext.name = null;
        }
    }

    @Override
    public Optional<Pid> whereis(String regName) {
        ProcessImpl p = names.get(regName);
        return p != null && p.isAlive() ? Optional.of(p.pid) : Optional.empty();
    }

    public List<String> registered() {
        return List.copyOf(names.keySet());
    }

    // ------------------------------------------------------------------ timers

    public TimerRef sendAfter(Duration delay, Object dest, Object msg) {
        if (msg == null) throw new NullPointerException("a message cannot be null");
        if (checkMessages) MessageCheck.check(msg);
        long nanos = Math.max(0, delay.toNanos());
        long deadline = System.nanoTime() + nanos;
        Ref ref = makeRef(null);
        Runnable fire = dest instanceof Pid pid
                ? () -> {
                    ProcessImpl p = lookup(pid);
                    if (p != null) p.deliver(msg);
                    else if (!pid.node().equals(name)) remote.send(null, pid, msg);
                }
                : () -> {
                    ProcessImpl p = names.get((String) dest);
                    if (p != null) p.deliver(msg); // an unknown name at expiry: nothing, as in Erlang
                };
        return new TimerHandle(ref, timers.schedule(deadline, fire));
    }

    /** A timer reference: Erlang's timer refs are references; this one also holds the timer. */
    record TimerHandle(Ref ref, TimerService.Timer timer) implements TimerRef {
        @Override
        public String toString() {
            return ref.toString();
        }
    }

    public Optional<Duration> cancelTimer(TimerRef ref) {
        TimerService.Timer t = ((TimerHandle) ref).timer();
        if (!t.cancel()) return Optional.empty();
        return Optional.of(Duration.ofNanos(Math.max(0, t.deadline() - System.nanoTime())));
    }

    public Optional<Duration> readTimer(TimerRef ref) {
        TimerService.Timer t = ((TimerHandle) ref).timer();
        if (!t.isPending()) return Optional.empty();
        return Optional.of(Duration.ofNanos(Math.max(0, t.deadline() - System.nanoTime())));
    }

    // ------------------------------------------------------------------ introspection

    @Override
    public boolean isAlive(Pid pid) {
        ProcessImpl p = lookup(pid);
        return p != null && p.isAlive();
    }

    @Override
    public List<Pid> processes() {
        List<ProcessImpl> all = table.all();
        List<Pid> out = new ArrayList<>(all.size());
        for (ProcessImpl p : all) {
            if (p.isAlive()) out.add(p.pid);
        }
        return out;
    }

    public int processCount() {
        return table.size();
    }

    /** Waits (parked) until at most {@code n} processes of this node are alive. */
    public boolean awaitProcessCount(int n, Duration timeout) {
        return table.awaitAtMost(n, timeout.toNanos());
    }

    /** Whether a live process is blocked in receive (benchmarks wait for a quiet node with it). */
    public boolean isWaiting(Pid pid) {
        ProcessImpl p = lookup(pid);
        return p != null && p.isWaiting();
    }

    @Override
    public Optional<ProcessInfo> info(Pid pid) {
        ProcessImpl p = lookup(pid);
        if (p == null) return Optional.empty();
        List<Pid> links;
        List<Pid> monitors;
        List<Pid> monitoredBy;
        String regName;
        boolean trap;
        synchronized (p) {
            if (p.exitReason != null) return Optional.empty();
            ProcessImpl.Extras x = p.ext;
            links = x != null && x.links != null ? List.copyOf(x.links) : List.of();
            monitors = x != null && x.monitors != null ? List.copyOf(x.monitors.values()) : List.of();
            monitoredBy = new ArrayList<>();
            if (x != null && x.monitoredBy != null) {
                for (Object w : x.monitoredBy.values()) {
                    if (w instanceof Pid wp) monitoredBy.add(wp);
                }
            }
            regName = x != null ? x.name : null;
            trap = p.trapsExits();
        }
        boolean hibernating = p.isHibernating();
        ProcessInfo.Status status = hibernating ? ProcessInfo.Status.HIBERNATING
                : p.isWaiting() ? ProcessInfo.Status.WAITING : ProcessInfo.Status.RUNNING;
        int queued = p.messageQueueLength();
        // a benign race: the owner writes its behaviour object once it has started (and again, the
        // same object, after each hibernation); a reader may see none yet. The objects' fields that
        // BehaviourInfo reads are final, so a behaviour object seen is seen whole.
        Object b = p.behaviour();
        BehaviourInfo bi = b instanceof BehaviourInfo i ? i : null;
        String behaviourName = bi != null ? bi.behaviourName() : null;
        long memory = (hibernating ? HIBERNATED_BYTES : PROCESS_BYTES) + (long) Math.max(queued, 0) * ENVELOPE_BYTES
                + (long) (links.size() + monitors.size() + monitoredBy.size()) * ENTRY_BYTES;
        return Optional.of(new ProcessInfo(pid, Optional.ofNullable(regName), status, queued,
                links, monitors, List.copyOf(monitoredBy), trap, p.reductions,
                (p.flags & ProcessImpl.SYSTEM) != 0 ? SpawnOptions.Priority.HIGH : SpawnOptions.Priority.NORMAL,
                Optional.ofNullable(behaviourName), Optional.ofNullable(behaviourName != null ? bi.moduleName() : null),
                memory));
    }

    // The memory estimate of process_info, documented in ProcessInfo#memory.
    /** A process with its virtual thread: process object, thread, parked stack (spawn_1m_mem benchmark). */
    private static final int PROCESS_BYTES = 650;
    /** A hibernating process: the process object (64 bytes), its pid and its continuation; no thread. */
    private static final int HIBERNATED_BYTES = 120;
    /** One message in the mailbox: its envelope (header, message and next references). */
    private static final int ENVELOPE_BYTES = 24;
    /** One link or monitor: a hash map node, its share of the table, the key. */
    private static final int ENTRY_BYTES = 48;

    /** Test and introspection aid: the messages waiting in a process's mailbox. */
    public List<Object> peekMailbox(Pid pid) {
        ProcessImpl p = lookup(pid);
        return p == null ? List.of() : p.messages();
    }

    public String schedulerDescription() {
        return schedulers.describe();
    }

    public Schedulers schedulers() {
        return schedulers;
    }

    /**
     * An unstarted virtual thread on this node's scheduler for normal processes, for a service thread
     * that takes work from processes (a distribution connection's writer): a process's hand-off to
     * it runs next on the same worker.
     */
    public Thread newServiceThread(String name, Runnable task) {
        Thread t = schedulers.newThread(task, false);
        t.setName(name);
        return t;
    }

    // ------------------------------------------------------------------ running code from outside

    private record Returned(Object value) {
    }

    private record Threw(Throwable error) {
    }

    /** Runs fn in a new process and returns once that process has exited (so its effects are complete). */
    @Override
    public <T> T run(Callable<T> fn) throws Exception {
        java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        CompletableFuture<ExitReason> exited = new CompletableFuture<>();
        Ref ref = makeRef(null);
        Pid pid = spawn(null, () -> {
            try {
                outcome.set(new Returned(fn.call()));
            } catch (Throwable t) {
                outcome.set(new Threw(t));
                throw t;
            }
        }, SpawnOptions.DEFAULT, ref, (r, who, reason) -> exited.complete(reason));
        ExitReason reason;
        try {
            reason = exited.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        Object o = outcome.get();
        if (o instanceof Returned(Object v)) {
            @SuppressWarnings("unchecked")
            T t = (T) v;
            return t;
        }
        if (o instanceof Threw(Throwable t) && !(t instanceof ProcessExit)) {
            if (t instanceof Exception ex) throw ex;
            if (t instanceof Error err) throw err;
            throw new IllegalStateException(t);
        }
        throw new io.otp4j.ExitException(pid, reason);
    }

    // ------------------------------------------------------------------ stopping

    @Override
    public void stop() {
        if (stopped) return;
        stopped = true;
        NODES.remove(name, this);
        for (ProcessImpl p : table.all()) {
            terminate(p, ExitReason.KILLED, false);
        }
        for (Runnable r : stopActions) {
            try {
                r.run();
            } catch (RuntimeException | Error e) {
                System.getLogger("io.otp4j").log(System.Logger.Level.ERROR, "stop action of " + name + " failed", e);
            }
        }
        timers.stop();
        schedulers.shutdown();
        reports.flush();
        remote.nodeStopped();
    }

    @Override
    public boolean isStopped() {
        return stopped;
    }

    @Override
    public String toString() {
        return "Node[" + name + ", " + table.size() + " processes]";
    }

    /** Kills the process from outside (tests, the node's own machinery): exit(pid, kill) with no sender. */
    public void kill(Pid pid) {
        exit(null, pid, ExitReason.KILL);
    }
}
