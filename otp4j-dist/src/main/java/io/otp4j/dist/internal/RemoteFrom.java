package io.otp4j.dist.internal;

import io.otp4j.Pid;
import io.otp4j.Ref;
import io.otp4j.Tuple;
import io.otp4j.behaviour.From;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The caller of a call that came from another node ({@code From = {Pid, Tag}} of gen_server): the
 * reply goes back as the message {@code {Tag, Reply}}, which is what {@code gen:call} waits for.
 * When the tag is {@code [alias | Ref]} (OTP 24+), it goes to that process alias, as
 * {@code gen:reply} sends it: a reply after the caller gave up finds the alias inactive and is
 * dropped by the caller's node, instead of landing in its mailbox. Otherwise it goes to the pid.
 */
final class RemoteFrom extends From {
    private final DistNode dist;
    private final Pid caller;
    private final Object tag;
    private final AtomicBoolean open = new AtomicBoolean(true);

    RemoteFrom(DistNode dist, Pid caller, Object tag) {
        this.dist = dist;
        this.caller = caller;
        this.tag = tag;
    }

    @Override
    public Pid caller() {
        return caller;
    }

    @Override
    public Ref tag() {
        Ref r = CallTags.refOf(tag);
        if (r != null) return r;
        throw new IllegalStateException("a call tag that holds no reference: " + tag);
    }

    @Override
    protected boolean deliver(Object reply) {
        if (!open.compareAndSet(true, false)) return false;
        Ref alias = CallTags.aliasOf(tag);
        if (alias != null) {
            dist.sendToAlias(caller, alias, Tuple.of(tag, reply));
        } else {
            dist.send(null, caller, Tuple.of(tag, reply));
        }
        return true;
    }

    /** A {@code From} tuple's tag: see {@link CallTags}. */
    static boolean isTag(Object tag) {
        return CallTags.refOf(tag) != null;
    }
}
