package io.otp4j.behaviour;

import io.otp4j.Down;
import io.otp4j.Exit;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;

import java.time.Duration;
import java.util.Optional;

/** What both supervisors do with a child: find its pid in what its start returned, and stop it. */
final class Children {
    private Children() {
    }

    /** The pid in what a child start function returned; null for an ignored start. */
    static Pid pidOf(Object r) {
        return switch (r) {
            case null -> null;
            case Pid p -> p;
            case ServerRef<?> ref -> ref.resolve().orElse(null);
            case Registry reg -> reg.owner();
            case Agent<?> a -> a.ref().resolve().orElse(null);
            default -> throw new IllegalArgumentException("a child start function must return a Pid or a ServerRef, not "
                    + r.getClass().getName() + "; " + ChildSpec.EXAMPLE);
        };
    }

    /**
     * Stops a child as its shutdown says (OTP's supervisor:shutdown/2): monitor, unlink (taking an
     * EXIT that was already on its way), then kill at once, or ask it to shut down and wait,
     * killing it after the timeout.
     *
     * @return the reason it exited with
     */
    static ExitReason shutdown(Pid pid, ChildSpec.Shutdown how) {
        Ref mon = Proc.monitor(pid);
        Proc.unlink(pid);
        Optional<ExitReason> early = Proc.receive(m -> m instanceof Exit e && e.from().equals(pid) ? e.reason() : null,
                Duration.ZERO);
        switch (how) {
            case ChildSpec.Shutdown.BrutalKill b -> Proc.exit(pid, ExitReason.KILL);
            case ChildSpec.Shutdown.Timeout(Duration t) -> {
                Proc.exit(pid, ExitReason.SHUTDOWN);
                Optional<ExitReason> d = Proc.receive(downOf(mon), t);
                if (d.isPresent()) return early.orElse(d.get());
                Proc.exit(pid, ExitReason.KILL);
            }
            case ChildSpec.Shutdown.Infinity i -> Proc.exit(pid, ExitReason.SHUTDOWN);
        }
        ExitReason r = Proc.receive(downOf(mon));
        return early.orElse(r);
    }

    /** The reason a child stopped as asked should have: killed for brutal_kill, else shutdown. */
    static boolean asExpected(ChildSpec.Shutdown how, ExitReason got) {
        if (got instanceof ExitReason.NoProc || got.isSilent()) return true;
        return how instanceof ChildSpec.Shutdown.BrutalKill && got instanceof ExitReason.Killed;
    }

    private static io.otp4j.Matcher<ExitReason> downOf(Ref mon) {
        return m -> m instanceof Down d && d.ref().equals(mon) ? d.reason() : null;
    }
}
