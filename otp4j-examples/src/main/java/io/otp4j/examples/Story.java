package io.otp4j.examples;

import io.otp4j.Down;
import io.otp4j.Exit;
import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.ProcessInfo;
import io.otp4j.Ref;

import java.io.PrintStream;
import java.time.Duration;

/**
 * The demo's opening act: a supervisor written by hand, the way every OTP supervisor works
 * underneath, with trap_exit, spawn_link and a restart. It shows processes, links, a crash, and
 * the supervisor bringing the crashed worker back in a known good state; then it stops the
 * supervisor, and its linked children go with it. {@link Demo} then starts the real thing.
 */
final class Story {

    /** Messages of the counter worker. */
    sealed interface CounterMsg {
    }

    record Inc() implements CounterMsg {
    }

    record Get(Pid from, Ref ref) implements CounterMsg {
    }

    record Value(Ref ref, int value) {
    }

    /** A message the counter was not written for: it will crash on it. */
    record Bogus(String what) {
    }

    record Started(String name, Pid pid) {
    }

    private final PrintStream out;

    Story(PrintStream out) {
        this.out = out;
    }

    /** Tells the story on {@code node}: every process it starts has exited when this returns. */
    void run(Node node) throws Exception {
        node.run(() -> {
            Pid me = Proc.self();
            out.println("demo process " + me + " starts a supervisor");
            Pid sup = Proc.spawn(() -> supervisor(me));
            Pid counter = awaitStarted("counter");
            Pid ticker = awaitStarted("ticker");
            show(sup);
            show(counter);

            out.println();
            out.println("-- the counter counts to 3 --");
            for (int i = 0; i < 3; i++) Proc.send("counter", new Inc());
            out.println("counter value: " + value());

            out.println();
            out.println("-- a bad message crashes the counter --");
            Ref watch = Proc.monitor(counter);
            Proc.send("counter", new Bogus("not a counter message"));
            Down down = Proc.receive(m -> m instanceof Down d && d.ref().equals(watch) ? d : null);
            out.println("counter " + counter + " died: " + down.reason());
            Pid restarted = awaitStarted("counter");
            out.println("the supervisor restarted it as " + restarted + ", in a known good state: value "
                    + value());
            show(sup);

            out.println();
            out.println("-- stopping the supervisor takes its linked children with it --");
            Ref supWatch = Proc.monitor(sup);
            Ref counterWatch = Proc.monitor(restarted);
            Ref tickerWatch = Proc.monitor(ticker);
            Proc.exit(sup, ExitReason.SHUTDOWN);
            for (Ref r : new Ref[] {supWatch, counterWatch, tickerWatch}) {
                Down d = Proc.receive(m -> m instanceof Down x && x.ref().equals(r) ? x : null);
                out.println("  " + d.pid() + " exited: " + d.reason());
            }
            out.println("supervisor stopped; counter alive? " + Proc.isAlive(restarted)
                    + "; processes left: " + Proc.processes().size() + " (this demo process)");
            return null;
        });
    }

    private Pid awaitStarted(String name) {
        return Proc.receive(m -> m instanceof Started(String n, Pid p) && n.equals(name) ? p : null);
    }

    private static int value() {
        Ref ref = Proc.makeRef();
        Proc.send("counter", new Get(Proc.self(), ref));
        return Proc.receiveReply(ref, m -> m instanceof Value(Ref r, int v) && r.equals(ref) ? v : null);
    }

    private void show(Pid pid) {
        ProcessInfo i = Proc.info(pid).orElseThrow();
        out.println("  " + pid + i.registeredName().map(n -> " (" + n + ")").orElse("")
                + " status=" + i.status().name().toLowerCase() + " links=" + i.links()
                + " trap_exit=" + i.trapExit() + " queue=" + i.messageQueueLen());
    }

    // ------------------------------------------------------------------ the processes

    /** Traps exits, starts two linked workers, restarts whichever crashes. */
    private void supervisor(Pid report) {
        Proc.trapExit(true);
        Proc.register("story_sup", Proc.self());
        Pid counter = startCounter(report);
        Pid ticker = startTicker(report);
        while (true) {
            Exit e = Proc.receive(m -> m instanceof Exit x ? x : null);
            if (e.from().equals(counter)) {
                out.println("supervisor: counter " + counter + " exited (" + e.reason() + "), restarting it");
                counter = startCounter(report);
            } else if (e.from().equals(ticker)) {
                ticker = startTicker(report);
            } else {
                // our own parent asked us to stop: children go with us (they are linked)
                Proc.exit(e.reason());
            }
        }
    }

    private Pid startCounter(Pid report) {
        Pid pid = Proc.spawnLink(() -> {
            int n = 0;
            while (true) {
                switch (Proc.receive()) {
                    case Inc() -> n++;
                    case Get(Pid from, Ref ref) -> Proc.send(from, new Value(ref, n));
                    // like a function clause error in Erlang: let it crash, the supervisor restarts us
                    default -> throw new IllegalArgumentException("counter cannot handle it");
                }
            }
        });
        Proc.register("counter", pid); // registered before anybody hears of it
        Proc.send(report, new Started("counter", pid));
        return pid;
    }

    private Pid startTicker(Pid report) {
        Pid pid = Proc.spawnLink(() -> {
            while (true) {
                Proc.sleep(Duration.ofSeconds(1));
            }
        });
        Proc.send(report, new Started("ticker", pid));
        return pid;
    }
}
