package io.otp4j.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One link of a mailbox chain (ADR 0002). The only per-message allocation of a send.
 *
 * <p>{@code next} is written once by the producer that appended after this node (release), and
 * afterwards only by the mailbox's owner when it unlinks a successor. {@code msg} is written by the
 * producer before publication and afterwards only by the owner.
 */
public class Envelope {
    static final VarHandle NEXT;

    static {
        try {
            NEXT = MethodHandles.lookup().findVarHandle(Envelope.class, "next", Envelope.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    Object msg;
    volatile Envelope next;

    Envelope() {
    }

    Envelope(Object msg) {
        this.msg = msg;
    }
}
