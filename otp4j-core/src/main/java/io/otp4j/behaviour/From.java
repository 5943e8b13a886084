package io.otp4j.behaviour;

import io.otp4j.Pid;
import io.otp4j.Ref;

/**
 * Who is waiting for the reply to a call ({@code From} in {@code gen_server}): hand it to
 * {@link GenServer#reply} to answer the call from anywhere, now or later. Each call has its own;
 * a From answers once, and a reply after the caller's timeout is dropped.
 *
 * <p>{@link #caller()} is the calling process, or null when the caller is a thread that is not a
 * process (a {@code main} method, a test, a request thread).
 */
public abstract class From {

    /** The calling process, or null for a caller that is not a process. */
    public abstract Pid caller();

    /** The tag that makes this call unique. */
    public abstract Ref tag();

    /** Delivers the reply; false if the call was already answered or abandoned. */
    protected abstract boolean deliver(Object reply);

    static boolean deliverTo(From from, Object reply) {
        return from.deliver(reply);
    }

    @Override
    public final boolean equals(Object o) {
        return o instanceof From f && tag().equals(f.tag());
    }

    @Override
    public final int hashCode() {
        return tag().hashCode();
    }

    @Override
    public String toString() {
        return "From[" + caller() + ", " + tag() + "]";
    }
}
