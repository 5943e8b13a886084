package io.otp4j.behaviour;

import io.otp4j.SpawnOptions;

import java.time.Duration;
import java.util.Objects;

/**
 * Options of a behaviour's start: a name, how long {@code init} may take, idle hibernation, and the
 * process's priority.
 *
 * @param name           register the process under this name before {@code init} runs (null: none)
 * @param timeout        how long start waits for {@code init}; the process is killed after it
 *                       ({@code io.otp4j.Proc.INFINITY}: no limit, the default)
 * @param hibernateAfter hibernate when idle this long (null: never); an idle hibernating server
 *                       holds no thread, only its state
 * @param priority       the scheduler the process runs on
 */
public record StartOptions(Name name, Duration timeout, Duration hibernateAfter, SpawnOptions.Priority priority) {

    public static final StartOptions DEFAULT = new StartOptions(null, io.otp4j.Proc.INFINITY, null,
            SpawnOptions.Priority.NORMAL);

    public StartOptions {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(priority, "priority");
    }

    public static StartOptions named(String name) {
        return DEFAULT.withName(Name.local(name));
    }

    public static StartOptions named(Name name) {
        return DEFAULT.withName(name);
    }

    public StartOptions withName(Name n) {
        return new StartOptions(n, timeout, hibernateAfter, priority);
    }

    public StartOptions withTimeout(Duration t) {
        return new StartOptions(name, t, hibernateAfter, priority);
    }

    public StartOptions withHibernateAfter(Duration idle) {
        return new StartOptions(name, timeout, idle, priority);
    }

    public StartOptions withPriority(SpawnOptions.Priority p) {
        return new StartOptions(name, timeout, hibernateAfter, p);
    }
}
