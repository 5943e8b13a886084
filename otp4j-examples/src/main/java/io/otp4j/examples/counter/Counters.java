package io.otp4j.examples.counter;

import io.otp4j.Down;
import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.Report;
import io.otp4j.behaviour.ChildSpec;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartOptions;
import io.otp4j.behaviour.Supervisor;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/**
 * Both counters under one supervisor, and what "let it crash" buys: a counter that crashes comes
 * back, under a new pid, in a known good state (0), while the other one never notices.
 *
 * <pre>
 *   counter_sup (one_for_one)
 *   ├── raw_counter     Counter, a hand-written process
 *   └── counter         CounterServer, a GenServer
 * </pre>
 *
 * <p>The supervisor is the only code that deals with failure. The counters do not catch anything:
 * the raw one crashes on a message it does not understand, and either may be killed from outside.
 * The supervisor traps the exit, starts the child again from its child spec, and reports that it
 * did (a {@linkplain Report.Progress progress report}); callers find the new process by its name.
 * (The two counters could not be more different inside, yet one supervisor handles both: all it
 * needs of a child is a start function that links and returns a pid.)
 *
 * <p>{@link #main} runs the story and prints it: run it with the examples module's class path,
 * {@code java -cp ... io.otp4j.examples.counter.Counters}.
 */
public final class Counters {
    private Counters() {
    }

    /** The supervisor's name. */
    public static final String SUPERVISOR = "counter_sup";
    /** The registered name of the raw counter. */
    public static final String RAW = "raw_counter";
    /** The registered name of the GenServer counter. */
    public static final String SERVER = "counter";
    /** The name a process takes to hear of restarts (see {@link #forwardProgress}). */
    public static final String WATCHER = "counter_watcher";

    /** Starts the supervisor and both counters, linked to the caller. */
    public static ServerRef<?> startLink() {
        return Supervisor.startLink(Supervisor.Flags.oneForOne(), List.of(
                ChildSpec.worker(RAW, () -> Counter.startLink(RAW)),
                ChildSpec.worker(SERVER, () -> CounterServer.startLink(SERVER))), StartOptions.named(SUPERVISOR));
    }

    public static void main(String[] args) throws Exception {
        try (Node node = Node.start(Node.Options.named("counters@localhost").withReportListener(Counters::forwardProgress))) {
            node.run(() -> {
                run(System.out);
                return null;
            });
        }
    }

    /**
     * A node's report listener: hands each progress report of {@code counter_sup} (a child
     * started, or started again) to the process registered as {@link #WATCHER}, as a message. A
     * supervisor makes its reports in its own process, so this runs in a process and can send.
     * This is how the story below knows that a counter is back without asking again and again.
     */
    public static void forwardProgress(Report report) {
        if (report instanceof Report.Progress p && p.supervisorName().equals(Optional.of(SUPERVISOR)) && Proc.inProcess()) {
            Proc.whereis(WATCHER).ifPresent(watcher -> Proc.send(watcher, p));
        }
    }

    /** The story, told to {@code out}; runs in a process of a node that {@linkplain #forwardProgress forwards progress}. */
    static void run(PrintStream out) {
        ServerRef<?> sup = startLink();
        Proc.register(WATCHER, Proc.self());
        Pid raw = Proc.whereis(RAW).orElseThrow();
        ServerRef<CounterServer.Msg> server = ServerRef.named(SERVER);

        out.println("-- both counters count --");
        for (int i = 0; i < 3; i++) Counter.inc(raw);
        Counter.dec(raw);
        for (int i = 0; i < 5; i++) CounterServer.inc(server);
        out.println("raw counter " + raw + ": " + Counter.val(raw));
        out.println("GenServer counter " + server.pid() + ": " + CounterServer.val(server));

        out.println("-- a message the raw counter does not understand crashes it --");
        Ref watch = Proc.monitor(raw);
        Proc.send(raw, "hello?");
        out.println("raw counter " + raw + " died: " + awaitDown(watch).reason());
        Pid again = awaitRestart(RAW);
        out.println("raw counter is back as " + again + ", value " + Counter.val(again));
        Counter.inc(again);
        Counter.inc(again);

        out.println("-- killing the GenServer counter --");
        Pid old = server.pid();
        watch = Proc.monitor(old);
        Proc.exit(old, ExitReason.KILL);
        out.println("GenServer counter " + old + " died: " + awaitDown(watch).reason());
        Pid back = awaitRestart(SERVER);
        out.println("GenServer counter is back as " + back + ", value " + CounterServer.val(server));
        out.println("the raw counter did not notice: value " + Counter.val(again));

        Proc.unregister(WATCHER);
        Supervisor.stop(sup);
        out.println("supervisor stopped; counters alive? " + Proc.isAlive(again) + " " + Proc.isAlive(back));
    }

    /** Waits for the Down of the monitor {@code ref}. */
    static Down awaitDown(Ref ref) {
        return Proc.receive(m -> m instanceof Down d && d.ref().equals(ref) ? d : null);
    }

    /** Waits for the progress report saying the supervisor has started child {@code id}; its new pid. */
    static Pid awaitRestart(String id) {
        return Proc.receive(m -> m instanceof Report.Progress p && p.childId().equals(id) ? p.childPid() : null);
    }
}
