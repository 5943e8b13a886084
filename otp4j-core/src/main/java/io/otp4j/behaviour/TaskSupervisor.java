package io.otp4j.behaviour;

import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.internal.ProcessImpl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A supervisor of tasks (Elixir's {@code Task.Supervisor}): tasks started through it are its
 * temporary children, so they are shut down with it and show in the supervision tree.
 *
 * {@snippet :
 * ServerRef<?> tasks = TaskSupervisor.startLink();
 * List<Task<Result>> queries = backends.stream()
 *         .map(b -> TaskSupervisor.asyncNolink(tasks, () -> b.query(q)))
 *         .toList();
 * // take what arrived within 2 s; shut down the rest; a crashing backend does not hurt us
 * List<Optional<Task.Outcome<Result>>> got = Task.yieldMany(queries, Duration.ofSeconds(2));
 * }
 */
public final class TaskSupervisor {
    private TaskSupervisor() {
    }

    public static ServerRef<?> startLink() {
        return startLink(DynamicSupervisor.Options.DEFAULT, StartOptions.DEFAULT);
    }

    public static ServerRef<?> startLink(DynamicSupervisor.Options options, StartOptions start) {
        return DynamicSupervisor.startTasks(options, start, true);
    }

    public static ServerRef<?> start() {
        return DynamicSupervisor.startTasks(DynamicSupervisor.Options.DEFAULT, StartOptions.DEFAULT, false);
    }

    /** Starts a temporary child running {@code fn} for its side effects (nobody awaits it). */
    public static Pid startChild(ServerRef<?> sup, Proc.Body fn) {
        return DynamicSupervisor.startChild(sup, ChildSpec.worker("task", () -> Proc.spawnLink(Task.marked(fn)))
                .withRestart(ChildSpec.Restart.TEMPORARY).withShutdown(ChildSpec.Shutdown.BRUTAL_KILL));
    }

    /** A task under the supervisor, linked to the caller and monitored by it (like {@link Task#async}). */
    public static <T> Task<T> async(ServerRef<?> sup, Callable<T> fn) {
        return start(sup, fn, true);
    }

    /**
     * A task under the supervisor, monitored by the caller but not linked to it: the caller survives
     * the task's crash and sees its reason as an {@link Task.Outcome.Exited}.
     */
    public static <T> Task<T> asyncNolink(ServerRef<?> sup, Callable<T> fn) {
        return start(sup, fn, false);
    }

    private static <T> Task<T> start(ServerRef<?> sup, Callable<T> fn, boolean link) {
        ProcessImpl self = ProcessImpl.current();
        if (self == null) throw new IllegalStateException("a task's owner must be a process");
        Pid owner = self.pid;
        Ref replyTag = self.node().makeRef(null);
        // the task links itself to its owner before it runs fn (if asked), so that a task finishing
        // at once can never leave its owner linked to a dead process
        Pid pid = DynamicSupervisor.startChild(sup, ChildSpec.worker("task",
                        () -> Proc.spawnLink(Task.body(fn, owner, replyTag, link, true)))
                .withRestart(ChildSpec.Restart.TEMPORARY).withShutdown(ChildSpec.Shutdown.BRUTAL_KILL));
        Ref mon = Proc.monitor(pid);
        Proc.send(pid, new Task.Go(replyTag)); // now it may run: whatever it does, we will see it
        return new Task<>(pid, replyTag, mon, owner, link);
    }

    /** {@link Task#asyncStream} with the tasks under the supervisor, not linked to the caller. */
    public static <I, R> Stream<Task.Outcome<R>> asyncStreamNolink(ServerRef<?> sup, Iterable<I> inputs, Function<I, R> fn,
                                                                  Task.StreamOptions options) {
        return Task.asyncStream(inputs, fn, options, input -> asyncNolink(sup, () -> fn.apply(input)));
    }

    /** The running tasks. */
    public static List<Pid> children(ServerRef<?> sup) {
        List<Pid> out = new ArrayList<>();
        for (Supervisor.ChildInfo c : DynamicSupervisor.whichChildren(sup)) out.add(c.pid());
        return out;
    }

    public static void terminateChild(ServerRef<?> sup, Pid task) {
        DynamicSupervisor.terminateChild(sup, task);
    }
}
