package io.otp4j.internal.sched;

import io.otp4j.Node;

import java.lang.reflect.Constructor;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * The carriers of a node's processes: either otp4j's own {@link ProcessScheduler}s (one for normal
 * processes, one single-worker scheduler for high-priority system processes), plugged into the
 * JDK's virtual threads through the scheduler hook of {@code java.lang.ThreadBuilders}, or, when
 * {@code java.lang} is not opened to otp4j, the JDK's default virtual-thread scheduler.
 *
 * <p>Either way every process is a real virtual thread. The hook needs
 * {@code --add-opens java.base/java.lang=io.otp4j.core} (or {@code =ALL-UNNAMED} on the class path);
 * the launcher passes it. Without it otp4j runs correctly, more slowly on hand-offs (ADR 0001).
 */
public final class Schedulers {

    private final ProcessScheduler user;
    private final ProcessScheduler system;
    private final ThreadFactory userThreads;
    private final ThreadFactory systemThreads;
    private final String description;

    private Schedulers(ProcessScheduler user, ProcessScheduler system, ThreadFactory u, ThreadFactory s, String description) {
        this.user = user;
        this.system = system;
        this.userThreads = u;
        this.systemThreads = s;
        this.description = description;
    }

    /** True when otp4j's scheduler can be installed in this JVM. */
    public static boolean otp4jSchedulerAvailable() {
        return ProcessScheduler.carrierLookupAvailable() && builderConstructor() != null;
    }

    private static Constructor<?> builderConstructor() {
        try {
            Class<?> c = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
            Constructor<?> k = c.getDeclaredConstructor(Executor.class);
            k.setAccessible(true);
            return k;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    public static Schedulers create(String nodeName, int parallelism, Node.SchedulerKind kind) {
        int n = parallelism > 0 ? parallelism : Runtime.getRuntime().availableProcessors();
        Constructor<?> k = kind == Node.SchedulerKind.JDK ? null : builderConstructor();
        if (k == null || !ProcessScheduler.carrierLookupAvailable()) {
            if (kind == Node.SchedulerKind.OTP4J) {
                throw new IllegalStateException("otp4j's scheduler needs --add-opens java.base/java.lang=io.otp4j.core "
                        + "(or =ALL-UNNAMED on the class path)");
            }
            if (kind == Node.SchedulerKind.AUTO) {
                System.getLogger("io.otp4j").log(System.Logger.Level.INFO,
                        "otp4j: java.lang is not open to otp4j; processes run on the JDK's default virtual-thread scheduler "
                                + "(add --add-opens java.base/java.lang=io.otp4j.core, or =ALL-UNNAMED, for otp4j's scheduler)");
            }
            ThreadFactory f = Thread.ofVirtual().factory();
            return new Schedulers(null, null, f, f, "jdk-default-virtual-thread-scheduler");
        }
        ProcessScheduler user = new ProcessScheduler("otp4j-sched[" + nodeName + "]", n);
        ProcessScheduler system = new ProcessScheduler("otp4j-sys[" + nodeName + "]", 1);
        try {
            ThreadFactory u = ((Thread.Builder.OfVirtual) k.newInstance(user)).factory();
            ThreadFactory s = ((Thread.Builder.OfVirtual) k.newInstance(system)).factory();
            return new Schedulers(user, system, u, s, "otp4j-scheduler(" + n + " workers + 1 system)");
        } catch (ReflectiveOperationException e) {
            user.shutdown();
            system.shutdown();
            throw new IllegalStateException("cannot install otp4j's scheduler", e);
        }
    }

    public Thread newThread(Runnable task, boolean system) {
        return (system ? systemThreads : userThreads).newThread(task);
    }

    /** Reduction budget spent: let others run if anybody is waiting. */
    public void maybeYield(boolean systemProcess) {
        ProcessScheduler s = systemProcess ? system : user;
        if (s == null) {
            Thread.yield();
        } else if (s.hasQueuedWork() && s.prepareYield()) {
            Thread.yield();
        }
    }

    public void yieldNow(boolean systemProcess) {
        ProcessScheduler s = systemProcess ? system : user;
        if (s != null) s.prepareYield();
        Thread.yield();
    }

    public String describe() {
        return description;
    }

    /** The schedulers' slow-path counters (empty with the JDK's scheduler). */
    public String stats() {
        return user == null ? "" : "user: " + user.stats() + "; system: " + system.stats();
    }

    /** otp4j's scheduler for normal processes, or null when the JDK's is in use. */
    public ProcessScheduler user() {
        return user;
    }

    public void shutdown() {
        if (user != null) user.shutdown();
        if (system != null) system.shutdown();
    }
}
