package io.otp4j.dist.internal;

import io.otp4j.Pid;
import io.otp4j.Ref;
import io.otp4j.Tuple;
import io.otp4j.behaviour.From;
import io.otp4j.dist.term.ImproperList;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The caller of a call that came from another node ({@code From = {Pid, Tag}} of gen_server): the
 * reply goes back as the message {@code {Tag, Reply}}, which is what {@code gen:call} waits for.
 * When the tag is {@code [alias | Ref]} (OTP 24+), it goes to that process alias, as
 * {@code gen:reply} sends it: a reply after the caller gave up finds the alias inactive and is
 * dropped by the caller's node, instead of landing in its mailbox. Otherwise it goes to the pid.
 */
final class RemoteFrom extends From {
    private static final io.otp4j.Atom ALIAS = io.otp4j.Atom.of("alias");
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
        if (tag instanceof Tuple t && t.size() == 2 && t.get(0) instanceof Ref r) return r; // {Ref, Node}: multi_call
        throw new IllegalStateException("a call tag that holds no reference: " + tag);
    }

    @Override
    protected boolean deliver(Object reply) {
        if (!open.compareAndSet(true, false)) return false;
        if (tag instanceof ImproperList l && l.tail() instanceof Ref alias && l.elements().size() == 1
                && ALIAS.equals(l.elements().get(0))) {
            dist.sendToAlias(caller, alias, Tuple.of(tag, reply));
        } else {
            dist.send(null, caller, Tuple.of(tag, reply));
        }
        return true;
    }

    /** A {@code From} tuple's tag is a reference or {@code [alias | Ref]}. */
    static boolean isTag(Object tag) {
        // a reference; an alias and a reference ([alias | Ref], OTP 24+); {Ref, Node} from gen_server:multi_call
        return tag instanceof Ref || (tag instanceof ImproperList l && l.tail() instanceof Ref)
                || (tag instanceof io.otp4j.Tuple t && t.size() == 2 && t.get(0) instanceof Ref);
    }
}
