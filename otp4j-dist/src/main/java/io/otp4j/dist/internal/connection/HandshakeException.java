package io.otp4j.dist.internal.connection;

import io.otp4j.dist.NodeName;
import java.io.IOException;

/**
 * A handshake that did not complete: {@link #kind} says why in a word, the message in a sentence
 * (it names the peer when known). The handshake has closed its stream by the time this is thrown.
 */
public final class HandshakeException extends IOException {

    /** Why a handshake failed. */
    public enum Kind {
        /** A digest did not match: the two nodes have different cookies. */
        BAD_COOKIE,
        /** The accepting node refused the peer, or the peer refused us ({@code not_allowed}). */
        NOT_ALLOWED,
        /** The peer lacks distribution flags this node requires. */
        MISSING_FLAGS,
        /** A simultaneous connect: the other connection attempt between the two nodes goes on ({@code nok}). */
        SIMULTANEOUS,
        /** A new connection from a node still connected was not confirmed ({@code alive}, then {@code false}). */
        ALIVE_REFUSED,
        /** The peer sent nothing for the setup timeout. */
        TIMEOUT,
        /** The peer closed the connection. */
        CLOSED,
        /** A message that is not what the protocol says, or is too short or too long. */
        MALFORMED,
        /** The stream failed. */
        IO,
    }

    private final Kind kind;
    private final transient NodeName peer;

    public HandshakeException(Kind kind, NodeName peer, String message) {
        this(kind, peer, message, null);
    }

    public HandshakeException(Kind kind, NodeName peer, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.peer = peer;
    }

    public Kind kind() {
        return kind;
    }

    /** The peer's name, or null when it failed before the peer named itself. */
    public NodeName peer() {
        return peer;
    }
}
