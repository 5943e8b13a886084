package io.otp4j.dist.internal;

import io.otp4j.Atom;
import io.otp4j.ExitReason;
import io.otp4j.Tuple;
import io.otp4j.dist.term.Binary;

/** Exit reasons as Erlang terms, and back. */
public final class Reasons {
    private static final Atom NORMAL = Atom.of("normal");
    private static final Atom KILL = Atom.of("kill");
    private static final Atom KILLED = Atom.of("killed");
    private static final Atom SHUTDOWN = Atom.of("shutdown");
    private static final Atom NOPROC = Atom.of("noproc");
    private static final Atom NOCONNECTION = Atom.of("noconnection");
    private static final Atom JAVA_EXCEPTION = Atom.of("java_exception");

    private Reasons() {
    }

    /**
     * The term of a reason. A Java exception travels as
     * {@code {java_exception, ClassName, Message}} (binaries), since the peer cannot hold a Java object.
     */
    public static Object toTerm(ExitReason r) {
        return switch (r) {
            case ExitReason.Normal n -> NORMAL;
            case ExitReason.Kill k -> KILL;
            case ExitReason.Killed k -> KILLED;
            case ExitReason.Shutdown(Object detail) -> detail == null ? SHUTDOWN : Tuple.of(SHUTDOWN, detail);
            case ExitReason.NoProc n -> NOPROC;
            case ExitReason.NoConnection n -> NOCONNECTION;
            case ExitReason.Crash(Throwable e) -> Tuple.of(JAVA_EXCEPTION, Binary.of(e.getClass().getName()),
                    Binary.of(String.valueOf(e.getMessage())));
            case ExitReason.Other(Object v) -> v;
        };
    }

    /** The reason a term stands for. */
    public static ExitReason fromTerm(Object term) {
        if (term instanceof Atom a) {
            if (a.equals(NORMAL)) return ExitReason.NORMAL;
            if (a.equals(KILL)) return ExitReason.KILL;
            if (a.equals(KILLED)) return ExitReason.KILLED;
            if (a.equals(SHUTDOWN)) return ExitReason.SHUTDOWN;
            if (a.equals(NOPROC)) return ExitReason.NOPROC;
            if (a.equals(NOCONNECTION)) return ExitReason.NOCONNECTION;
        }
        if (term instanceof Tuple t && t.size() == 2 && SHUTDOWN.equals(t.get(0))) {
            return ExitReason.shutdown(t.get(1));
        }
        return new ExitReason.Other(term);
    }
}
