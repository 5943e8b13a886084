package io.otp4j.internal;

import io.otp4j.ExitReason;
import io.otp4j.Report;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Emits the runtime's structured reports: to the node's listener (every one), and to SLF4J
 * (logger {@code io.otp4j.report}) with the report's fields as key-value pairs and its text as the
 * message. Crash and supervisor reports log at error level, progress reports at debug.
 *
 * <p>Identical errors in a burst are counted, not flooded (in the spirit of Agrona's
 * DistinctErrorLog): the first report of a kind is logged; the same kind again within
 * {@link #WINDOW_NANOS} is only counted, and the count is logged with the next report of that kind
 * after the window, or when the node stops. "The same kind" means the same report type, context
 * and reason (for a crash: exception class, message and throwing frame).
 */
public final class Reports {
    private static final Logger LOG = LoggerFactory.getLogger("io.otp4j.report");
    static final long WINDOW_NANOS = 10_000_000_000L;

    private final Consumer<Report> listener;
    /** Listeners added while the node runs: copy on write, as they change rarely and are read per report. */
    private final CopyOnWriteArrayList<Consumer<Report>> added = new CopyOnWriteArrayList<>();
    private long suppressedTotal;
    private final Map<String, long[]> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> e) {
            return size() > 256;
        }
    };

    Reports(Consumer<Report> listener) {
        this.listener = listener;
    }

    void crash(ProcessImpl p, String registeredName, ExitReason reason) {
        emit(new Report.Crash(Instant.now(), p.pid, Optional.ofNullable(registeredName), reason,
                Optional.empty(), Optional.empty(), Optional.empty()));
    }

    /**
     * Adds a listener that receives every report from now on; closing the handle removes it (once;
     * closing again does nothing).
     */
    public AutoCloseable addListener(Consumer<Report> l) {
        Objects.requireNonNull(l, "listener");
        // a wrapper per registration, so that the same listener added twice is removed once per close
        Consumer<Report> entry = l::accept;
        added.add(entry);
        return () -> added.remove(entry);
    }

    public void emit(Report report) {
        if (listener != null) deliver(listener, report);
        for (Consumer<Report> l : added) deliver(l, report);
        if (report instanceof Report.Progress) {
            if (LOG.isDebugEnabled()) log(report, 0);
            return;
        }
        String kind = signature(report);
        long now = System.nanoTime();
        long suppressed;
        synchronized (recent) {
            long[] seen = recent.get(kind); // {first time in window, suppressed count}
            if (seen != null && now - seen[0] < WINDOW_NANOS) {
                seen[1]++;
                suppressedTotal++;
                return;
            }
            suppressed = seen != null ? seen[1] : 0;
            recent.put(kind, new long[] {now, 0});
        }
        if (LOG.isErrorEnabled()) log(report, suppressed);
    }

    private static void deliver(Consumer<Report> l, Report report) {
        try {
            l.accept(report);
        } catch (RuntimeException e) {
            LOG.warn("report listener failed", e);
        }
    }

    /** How many reports were counted instead of logged since the node started. */
    public long suppressed() {
        synchronized (recent) {
            return suppressedTotal;
        }
    }

    /** Logs the counts of reports that were suppressed and not logged since (node stop). */
    void flush() {
        synchronized (recent) {
            for (Map.Entry<String, long[]> e : recent.entrySet()) {
                if (e.getValue()[1] > 0) {
                    LOG.atError().addKeyValue("report", "suppressed").addKeyValue("count", e.getValue()[1])
                            .log("{} more reports identical to: {}", e.getValue()[1], e.getKey());
                }
            }
            recent.clear();
        }
    }

    private static String signature(Report r) {
        return switch (r) {
            case Report.Crash c -> "crash " + c.behaviour().orElse("") + " " + reasonSignature(c.reason());
            case Report.Supervisor s -> "supervisor " + s.context() + " " + s.childId() + " " + reasonSignature(s.reason());
            case Report.Progress p -> "progress";
        };
    }

    private static String reasonSignature(ExitReason reason) {
        if (reason instanceof ExitReason.Crash(Throwable t)) {
            StackTraceElement[] st = t.getStackTrace();
            return t.getClass().getName() + ": " + t.getMessage() + (st.length > 0 ? " at " + st[0] : "");
        }
        return String.valueOf(reason);
    }

    private static void log(Report report, long suppressedBefore) {
        LoggingEventBuilder e = switch (report) {
            case Report.Progress p -> LOG.atDebug().addKeyValue("report", "progress")
                    .addKeyValue("supervisor", p.supervisor()).addKeyValue("child_id", p.childId())
                    .addKeyValue("pid", p.childPid());
            case Report.Supervisor s -> LOG.atError().addKeyValue("report", "supervisor")
                    .addKeyValue("supervisor", s.supervisor()).addKeyValue("context", s.context())
                    .addKeyValue("child_id", s.childId());
            case Report.Crash c -> {
                LoggingEventBuilder b = LOG.atError().addKeyValue("report", "crash").addKeyValue("pid", c.pid());
                if (c.registeredName().isPresent()) b = b.addKeyValue("registered_name", c.registeredName().get());
                if (c.reason() instanceof ExitReason.Crash(Throwable t)) b = b.setCause(t);
                yield b;
            }
        };
        String text = report.format();
        if (suppressedBefore > 0) {
            text += "\n    (" + suppressedBefore + " identical reports before this one were not logged)";
        }
        e.log(text);
    }
}
