package io.otp4j.observer.internal;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The last crash report of each process, for the process page: the node's reports arrive here
 * through a report listener. Bounded: beyond {@code capacity} pids, the pid whose last crash is
 * oldest is forgotten (a restart loop makes a new pid per crash, and must not grow this without
 * end).
 */
final class CrashLog {
    private final int capacity;
    /** Guarded by itself; insertion order is crash order, since a pid's entry is removed before it is put again. */
    private final LinkedHashMap<Pid, Views.CrashView> last;

    CrashLog(int capacity) {
        this.capacity = capacity;
        this.last = new LinkedHashMap<>();
    }

    /** A report listener: keeps crash reports, ignores the rest. Called on the crashing process's thread. */
    void accept(Report report) {
        if (!(report instanceof Report.Crash c)) return;
        Views.CrashView view = new Views.CrashView(c.time().toString(), reason(c.reason()), format(c));
        synchronized (last) {
            last.remove(c.pid());
            last.put(c.pid(), view);
            if (last.size() > capacity) {
                Map.Entry<Pid, Views.CrashView> eldest = last.entrySet().iterator().next();
                last.remove(eldest.getKey());
            }
        }
    }

    Optional<Views.CrashView> lastCrash(Pid pid) {
        synchronized (last) {
            return Optional.ofNullable(last.get(pid));
        }
    }

    private static String reason(ExitReason reason) {
        return reason instanceof ExitReason.Crash c ? c.exception().toString() : String.valueOf(reason);
    }

    /** The report as text; a state whose {@code toString} throws must not lose the report. */
    private static String format(Report.Crash c) {
        try {
            return Text.clip(c.format());
        } catch (RuntimeException e) {
            return "crash report of " + c.pid() + ": " + reason(c.reason()) + " (the rest could not be formatted: "
                    + Calls.describe(e) + ")";
        }
    }
}
