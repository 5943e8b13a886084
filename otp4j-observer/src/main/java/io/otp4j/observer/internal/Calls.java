package io.otp4j.observer.internal;

import io.otp4j.Down;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Calls into other processes that cannot hold the observer up. Some of the calls the observer
 * makes wait as long as the callee takes ({@code Supervisor.whichChildren} waits forever); so each
 * runs in a helper process, and the caller waits for its answer, its death or the timeout,
 * whichever comes first. A late helper is killed: blocked in its call, it dies at once, and the
 * callee's eventual reply goes to a dead pid and is dropped.
 *
 * <p>Must be called from a process (it spawns, monitors and receives).
 */
final class Calls {
    private Calls() {
    }

    /** What a bounded call gave: a value, or why there is none, in a sentence. */
    sealed interface Outcome<T> {
        record Ok<T>(T value) implements Outcome<T> {
        }

        record Failed<T>(String why) implements Outcome<T> {
        }
    }

    private record Answered(Ref tag, Object value) {
    }

    private record Threw(Ref tag, String why) {
    }

    /**
     * Runs {@code fn} in a helper process and waits at most {@code timeout} for it.
     *
     * @param what names the call in the failure sentence, e.g. "supervisor <0.42.0>"
     */
    static <T> Outcome<T> bounded(String what, Duration timeout, Callable<T> fn) {
        Pid self = Proc.self();
        Ref tag = Proc.makeRef();
        Proc.Spawned helper = Proc.spawnMonitor(() -> {
            Object msg;
            try {
                msg = new Answered(tag, fn.call());
            } catch (Exception e) {
                msg = new Threw(tag, describe(e));
            }
            Proc.send(self, msg);
        });
        Optional<Object> got = Proc.receive(m -> switch (m) {
            case Answered a when a.tag().equals(tag) -> a;
            case Threw t when t.tag().equals(tag) -> t;
            case Down d when d.ref().equals(helper.monitor()) -> d;
            default -> null;
        }, timeout);
        if (got.isEmpty()) {
            Proc.exit(helper.pid(), ExitReason.KILL);
            // The Down comes after anything the helper sent before it died: once it is here, a
            // late answer is in the mailbox or will never come, so taking it leaves nothing behind.
            Proc.receive(m -> m instanceof Down d && d.ref().equals(helper.monitor()) ? d : null);
            Proc.receive(m -> m instanceof Answered a && a.tag().equals(tag)
                    || m instanceof Threw t && t.tag().equals(tag) ? m : null, Duration.ZERO);
            return new Outcome.Failed<>(what + " did not answer within " + text(timeout));
        }
        return switch (got.get()) {
            case Answered a -> {
                Proc.demonitor(helper.monitor(), true);
                @SuppressWarnings("unchecked")
                T value = (T) a.value();
                yield new Outcome.Ok<>(value);
            }
            case Threw t -> {
                Proc.demonitor(helper.monitor(), true);
                yield new Outcome.Failed<>(t.why());
            }
            case Down d -> new Outcome.Failed<>("the call to " + what + " ended with " + d.reason());
            default -> throw new IllegalStateException("unexpected " + got.get());
        };
    }

    /** An exception as a sentence: its message, or its class when it has none. */
    static String describe(Throwable e) {
        String m = e.getMessage();
        return m != null && !m.isBlank() ? m : e.getClass().getSimpleName();
    }

    static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
