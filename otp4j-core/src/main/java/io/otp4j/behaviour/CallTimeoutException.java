package io.otp4j.behaviour;

import io.otp4j.ExitReason;

import java.time.Duration;

/** A call got no reply within its timeout. The reply, if it comes later, is dropped. */
public final class CallTimeoutException extends CallException {
    private final transient Duration timeout;

    public CallTimeoutException(Object server, Object request, Duration timeout) {
        super(server, request, new ExitReason.Other("timeout"),
                "call to " + server + " with " + request + " timed out after " + format(timeout));
        this.timeout = timeout;
    }

    private static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }

    public Duration timeout() {
        return timeout;
    }
}
