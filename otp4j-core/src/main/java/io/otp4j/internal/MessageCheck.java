package io.otp4j.internal;

import io.otp4j.ExitReason;
import io.otp4j.MutableMessageException;
import io.otp4j.Pid;
import io.otp4j.Ref;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The message checking mode ({@link io.otp4j.Node.Options#checkMessages}): rejects a message that is
 * visibly mutable, so that tests catch what would be shared mutable state between processes.
 *
 * <p>Accepted: null-free immutable values (strings, boxed primitives, big numbers, enums, pids,
 * references, exit reasons, {@code java.time} values, UUIDs), records whose components are
 * acceptable, the JDK's immutable and unmodifiable collections whose elements are acceptable,
 * Optional, records whose array components are copied on every read (binaries), and any other
 * class whose fields are all final and hold acceptable values. Rejected:
 * arrays, the JDK's mutable collections, and classes with a non-final field. This is a check for
 * tests: it walks the message with reflection on every send.
 */
final class MessageCheck {
    private static final int MAX_DEPTH = 64;

    private MessageCheck() {
    }

    static void check(Object msg) {
        check(msg, "message", new IdentityHashMap<>(), 0);
    }

    private static void check(Object v, String path, IdentityHashMap<Object, Boolean> seen, int depth) {
        if (v == null) return;
        if (depth > MAX_DEPTH) return;
        Class<?> c = v.getClass();
        if (v instanceof Number) {
            if (c.getName().startsWith("java.lang.") || c == BigInteger.class || c == BigDecimal.class) return;
            fail(path, c, "is a mutable number; send its value");
        }
        if (v instanceof io.otp4j.Tuple t) {
            for (int i = 0; i < t.size(); i++) check(t.get(i), path + "[" + i + "]", seen, depth + 1);
            return;
        }
        if (c == String.class || c == Boolean.class || c == Character.class || v instanceof Enum<?>
                || v instanceof Pid || v instanceof Ref || c == UUID.class || v instanceof Class<?>
                || c.getName().startsWith("java.time.")) {
            return;
        }
        if (seen.put(v, Boolean.TRUE) != null) return;
        if (c.isArray()) {
            fail(path, c, "is an array, and arrays are mutable; send an immutable List (List.of, List.copyOf)");
        }
        if (v instanceof ExitReason.Crash) return; // carries a Throwable: shared deliberately, never mutated by the runtime
        if (isHandle(v) || v instanceof SharedHandle) return;
        if (v instanceof Optional<?> o) {
            o.ifPresent(x -> check(x, path + ".get()", seen, depth + 1));
            return;
        }
        if (v instanceof Collection<?> || v instanceof Map<?, ?>) {
            String n = c.getName();
            boolean immutable = n.startsWith("java.util.ImmutableCollections$")
                    || n.startsWith("java.util.Collections$Unmodifiable")
                    || n.startsWith("java.util.Collections$Empty")
                    || n.startsWith("java.util.Collections$Singleton");
            if (!immutable) {
                fail(path, c, "is a mutable collection; send an immutable copy (List.copyOf, Set.copyOf, Map.copyOf)");
            }
            if (v instanceof Map<?, ?> m) {
                int i = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    check(e.getKey(), path + ".key[" + i + "]", seen, depth + 1);
                    check(e.getValue(), path + "[" + e.getKey() + "]", seen, depth + 1);
                    i++;
                }
            } else {
                int i = 0;
                for (Object x : (Collection<?>) v) {
                    check(x, path + "[" + i++ + "]", seen, depth + 1);
                }
            }
            return;
        }
        if (c.isRecord()) {
            for (RecordComponent rc : c.getRecordComponents()) {
                Object x;
                try {
                    var acc = rc.getAccessor();
                    acc.setAccessible(true);
                    x = acc.invoke(v);
                    // a record that hands out a fresh copy of its array on each read keeps its own
                    // private (a binary's bytes): it is a value
                    if (x != null && x.getClass().isArray() && acc.invoke(v) != x) continue;
                } catch (ReflectiveOperationException | RuntimeException e) {
                    continue; // not readable from here: the record itself is shallowly immutable
                }
                check(x, path + "." + rc.getName(), seen, depth + 1);
            }
            return;
        }
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) continue;
                if (!Modifier.isFinal(f.getModifiers())) {
                    fail(path, c, "has the non-final field '" + f.getName() + "'; make the message a record or its fields final");
                }
                Object x;
                try {
                    f.setAccessible(true);
                    x = f.get(v);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    continue;
                }
                check(x, path + "." + f.getName(), seen, depth + 1);
            }
        }
    }

    /**
     * Runtime handles, shared between processes on purpose, as a pid is: a call's From (its reply
     * slot), request ids, registries, server references, agents and tasks.
     */
    private static boolean isHandle(Object v) {
        return v instanceof io.otp4j.behaviour.From || v instanceof io.otp4j.behaviour.RequestId
                || v instanceof io.otp4j.behaviour.Registry || v instanceof io.otp4j.behaviour.ServerRef<?>
                || v instanceof io.otp4j.behaviour.Agent<?> || v instanceof io.otp4j.behaviour.Task<?>;
    }

    private static void fail(String path, Class<?> c, String why) {
        throw new MutableMessageException(path + " (" + c.getName() + ") " + why);
    }

}
