package io.otp4j.behaviour;

import io.otp4j.ExitException;
import io.otp4j.ExitReason;

/**
 * A call could not be answered: the server was not alive ({@code noproc}) or exited before it
 * replied (its exit reason: {@code normal}, {@code shutdown}, a crash...). Erlang's caller exits
 * with {@code {Reason, {gen_server, call, [Server, Request, Timeout]}}}; here it is thrown, and a
 * process that does not catch it crashes with it.
 */
public class CallException extends ExitException {
    private final transient Object server;
    private final transient Object request;

    public CallException(Object server, Object request, ExitReason reason) {
        this(server, request, reason, "call to " + server + (request != null ? " with " + request : "")
                + " failed: the server " + (reason instanceof ExitReason.NoProc ? "is not alive (noproc)"
                : "exited with reason " + reason));
    }

    public CallException(Object server, Object request, ExitReason reason, String message) {
        super(null, reason, message);
        this.server = server;
        this.request = request;
    }

    /** The server called (a ServerRef, or what designated it). */
    public Object server() {
        return server;
    }

    /** The request. */
    public Object request() {
        return request;
    }
}
