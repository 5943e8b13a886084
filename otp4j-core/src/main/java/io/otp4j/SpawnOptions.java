package io.otp4j;

/**
 * Options of {@link Proc#spawn(SpawnOptions, Proc.Body)} (Erlang's {@code spawn_opt}).
 *
 * @param link     link the new process to the caller before it runs
 * @param monitor  monitor the new process from the caller before it runs (see {@link Proc#spawnMonitor})
 * @param priority where the process runs
 */
public record SpawnOptions(boolean link, boolean monitor, Priority priority) {

    public static final SpawnOptions DEFAULT = new SpawnOptions(false, false, Priority.NORMAL);

    public SpawnOptions {
        java.util.Objects.requireNonNull(priority, "priority");
    }

    /**
     * Where a process runs. {@code NORMAL} processes share the node's scheduler. {@code HIGH}
     * processes run on the node's system scheduler, a carrier of their own, so they keep running
     * when normal processes keep every worker busy: use it for supervisors and other machinery that
     * must not be starved (ADR 0004). Like Erlang's {@code high}, it is not for ordinary work.
     */
    public enum Priority { NORMAL, HIGH }

    public SpawnOptions withLink() {
        return new SpawnOptions(true, monitor, priority);
    }

    public SpawnOptions withMonitor() {
        return new SpawnOptions(link, true, priority);
    }

    public SpawnOptions withPriority(Priority p) {
        return new SpawnOptions(link, monitor, p);
    }
}
