package io.otp4j.dist.internal;

import io.otp4j.Pid;
import io.otp4j.Ref;
import io.otp4j.Tuple;
import io.otp4j.behaviour.From;
import io.otp4j.dist.term.ImproperList;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The caller of a call that came from another node ({@code From = {Pid, Tag}} of gen_server): the
 * reply goes back as the message {@code {Tag, Reply}} to the caller's pid, which is what
 * {@code gen:call} waits for, whether its tag is a reference or {@code [alias | Ref]}.
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
        if (tag instanceof Ref r) return r;
        if (tag instanceof ImproperList l && l.tail() instanceof Ref r) return r;
        throw new IllegalStateException("a call tag that holds no reference: " + tag);
    }

    @Override
    protected boolean deliver(Object reply) {
        if (!open.compareAndSet(true, false)) return false;
        dist.send(null, caller, Tuple.of(tag, reply));
        return true;
    }

    /** A {@code From} tuple's tag is a reference or {@code [alias | Ref]}. */
    static boolean isTag(Object tag) {
        // a reference; an alias and a reference ([alias | Ref], OTP 24+); {Ref, Node} from gen_server:multi_call
        return tag instanceof Ref || (tag instanceof ImproperList l && l.tail() instanceof Ref)
                || (tag instanceof io.otp4j.Tuple t && t.size() == 2 && t.get(0) instanceof Ref);
    }
}
