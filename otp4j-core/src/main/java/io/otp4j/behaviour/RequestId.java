package io.otp4j.behaviour;

import io.otp4j.Ref;

/**
 * An asynchronous request sent with {@link GenServer#sendRequest}: its answer arrives as a message
 * of the caller, which {@link GenServer#checkResponse} recognises.
 */
public abstract class RequestId {
    /** The reference that tags the request and its answer. */
    public abstract Ref ref();

    /** The server it was sent to. */
    public abstract ServerRef<?> server();

    @Override
    public String toString() {
        return "RequestId[" + server() + ", " + ref() + "]";
    }
}
