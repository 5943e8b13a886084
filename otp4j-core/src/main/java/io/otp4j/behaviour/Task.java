package io.otp4j.behaviour;

import io.otp4j.Down;
import io.otp4j.Exit;
import io.otp4j.ExitException;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.SpawnOptions;
import io.otp4j.internal.BehaviourInfo;
import io.otp4j.internal.MarkedBody;
import io.otp4j.internal.ProcessImpl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A computation in a process of its own, whose result its owner awaits (Elixir's {@code Task}).
 *
 * {@snippet :
 * Task<Integer> a = Task.async(() -> slowSquare(3));
 * Task<Integer> b = Task.async(() -> slowSquare(4));
 * int sum = a.await() + b.await();     // both ran concurrently
 * }
 *
 * <p>{@link #async} links the task to the caller: if either crashes, the other goes too, which is
 * right when the caller cannot do without the result. To survive a task's crash, start it with
 * {@link TaskSupervisor#asyncNolink} and look at the {@link Outcome}. Only the process that started
 * a task (its owner) may await it.
 *
 * @param <T> the result
 */
public final class Task<T> {

    /** How a task ended, as {@link #yield} and friends report it. */
    public sealed interface Outcome<T> {
        /** It returned {@code value}. */
        record Ok<T>(T value) implements Outcome<T> {
        }

        /** It exited with {@code reason} before returning (crashed, was killed or shut down). */
        record Exited<T>(ExitReason reason) implements Outcome<T> {
        }
    }

    /** A task's answer, as it arrives in the owner's mailbox. */
    record Reply(Ref ref, Object value) {
    }

    /** The owner's go-ahead to a supervised task, once it monitors it. */
    record Go(Ref ref) {
    }

    /** Awaiting a task failed: it exited, or did not finish in time (and was shut down). */
    public static final class TaskException extends ExitException {
        TaskException(Pid pid, ExitReason reason, String message) {
            super(pid, reason, message);
        }
    }

    private final Pid pid;
    /** Tags the result message. */
    private final Ref tag;
    /** The owner's monitor of the task. */
    private final Ref ref;
    private final Pid owner;
    private final boolean linked;

    Task(Pid pid, Ref tag, Ref monitor, Pid owner, boolean linked) {
        this.pid = pid;
        this.tag = tag;
        this.ref = monitor;
        this.owner = owner;
        this.linked = linked;
    }

    public Pid pid() {
        return pid;
    }

    public Pid owner() {
        return owner;
    }

    /** The monitor's reference: a {@link Down} with it tells that the task exited. */
    public Ref ref() {
        return ref;
    }

    // ------------------------------------------------------------------ starting

    /**
     * Runs {@code fn} in a new process linked to and monitored by the caller (both in place before
     * it runs). The monitor's reference also tags the result message, as in Elixir.
     */
    public static <T> Task<T> async(Callable<T> fn) {
        ProcessImpl self = owner("Task.async");
        Ref ref = self.node().makeRef(null);
        Pid pid = self.node().spawn(self, body(fn, self.pid, ref, false), SpawnOptions.DEFAULT.withLink(), ref);
        return new Task<>(pid, ref, ref, self.pid, true);
    }

    /** The body of a task process: run, then send the result to the owner. */
    static <T> Proc.Body body(Callable<T> fn, Pid owner, Ref ref, boolean linkToOwner) {
        return body(fn, owner, ref, linkToOwner, false);
    }

    /**
     * The body of a task; with {@code awaitGo} it first waits for its owner's go-ahead, which the
     * owner sends once it monitors the task (a supervised task is started by its supervisor, so the
     * owner's monitor comes after the spawn: without the wait, a task that crashes at once would be
     * seen as {@code noproc}). Elixir's Task.Supervisor does the same.
     */
    static <T> Proc.Body body(Callable<T> fn, Pid owner, Ref ref, boolean linkToOwner, boolean awaitGo) {
        return new MarkedBody(new Info(BehaviourInfo.classNameOf(fn)), () -> {
            if (linkToOwner) Proc.link(owner);
            if (awaitGo) Proc.receive(m -> m instanceof Go g && g.ref().equals(ref) ? g : null);
            T value = fn.call();
            Proc.send(owner, new Reply(ref, value));
        });
    }

    /** Starts a process running {@code fn} for its side effects, not linked (Task.start). */
    public static Pid start(Proc.Body fn) {
        return Proc.spawn(marked(fn));
    }

    /** As {@link #start}, linked to the caller (Task.start_link; supervisors use it). */
    public static Pid startLink(Proc.Body fn) {
        return Proc.spawnLink(marked(fn));
    }

    /** What process_info shows of a task: the behaviour, and the class whose code it runs. */
    private record Info(String moduleName) implements BehaviourInfo {
        @Override
        public String behaviourName() {
            return "Task";
        }
    }

    /** {@code fn}, run by a process marked as a task from its spawn on. */
    static Proc.Body marked(Proc.Body fn) {
        return new MarkedBody(new Info(BehaviourInfo.classNameOf(fn)), fn);
    }

    private static ProcessImpl owner(String what) {
        ProcessImpl p = ProcessImpl.current();
        if (p == null) throw new IllegalStateException(what + " must be called from inside a process: its owner");
        return p;
    }

    private void checkOwner(String what) {
        ProcessImpl p = ProcessImpl.current();
        if (p == null || !p.pid.equals(owner)) {
            throw new IllegalStateException(what + ": only the owner " + owner + " of task " + pid
                    + " can do this, not " + (p == null ? "a thread that is not a process" : p.pid));
        }
    }

    // ------------------------------------------------------------------ awaiting

    private Object matches(Object m) {
        if (m instanceof Reply r && r.ref().equals(tag)) return m;
        if (m instanceof Down d && d.ref().equals(ref)) return m;
        return null;
    }

    /** Takes the answer (or Down) from the mailbox, waiting at most {@code timeout}. */
    private Optional<Outcome<T>> take(Duration timeout) {
        Optional<Object> m = Proc.receive(this::matches, timeout);
        if (m.isEmpty()) return Optional.empty();
        return Optional.of(outcomeOf(m.get()));
    }

    @SuppressWarnings("unchecked")
    private Outcome<T> outcomeOf(Object m) {
        if (m instanceof Reply r) {
            Proc.demonitor(ref, true);
            if (linked) Proc.unlink(pid);
            return new Outcome.Ok<>((T) r.value());
        }
        return new Outcome.Exited<>(((Down) m).reason());
    }

    /** Awaits the result, at most 5 seconds. */
    public T await() {
        return await(Duration.ofSeconds(5));
    }

    /**
     * Awaits the result. If the task exits first, throws with its reason; if the timeout passes,
     * the task is shut down and a {@link TaskException} with reason {@code timeout} is thrown.
     */
    public T await(Duration timeout) {
        checkOwner("await");
        Optional<Outcome<T>> o = take(timeout);
        if (o.isEmpty()) {
            shutdownNow(ChildSpec.Shutdown.BRUTAL_KILL);
            throw new TaskException(pid, new ExitReason.Other("timeout"), "task " + pid + " did not finish within " + timeout);
        }
        return switch (o.get()) {
            case Outcome.Ok<T>(T v) -> v;
            case Outcome.Exited<T>(ExitReason r) -> throw new TaskException(pid, r, "task " + pid + " exited with reason " + r);
        };
    }

    /**
     * Waits for the outcome at most {@code timeout}; empty if the task is still running (it keeps
     * running; yield again, await, or shut it down).
     */
    public Optional<Outcome<T>> yield(Duration timeout) {
        checkOwner("yield");
        return take(timeout);
    }

    /** Awaits several tasks, each within what is left of {@code timeout}; throws on the first failure. */
    public static <T> List<T> awaitMany(List<Task<T>> tasks, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<T> out = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            Task<T> t = tasks.get(i);
            try {
                out.add(t.await(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))));
            } catch (TaskException e) {
                for (int j = i + 1; j < tasks.size(); j++) tasks.get(j).shutdownNow(ChildSpec.Shutdown.BRUTAL_KILL);
                throw e;
            }
        }
        return out;
    }

    /**
     * Takes the outcomes that arrive within {@code timeout}, in the order of {@code tasks}, and
     * shuts down the tasks that have not finished (their entry is empty). A task that finishes
     * while being shut down still counts.
     */
    public static <T> List<Optional<Outcome<T>>> yieldMany(List<Task<T>> tasks, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Optional<Outcome<T>>> out = new ArrayList<>(tasks.size());
        for (Task<T> t : tasks) {
            t.checkOwner("yieldMany");
            out.add(t.take(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))));
        }
        for (int i = 0; i < tasks.size(); i++) {
            if (out.get(i).isEmpty()) out.set(i, tasks.get(i).shutdown(ChildSpec.Shutdown.BRUTAL_KILL));
        }
        return out;
    }

    // ------------------------------------------------------------------ shutting down

    /**
     * Stops the task (unlinks, asks it to shut down, waits up to {@code Shutdown.Timeout}, kills).
     *
     * @return its outcome if it finished meanwhile, else empty
     */
    public Optional<Outcome<T>> shutdown(ChildSpec.Shutdown how) {
        checkOwner("shutdown");
        return shutdownNow(how);
    }

    /** {@link #shutdown} with a 5 second timeout. */
    public Optional<Outcome<T>> shutdown() {
        return shutdown(ChildSpec.WORKER_SHUTDOWN);
    }

    private Optional<Outcome<T>> shutdownNow(ChildSpec.Shutdown how) {
        if (linked) Proc.unlink(pid);
        switch (how) {
            case ChildSpec.Shutdown.BrutalKill b -> Proc.exit(pid, ExitReason.KILL);
            case ChildSpec.Shutdown.Timeout(Duration t) -> {
                Proc.exit(pid, ExitReason.SHUTDOWN);
                Optional<Object> m = Proc.receive(this::matches, t);
                if (m.isEmpty()) Proc.exit(pid, ExitReason.KILL);
                else return finish(m.get());
            }
            case ChildSpec.Shutdown.Infinity i -> Proc.exit(pid, ExitReason.SHUTDOWN);
        }
        return finish(Proc.receive(this::matches));
    }

    /** After a shutdown: a reply counts; a Down from the shutdown itself does not. */
    private Optional<Outcome<T>> finish(Object m) {
        if (m instanceof Reply) return Optional.of(outcomeOf(m));
        Down d = (Down) m;
        // an EXIT from the link we just removed may be on its way; drop it
        Proc.receive(x -> x instanceof Exit e && e.from().equals(pid) ? e : null, Duration.ZERO);
        ExitReason r = d.reason();
        boolean ours = r instanceof ExitReason.Killed || r instanceof ExitReason.Shutdown;
        return ours ? Optional.empty() : Optional.of(new Outcome.Exited<>(r));
    }

    /**
     * Lets the task run on without its owner: unlinks and demonitors. Returns its outcome if it
     * had already finished.
     */
    public Optional<Outcome<T>> ignore() {
        checkOwner("ignore");
        if (linked) Proc.unlink(pid);
        Optional<Outcome<T>> done = take(Duration.ZERO);
        Proc.demonitor(ref, true);
        return done;
    }

    // ------------------------------------------------------------------ async streams

    /**
     * Options of {@link #asyncStream}.
     *
     * @param maxConcurrency tasks running at once (default: one per CPU)
     * @param ordered        results in input order (true) or as they complete
     * @param timeout        how long each task may take
     * @param killOnTimeout  on timeout, kill the task and yield {@code Exited(timeout)} (Elixir's
     *                       {@code on_timeout: :kill_task}); otherwise the stream fails
     */
    public record StreamOptions(int maxConcurrency, boolean ordered, Duration timeout, boolean killOnTimeout) {
        public static final StreamOptions DEFAULT =
                new StreamOptions(Runtime.getRuntime().availableProcessors(), true, Duration.ofSeconds(5), false);

        public StreamOptions {
            if (maxConcurrency < 1) throw new IllegalArgumentException("maxConcurrency must be at least 1");
            Objects.requireNonNull(timeout, "timeout");
        }

        public StreamOptions withMaxConcurrency(int n) {
            return new StreamOptions(n, ordered, timeout, killOnTimeout);
        }

        public StreamOptions withOrdered(boolean o) {
            return new StreamOptions(maxConcurrency, o, timeout, killOnTimeout);
        }

        public StreamOptions withTimeout(Duration t, boolean killTask) {
            return new StreamOptions(maxConcurrency, ordered, t, killTask);
        }
    }

    /**
     * Runs {@code fn} on each input in a task of its own, at most {@code maxConcurrency} at a time,
     * and streams the outcomes (Elixir's {@code Task.async_stream}). The stream is lazy: tasks start
     * as it is consumed. Consume it in the process that made it. Tasks are linked to the caller.
     */
    public static <I, R> Stream<Outcome<R>> asyncStream(Iterable<I> inputs, Function<I, R> fn, StreamOptions options) {
        return asyncStream(inputs, fn, options, input -> async(() -> fn.apply(input)));
    }

    static <I, R> Stream<Outcome<R>> asyncStream(Iterable<I> inputs, Function<I, R> fn, StreamOptions options,
                                                 Function<I, Task<R>> starter) {
        Iterator<I> source = inputs.iterator();
        Iterator<Outcome<R>> it = new Iterator<>() {
            final List<Task<R>> running = new ArrayList<>();
            final List<Long> deadlines = new ArrayList<>();
            final java.util.TreeMap<Long, Outcome<R>> done = new java.util.TreeMap<>();
            final java.util.HashMap<Task<R>, Long> index = new java.util.HashMap<>();
            long nextIndex;
            long emitted;

            private void fill() {
                while (running.size() < options.maxConcurrency() && source.hasNext()) {
                    Task<R> t = starter.apply(source.next());
                    running.add(t);
                    deadlines.add(System.nanoTime() + options.timeout().toNanos());
                    index.put(t, nextIndex++);
                }
            }

            @Override
            public boolean hasNext() {
                fill();
                return emitted < nextIndex;
            }

            @Override
            public Outcome<R> next() {
                if (!hasNext()) throw new NoSuchElementException();
                for (;;) {
                    if (options.ordered() ? done.containsKey(emitted) : !done.isEmpty()) {
                        Outcome<R> o = options.ordered() ? done.remove(emitted) : done.pollFirstEntry().getValue();
                        emitted++;
                        fill();
                        return o;
                    }
                    // wait for the earliest deadline among running tasks
                    long soonest = Long.MAX_VALUE;
                    int at = -1;
                    for (int i = 0; i < running.size(); i++) {
                        if (deadlines.get(i) < soonest) {
                            soonest = deadlines.get(i);
                            at = i;
                        }
                    }
                    Duration wait = Duration.ofNanos(Math.max(0, soonest - System.nanoTime()));
                    Optional<Object> m = Proc.receive(msg -> {
                        for (Task<R> t : running) if (t.matches(msg) != null) return msg;
                        return null;
                    }, wait);
                    if (m.isPresent()) {
                        Task<R> t = owning(m.get());
                        int i = running.indexOf(t);
                        running.remove(i);
                        deadlines.remove(i);
                        done.put(index.remove(t), t.outcomeOf(m.get()));
                        fill();
                        continue;
                    }
                    Task<R> late = running.remove(at);
                    deadlines.remove(at);
                    Optional<Outcome<R>> last = late.shutdownNow(ChildSpec.Shutdown.BRUTAL_KILL);
                    long idx = index.remove(late);
                    if (last.isPresent()) {
                        done.put(idx, last.get());
                    } else if (options.killOnTimeout()) {
                        done.put(idx, new Outcome.Exited<>(new ExitReason.Other("timeout")));
                    } else {
                        for (Task<R> t : running) t.shutdownNow(ChildSpec.Shutdown.BRUTAL_KILL);
                        throw new TaskException(late.pid, new ExitReason.Other("timeout"),
                                "async stream task " + late.pid + " did not finish within " + options.timeout());
                    }
                    fill();
                }
            }

            private Task<R> owning(Object msg) {
                for (Task<R> t : running) if (t.matches(msg) != null) return t;
                throw new IllegalStateException("no task for " + msg);
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED), false);
    }

    @Override
    public String toString() {
        return "Task[" + pid + ", owner " + owner + "]";
    }
}
