package io.otp4j.behaviour;

import io.otp4j.ExitReason;
import io.otp4j.Pid;

import java.util.Optional;

/**
 * A start did not produce a running process: {@code init} failed, stopped or ignored, timed out,
 * or the name was taken ({@code already_started}).
 */
public class StartException extends RuntimeException {

    /** Why the start failed. */
    public sealed interface Why {
        /** {@code init} returned {@code Ignore}: not an error, but there is no process. */
        record Ignored() implements Why {
        }

        /** The name is held by {@code pid} ({@code {error, {already_started, Pid}}}). */
        record AlreadyStarted(Pid pid) implements Why {
        }

        /** {@code init} stopped, returned an error, threw, or the process died first. */
        record Failed(ExitReason reason) implements Why {
        }

        /** {@code init} did not return within the start timeout; the process was killed. */
        record TimedOut() implements Why {
        }
    }

    private final transient Why why;

    public StartException(String what, Why why) {
        super(what + ": " + describe(why), why instanceof Why.Failed(ExitReason.Crash c) ? c.exception() : null);
        this.why = why;
    }

    private static String describe(Why why) {
        return switch (why) {
            case Why.Ignored i -> "init returned ignore";
            case Why.AlreadyStarted(Pid p) -> "already started as " + p;
            case Why.Failed(ExitReason r) -> "failed with reason " + r;
            case Why.TimedOut t -> "init timed out";
        };
    }

    public Why why() {
        return why;
    }

    /** True when {@code init} returned ignore. */
    public boolean ignored() {
        return why instanceof Why.Ignored;
    }

    /** The exit reason, when the start failed with one. */
    public Optional<ExitReason> reason() {
        return why instanceof Why.Failed(ExitReason r) ? Optional.of(r) : Optional.empty();
    }
}
