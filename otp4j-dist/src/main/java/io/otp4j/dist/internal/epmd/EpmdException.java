package io.otp4j.dist.internal.epmd;

import java.io.IOException;
import java.util.Objects;

/** A failed exchange with EPMD; {@link #kind()} tells why. */
public final class EpmdException extends IOException {

    /** Why an exchange with EPMD failed. */
    public enum Kind {
        /** No EPMD could be reached: unknown host, connection refused, network error. */
        UNREACHABLE,
        /** EPMD did not connect or answer within the timeout. */
        TIMEOUT,
        /** EPMD closed the connection before answering in full. */
        CLOSED,
        /** The answer does not follow the protocol. */
        MALFORMED,
        /** EPMD answered with a non-zero result code: the registration was refused. */
        REFUSED
    }

    private final Kind kind;

    public EpmdException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public EpmdException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }
}
