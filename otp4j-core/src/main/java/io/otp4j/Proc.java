package io.otp4j;

import io.otp4j.internal.NodeRuntime;
import io.otp4j.internal.ProcessImpl;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Erlang's processes: spawn, send, receive, links, monitors, exit signals, names and timers (the
 * process part of Erlang's {@code erlang} module and of Elixir's {@code Process}).
 *
 * {@snippet :
 * record Inc() {}
 * record Get(Pid from, Ref ref) {}
 * record Value(Ref ref, int n) {}
 *
 * Pid counter = Proc.spawn(() -> {
 *     int n = 0;
 *     while (true) {
 *         switch (Proc.receive()) {
 *             case Inc() -> n++;
 *             case Get(Pid from, Ref ref) -> Proc.send(from, new Value(ref, n));
 *             default -> { }  // anything else is dropped
 *         }
 *     }
 * });
 * Proc.send(counter, new Inc());
 * Ref ref = Proc.makeRef();
 * Proc.send(counter, new Get(Proc.self(), ref));
 * int n = Proc.receiveReply(ref, m -> m instanceof Value(Ref r, int v) && r.equals(ref) ? v : null);
 * }
 *
 * <h2>Processes</h2>
 * A process is a virtual thread with a mailbox. Processes share nothing but messages; a process
 * ends when its body returns (reason {@code normal}), throws (reason {@link ExitReason.Crash}), calls
 * {@link #exit(ExitReason)}, or is killed by an exit signal. Calls that act on "the current process"
 * ({@link #self()}, {@link #receive()}, {@link #link}, ...) must be made from inside one; a thread
 * that is not a process can spawn, send, and use {@link Node#run} to run code inside a process.
 *
 * <h2>Messages</h2>
 * Messages are passed by reference, not copied: they must be immutable. Use records, strings,
 * boxed numbers, enums, pids, references and the JDK's immutable collections ({@code List.of},
 * {@code Map.copyOf}, ...). A message that is mutated after it is sent is a data race between
 * processes. {@link Node.Options#checkMessages} (or {@code -Dotp4j.checkMessages=true}) rejects
 * visibly mutable messages on send; turn it on in tests. Between two processes, messages arrive in
 * the order they were sent. Sending to a dead process drops the message silently, as in Erlang.
 *
 * <h2>Killing</h2>
 * A process killed while blocked in {@code receive} (or a timer wait, or {@link #sleep}) dies
 * at once: its thread is woken and unwinds with {@link ProcessExit}. A process killed while it runs
 * CPU-bound code is dead for everybody at once (its name is free, links and monitors fire, messages
 * to it are dropped) but its thread runs on until its next otp4j call, which throws
 * {@link ProcessExit}; long computations should call {@link #yield()} now and then, which is such a
 * call. A process killed while blocked in I/O or in a JDK blocking call is interrupted: interruptible
 * channels and sockets close, {@code Thread.sleep} and {@code Object.wait} throw
 * {@code InterruptedException}, and the next otp4j call ends the thread. Code that catches
 * {@code Throwable} must rethrow {@link ProcessExit}.
 */
public final class Proc {

    /** Use as a timeout to wait forever (Erlang's {@code infinity}). */
    public static final Duration INFINITY = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);

    private Proc() {
    }

    /** The code of a process. It may throw; an exception ends the process with {@link ExitReason.Crash}. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    /**
     * A process spawned with a monitor.
     *
     * @param pid     the new process
     * @param monitor the monitor's reference, as in the {@link Down} it will deliver
     */
    public record Spawned(Pid pid, Ref monitor) {
    }

    // ------------------------------------------------------------------ identity

    /** The current process. */
    public static Pid self() {
        return me("self()").pid;
    }

    /** The node of the current process, or the default node when called from outside a process. */
    public static Node node() {
        return NodeRuntime.current();
    }

    /** Whether the calling thread is a process. */
    public static boolean inProcess() {
        return ProcessImpl.current() != null;
    }

    // ------------------------------------------------------------------ spawning

    /** Spawns a process running {@code body} on the caller's node. */
    public static Pid spawn(Body body) {
        ProcessImpl p = ProcessImpl.current();
        NodeRuntime n = p != null ? p.node() : NodeRuntime.defaultNode();
        return n.spawn(p, body, SpawnOptions.DEFAULT, null);
    }

    /**
     * Spawns a process linked to the caller. The link exists before the new process runs: if it
     * dies at once, the caller still gets the exit signal.
     */
    public static Pid spawnLink(Body body) {
        ProcessImpl p = me("spawnLink");
        return p.node().spawn(p, body, SpawnOptions.DEFAULT.withLink(), null);
    }

    /** Spawns a process monitored by the caller (the monitor exists before it runs). */
    public static Spawned spawnMonitor(Body body) {
        ProcessImpl p = me("spawnMonitor");
        Ref ref = p.node().makeRef(null);
        Pid pid = p.node().spawn(p, body, SpawnOptions.DEFAULT, ref);
        return new Spawned(pid, ref);
    }

    /** Spawns with options (link, monitor, priority). With {@code monitor}, use {@link #spawnMonitor} to get the reference. */
    public static Pid spawn(SpawnOptions options, Body body) {
        ProcessImpl p = ProcessImpl.current();
        if ((options.link() || options.monitor()) && p == null) {
            me("spawn with link or monitor");
        }
        NodeRuntime n = p != null ? p.node() : NodeRuntime.defaultNode();
        Ref ref = options.monitor() ? n.makeRef(null) : null;
        return n.spawn(p, body, options, ref);
    }

    // ------------------------------------------------------------------ sending

    /**
     * Sends {@code msg} to {@code to} and returns at once. A dead or unknown pid drops the message.
     * Messages from one process to another arrive in the order sent.
     */
    public static void send(Pid to, Object msg) {
        ProcessImpl p = ProcessImpl.current();
        NodeRuntime.forPid(p, Objects.requireNonNull(to, "to")).send(p, to, msg);
    }

    /**
     * Sends {@code msg} to the process registered as {@code name} on the caller's node.
     *
     * @throws NoSuchNameException if no process has that name
     */
    public static void send(String name, Object msg) {
        ProcessImpl p = ProcessImpl.current();
        (p != null ? p.node() : NodeRuntime.defaultNode()).send(p, Objects.requireNonNull(name, "name"), msg);
    }

    // ------------------------------------------------------------------ receiving

    /** Takes the oldest message, waiting for one as long as it takes. */
    public static Object receive() {
        return me("receive").receiveAny();
    }

    /**
     * Takes the oldest message, waiting at most {@code timeout}.
     *
     * @param timeout {@link Duration#ZERO} to take only what is already there (Erlang's
     *                {@code after 0}); {@link #INFINITY} to wait forever
     * @return the message, or empty if none came in time
     */
    public static Optional<Object> receive(Duration timeout) {
        ProcessImpl p = me("receive");
        Object r = p.receive(null, nanos(timeout), null);
        return r == ProcessImpl.TIMEOUT ? Optional.empty() : Optional.of(r);
    }

    /**
     * Selective receive: takes the oldest message {@code matcher} accepts, waiting as long as it
     * takes. Messages it does not accept stay in the mailbox, in order, for later receives.
     */
    public static <R> R receive(Matcher<R> matcher) {
        ProcessImpl p = me("receive");
        @SuppressWarnings("unchecked")
        R r = (R) p.receive(Objects.requireNonNull(matcher, "matcher"), -1, null);
        return r;
    }

    /**
     * Selective receive with a timeout (Erlang's {@code receive ... after}). The classic priority
     * receive reads:
     * {@snippet :
     * static List<String> important() {
     *     return Proc.receive(m -> m instanceof Job(int p, String text) && p > 10 ? text : null, Duration.ZERO)
     *             .map(text -> prepend(text, important()))
     *             .orElseGet(Priorities::normal);
     * }
     * }
     *
     * @return what the matcher returned, or empty if no message matched in time
     */
    public static <R> Optional<R> receive(Matcher<R> matcher, Duration timeout) {
        ProcessImpl p = me("receive");
        Object r = p.receive(Objects.requireNonNull(matcher, "matcher"), nanos(timeout), null);
        @SuppressWarnings("unchecked")
        Optional<R> out = r == ProcessImpl.TIMEOUT ? Optional.empty() : Optional.of((R) r);
        return out;
    }

    /**
     * Receives a reply tagged with {@code ref}, a reference this process has just made with
     * {@link #makeRef()}: messages that were in the mailbox before {@code ref} was made cannot be
     * replies to it and are not examined, so the receive costs the same with a million messages
     * queued as with none (OTP's receive optimisation). If another receive ran since {@code ref}
     * was made, the whole mailbox is examined; the result is the same.
     */
    public static <R> R receiveReply(Ref ref, Matcher<R> matcher) {
        ProcessImpl p = me("receiveReply");
        @SuppressWarnings("unchecked")
        R r = (R) p.receive(Objects.requireNonNull(matcher, "matcher"), -1, ref);
        return r;
    }

    /** {@link #receiveReply(Ref, Matcher)} with a timeout; empty if no reply came in time. */
    public static <R> Optional<R> receiveReply(Ref ref, Matcher<R> matcher, Duration timeout) {
        ProcessImpl p = me("receiveReply");
        Object r = p.receive(Objects.requireNonNull(matcher, "matcher"), nanos(timeout), ref);
        @SuppressWarnings("unchecked")
        Optional<R> out = r == ProcessImpl.TIMEOUT ? Optional.empty() : Optional.of((R) r);
        return out;
    }

    /** Waits for {@code time} without taking any message (Erlang's {@code timer:sleep}). */
    public static void sleep(Duration time) {
        ProcessImpl p = me("sleep");
        p.receive(m -> null, nanos(time), null);
    }

    /** Lets other processes run; also the place where a killed process notices it is dead. */
    public static void yield() {
        ProcessImpl p = me("yield");
        p.node().yieldNow(p);
    }

    /**
     * Hibernates the calling process ({@code erlang:hibernate/3}): its stack is discarded and its
     * virtual thread ends, leaving only the process (mailbox, links, monitors, name) and what
     * {@code then} captures. The next message starts a new thread that runs {@code then}; if a
     * message is already in the mailbox, {@code then} runs at once. Never returns: code after the
     * call does not run. A hibernating process costs a few hundred bytes less than one blocked in
     * {@link #receive()}; use it for processes that are idle for long stretches.
     */
    public static void hibernate(Body then) {
        ProcessImpl p = me("hibernate");
        p.node().hibernate(p, Objects.requireNonNull(then, "then"));
    }

    /** A new reference, unique on this node's incarnation ({@code make_ref()}). */
    public static Ref makeRef() {
        ProcessImpl p = ProcessImpl.current();
        return (p != null ? p.node() : NodeRuntime.defaultNode()).makeRef(p);
    }

    // ------------------------------------------------------------------ links and exits

    /**
     * Links the caller and {@code pid}: when either exits, the other gets an exit signal. Linking
     * to a process that does not exist gives the caller an exit signal with reason {@code noproc}
     * (a message if it traps exits; otherwise it dies).
     */
    public static void link(Pid pid) {
        ProcessImpl p = me("link");
        p.node().link(p, Objects.requireNonNull(pid, "pid"));
    }

    /** Removes the link between the caller and {@code pid}, if any; no exit signal from it arrives afterwards. */
    public static void unlink(Pid pid) {
        ProcessImpl p = me("unlink");
        p.node().unlink(p, Objects.requireNonNull(pid, "pid"));
    }

    /**
     * Makes the caller trap exits: exit signals arrive as {@link Exit} messages instead of killing
     * it (except {@link ExitReason#KILL} sent with {@link #exit(Pid, ExitReason)}).
     *
     * @return the previous setting
     */
    public static boolean trapExit(boolean on) {
        ProcessImpl p = me("trapExit");
        return p.node().trapExit(p, on);
    }

    /**
     * Ends the calling process with {@code reason}: throws {@link ProcessExit}, which unwinds the
     * process's code (its {@code finally} blocks run). Linked processes get an exit signal with
     * the same reason.
     */
    public static void exit(ExitReason reason) {
        me("exit");
        throw new ProcessExit(Objects.requireNonNull(reason, "reason"));
    }

    /**
     * Sends an exit signal to {@code pid}. The target, unless it traps exits, dies with
     * {@code reason}; {@code normal} is ignored unless the target is the caller; {@link ExitReason#KILL}
     * cannot be trapped and the target dies with reason {@code killed}. A trapping target receives
     * {@link Exit}{@code (caller, reason)}.
     */
    public static void exit(Pid pid, ExitReason reason) {
        ProcessImpl p = me("exit");
        p.node().exit(p, Objects.requireNonNull(pid, "pid"), Objects.requireNonNull(reason, "reason"));
    }

    // ------------------------------------------------------------------ monitors

    /**
     * Monitors {@code pid}: when it exits, the caller receives {@link Down}{@code (ref, pid, reason)}.
     * If it is not alive, the Down (reason {@code noproc}) arrives at once. Monitors stack: each
     * call makes a new one.
     */
    public static Ref monitor(Pid pid) {
        ProcessImpl p = me("monitor");
        return p.node().monitor(p, Objects.requireNonNull(pid, "pid"));
    }

    /**
     * Removes a monitor. Once this returns, no Down for {@code ref} will be put in the mailbox; one
     * already there stays (see {@link #demonitor(Ref, boolean)}).
     *
     * @return true if the monitor was active
     */
    public static boolean demonitor(Ref ref) {
        return demonitor(ref, false);
    }

    /** Removes a monitor; with {@code flush}, also removes its Down if it is already in the mailbox. */
    public static boolean demonitor(Ref ref, boolean flush) {
        ProcessImpl p = me("demonitor");
        return p.node().demonitor(p, Objects.requireNonNull(ref, "ref"), flush);
    }

    // ------------------------------------------------------------------ names

    /**
     * Registers {@code pid} (a live process of the caller's node) as {@code name}. A name names one
     * process, a process has at most one name, and the name is released when the process exits.
     *
     * @throws IllegalArgumentException if the name is taken, the process has a name, or it is not alive
     */
    public static void register(String name, Pid pid) {
        NodeRuntime.current().register(name, pid);
    }

    /** Removes a registration. @throws IllegalArgumentException if the name is not registered */
    public static void unregister(String name) {
        NodeRuntime.current().unregister(name);
    }

    /** The process registered as {@code name} on the caller's node, if any. */
    public static Optional<Pid> whereis(String name) {
        return NodeRuntime.current().whereis(name);
    }

    /** The registered names of the caller's node. */
    public static List<String> registered() {
        return NodeRuntime.current().registered();
    }

    // ------------------------------------------------------------------ timers

    /**
     * Sends {@code msg} to {@code pid} after {@code delay} ({@code erlang:send_after}). Timers run
     * on the node's timer thread and cost nothing while none is pending.
     */
    public static TimerRef sendAfter(Duration delay, Pid pid, Object msg) {
        return NodeRuntime.current().sendAfter(delay, Objects.requireNonNull(pid, "pid"), msg);
    }

    /** Sends {@code msg} after {@code delay} to whichever process is registered as {@code name} then (none: nothing happens). */
    public static TimerRef sendAfter(Duration delay, String name, Object msg) {
        return NodeRuntime.current().sendAfter(delay, Objects.requireNonNull(name, "name"), msg);
    }

    /** Cancels a timer. @return the time it had left, or empty if it had fired or was cancelled */
    public static Optional<Duration> cancelTimer(TimerRef timer) {
        return NodeRuntime.current().cancelTimer(timer);
    }

    /** The time a timer has left, or empty if it has fired or was cancelled. */
    public static Optional<Duration> readTimer(TimerRef timer) {
        return NodeRuntime.current().readTimer(timer);
    }

    // ------------------------------------------------------------------ introspection

    /** Whether {@code pid} is a live process of the caller's node. */
    public static boolean isAlive(Pid pid) {
        return NodeRuntime.current().isAlive(pid);
    }

    /** A snapshot of a live process of the caller's node ({@code process_info}). */
    public static Optional<ProcessInfo> info(Pid pid) {
        return NodeRuntime.current().info(pid);
    }

    /** The live processes of the caller's node. */
    public static List<Pid> processes() {
        return NodeRuntime.current().processes();
    }

    // ------------------------------------------------------------------ helpers

    private static ProcessImpl me(String what) {
        ProcessImpl p = ProcessImpl.current();
        if (p == null) {
            throw new IllegalStateException(what + " must be called from inside an otp4j process "
                    + "(spawn one with Proc.spawn, or run code in one with Node.run)");
        }
        return p;
    }

    private static long nanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) throw new IllegalArgumentException("a timeout cannot be negative: " + timeout);
        if (timeout.getSeconds() >= 3_000_000_000L) return -1; // about a century: infinity
        return Math.max(timeout.toNanos(), timeout.isZero() ? 0 : 1);
    }
}
