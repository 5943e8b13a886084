package io.otp4j.behaviour;

import io.otp4j.Pid;
import io.otp4j.internal.NodeRuntime;

import java.util.Objects;
import java.util.Optional;

/**
 * A typed reference to a server: a pid, or a name resolved at each use (so that it follows a
 * restarted server). {@code M} is the server's protocol, which makes {@code call} and {@code cast}
 * type-checked.
 *
 * @param <M> the protocol of the server referred to
 */
public final class ServerRef<M> {
    private final Pid pid;
    private final Name name;

    private ServerRef(Pid pid, Name name) {
        this.pid = pid;
        this.name = name;
    }

    /** A reference to the process {@code pid}. The protocol is the caller's word: it is not checked. */
    public static <M> ServerRef<M> of(Pid pid) {
        return new ServerRef<>(Objects.requireNonNull(pid, "pid"), null);
    }

    /** A reference to whichever process is registered as {@code name} on the caller's node when used. */
    public static <M> ServerRef<M> named(String name) {
        return new ServerRef<>(null, new Name.Local(name));
    }

    /** A reference to whichever process holds {@code key} in {@code registry} when used. */
    public static <M> ServerRef<M> via(Registry registry, Object key) {
        return new ServerRef<>(null, new Name.Via(registry, key));
    }

    /** A reference to a server by any name. */
    public static <M> ServerRef<M> to(Name name) {
        return new ServerRef<>(null, Objects.requireNonNull(name, "name"));
    }

    /** The process this reference designates now, if any. */
    public Optional<Pid> resolve() {
        if (pid != null) return Optional.of(pid);
        return switch (name) {
            case Name.Local(String n) -> NodeRuntime.current().whereis(n);
            case Name.Via(Registry r, Object key) -> r.whereis(key);
        };
    }

    /** The pid of a reference made from a pid; for a named reference, the process it names now. */
    public Pid pid() {
        return resolve().orElseThrow(() -> new CallException(this, null, io.otp4j.ExitReason.NOPROC));
    }

    /** The name, for a named reference. */
    public Optional<Name> name() {
        return Optional.ofNullable(name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServerRef<?> r && Objects.equals(pid, r.pid) && Objects.equals(name, r.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pid, name);
    }

    @Override
    public String toString() {
        return pid != null ? pid.toString() : name.toString();
    }
}
