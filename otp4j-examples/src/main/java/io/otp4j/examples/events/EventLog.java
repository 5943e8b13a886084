package io.otp4j.examples.events;

import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.behaviour.GenEvent;
import io.otp4j.behaviour.GenEvent.HandlerExit;
import io.otp4j.behaviour.GenEvent.HandlerId;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An event log on a {@link GenEvent} manager, the way OTP's own logging was built: the manager
 * receives log lines and hands each one to every handler installed.
 * <ul>
 *   <li>{@link LastLines} keeps the last lines, writes each through SLF4J, and answers a call with
 *       the lines it keeps;</li>
 *   <li>{@link Alerter} pages someone on every {@code ERROR} line, and has a bug: a line it cannot
 *       parse makes it throw.</li>
 * </ul>
 * When the alerter throws, the manager removes it (and reports the crash); the other handlers and
 * the manager go on. The alerter is a <em>supervised</em> handler of a {@linkplain #startPager
 * pager} process: the pager is told that its handler is gone, and adds it again.
 *
 * {@snippet :
 * ServerRef<EventLog.Line> log = EventLog.start("event_log");
 * EventLog.keepLastLines(log, 100);
 * EventLog.startPager(log, "%n", me);          // pages me on errors; its alerter chokes on "%n"
 * EventLog.log(log, Level.ERROR, "disk full"); // logged, kept, and paged
 * List<String> recent = EventLog.recent(log);  // ["ERROR disk full"]
 * }
 */
public final class EventLog {
    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);

    private EventLog() {
    }

    /** How serious a line is. */
    public enum Level { INFO, WARN, ERROR }

    /** An event: a log line. */
    public record Line(Level level, String text) {
        public Line {
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(text, "text");
        }

        @Override
        public String toString() {
            return level + " " + text;
        }
    }

    /** The call {@link LastLines} answers with the lines it keeps, oldest first. */
    public record Recent() {
    }

    /** What the pager sends its listener for each error line. */
    public record Paged(String text) {
    }

    /** What the pager sends its listener when its alerter was removed, and after it added it again. */
    public record AlerterGone(ExitReason reason) {
    }

    // ------------------------------------------------------------------ handlers

    /**
     * Keeps the last {@code keep} lines and writes every line through SLF4J. Its state is an
     * immutable list of the lines, oldest first.
     */
    public record LastLines(int keep) implements GenEvent.Handler<List<String>, Line> {
        public LastLines {
            if (keep <= 0) throw new IllegalArgumentException("keep must be positive, got " + keep);
        }

        @Override
        public Init<List<String>> init(Object args) {
            return new Init.Ok<>(List.of());
        }

        @Override
        public HandlerResult<List<String>> handleEvent(Line line, List<String> lines) {
            switch (line.level()) {
                case INFO -> LOG.info("{}", line.text());
                case WARN -> LOG.warn("{}", line.text());
                case ERROR -> LOG.error("{}", line.text());
            }
            List<String> next = new ArrayList<>(lines.size() + 1);
            next.addAll(lines.size() < keep ? lines : lines.subList(lines.size() - keep + 1, lines.size()));
            next.add(line.toString());
            return new Ok<>(List.copyOf(next));
        }

        @Override
        public CallResult<List<String>> handleCall(Object request, List<String> lines) {
            if (request instanceof Recent) return new Reply<>(lines, lines);
            throw new IllegalArgumentException("LastLines answers Recent, not " + request);
        }
    }

    /**
     * Sends {@link Paged} to {@code pager} for every {@code ERROR} line; throws on a line that
     * contains {@code poison} (standing for the bug every real handler has somewhere). Its state
     * is the number of pages sent.
     */
    public record Alerter(Pid pager, String poison) implements GenEvent.Handler<Integer, Line> {
        @Override
        public Init<Integer> init(Object args) {
            return new Init.Ok<>(0);
        }

        @Override
        public HandlerResult<Integer> handleEvent(Line line, Integer pages) {
            if (line.text().contains(poison)) {
                throw new IllegalArgumentException("cannot format the line: " + line.text());
            }
            if (line.level() != Level.ERROR) return new Ok<>(pages);
            Proc.send(pager, new Paged(line.text()));
            return new Ok<>(pages + 1);
        }
    }

    // ------------------------------------------------------------------ client API

    /** Starts the event log's manager, registered as {@code name}, with no handlers. */
    public static ServerRef<Line> start(String name) {
        return GenEvent.start(StartOptions.named(name));
    }

    /** Installs the {@link LastLines} handler. */
    public static void keepLastLines(ServerRef<Line> log, int keep) {
        GenEvent.addHandler(log, new LastLines(keep), null);
    }

    /** Logs a line: every handler gets it; returns at once. */
    public static void log(ServerRef<Line> log, Level level, String text) {
        GenEvent.notify(log, new Line(level, text));
    }

    /** The lines {@link LastLines} keeps, oldest first. */
    public static List<String> recent(ServerRef<Line> log) {
        return GenEvent.call(log, HandlerId.of(LastLines.class), new Recent());
    }

    /**
     * Starts a pager: a process that installs an {@link Alerter} as its supervised handler and
     * forwards what it is paged to {@code listener}. When it is told its alerter is gone (a
     * {@link HandlerExit}), it tells the listener with {@link AlerterGone} once it has added the
     * alerter again. Returns once the alerter is installed.
     */
    public static Pid startPager(ServerRef<Line> log, String poison, Pid listener) {
        Pid starter = Proc.self();
        Pid pager = Proc.spawnLink(() -> {
            Alerter alerter = new Alerter(Proc.self(), poison);
            GenEvent.addSupHandler(log, alerter, null);
            Proc.send(starter, new Paged("pager ready"));
            for (;;) {
                switch (Proc.receive()) {
                    case Paged p -> Proc.send(listener, p);
                    case HandlerExit(HandlerId id, Pid manager, ExitReason reason) -> {
                        GenEvent.addSupHandler(log, alerter, null);
                        Proc.send(listener, new AlerterGone(reason));
                    }
                    default -> {
                    }
                }
            }
        });
        Proc.receive(m -> m instanceof Paged(String t) && t.equals("pager ready") ? m : null);
        return pager;
    }

    /** Runs the story: a log line that breaks the alerter, which is removed, re-added, and pages again. */
    public static void main(String[] args) throws Exception {
        Node node = Node.local();
        node.run(() -> {
            Pid me = Proc.self();
            ServerRef<Line> log = start("event_log");
            keepLastLines(log, 3);
            startPager(log, "%n", me);
            log(log, Level.INFO, "started");
            log(log, Level.ERROR, "disk full");
            System.out.println("paged: " + Proc.receive(m -> m instanceof Paged p ? p : null));
            log(log, Level.WARN, "odd input: %n");
            System.out.println("pager told: " + Proc.receive(m -> m instanceof AlerterGone g ? g : null));
            log(log, Level.ERROR, "disk still full");
            System.out.println("paged: " + Proc.receive(m -> m instanceof Paged p ? p : null));
            System.out.println("last lines: " + recent(log));
            return null;
        });
        System.exit(0);
    }
}
