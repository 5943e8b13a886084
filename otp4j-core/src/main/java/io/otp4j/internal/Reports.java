package io.otp4j.internal;

import io.otp4j.ExitReason;
import io.otp4j.Report;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/** Emits the runtime's structured reports to SLF4J and to the node's report listener. */
public final class Reports {
    private static final Logger LOG = LoggerFactory.getLogger("io.otp4j.report");

    private final Consumer<Report> listener;

    Reports(Consumer<Report> listener) {
        this.listener = listener;
    }

    void crash(ProcessImpl p, String registeredName, ExitReason reason) {
        emit(new Report.Crash(Instant.now(), p.pid, Optional.ofNullable(registeredName), reason));
    }

    public void emit(Report report) {
        if (listener != null) {
            try {
                listener.accept(report);
            } catch (RuntimeException e) {
                LOG.warn("report listener failed", e);
            }
        }
        if (report instanceof Report.Crash c && LOG.isErrorEnabled()) {
            LoggingEventBuilder e = LOG.atError()
                    .addKeyValue("report", "crash")
                    .addKeyValue("pid", c.pid());
            if (c.registeredName().isPresent()) e = e.addKeyValue("registered_name", c.registeredName().get());
            if (c.reason() instanceof ExitReason.Crash crash) e = e.setCause(crash.exception());
            e.log(c.format());
        }
    }
}
