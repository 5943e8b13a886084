package io.otp4j.dist.internal.etf;

import io.otp4j.Atom;
import io.otp4j.Pid;
import io.otp4j.Tuple;
import io.otp4j.dist.term.Binary;
import io.otp4j.dist.term.BitBinary;
import io.otp4j.dist.term.ExportFun;
import io.otp4j.dist.term.ImproperList;
import io.otp4j.dist.term.LocalFun;
import io.otp4j.dist.term.Port;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry behind {@link io.otp4j.dist.term.RecordTags}: which Java records travel as which
 * tagged tuples, with the method handles that take a record apart and put it together again.
 */
public final class RecordRegistry {
    private static final ConcurrentHashMap<Class<?>, Entry> BY_CLASS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Key, Entry> BY_TAG = new ConcurrentHashMap<>();
    private static volatile boolean empty = true;

    private static final Set<Class<?>> BUILT_IN = Set.of(Atom.class, Pid.class, Binary.class, BitBinary.class,
            Port.class, ExportFun.class, LocalFun.class, ImproperList.class);

    private RecordRegistry() {
    }

    private record Key(Atom tag, int arity) {
    }

    /** A registered record type: its tag, components, and handles. */
    public static final class Entry {
        final Class<?> type;
        final Atom tag;
        final String[] names;
        final Type[] types;
        final MethodHandle[] accessors;
        final MethodHandle constructor;

        Entry(Class<?> type, Atom tag, String[] names, Type[] types, MethodHandle[] accessors, MethodHandle constructor) {
            this.type = type;
            this.tag = tag;
            this.names = names;
            this.types = types;
            this.accessors = accessors;
            this.constructor = constructor;
        }

        public Atom tag() {
            return tag;
        }

        public int arity() {
            return names.length;
        }

        String componentName(int i) {
            return names[i];
        }

        /** The component values of {@code record}, boxed. */
        Object component(Object record, int i) {
            try {
                return (Object) accessors[i].invokeExact(record);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        /**
         * The record made of the tuple elements {@code elements[1..]}, each converted to its
         * component's type.
         *
         * @throws IllegalArgumentException with a message naming the component that did not fit,
         *                                  or what the record's constructor rejected
         */
        Object construct(Object[] elements) {
            Object[] args = new Object[names.length];
            for (int i = 0; i < args.length; i++) {
                Object v = elements[i + 1];
                Object c = convert(v, types[i]);
                if (c == NO) {
                    throw new IllegalArgumentException("component " + names[i] + " of " + type.getName() + " is a "
                            + types[i].getTypeName() + ", and the term " + brief(v) + " (" + v.getClass().getSimpleName()
                            + ") does not convert to it");
                }
                args[i] = c;
            }
            try {
                return (Object) constructor.invokeExact(args);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("the constructor of " + type.getName() + " rejected the components: " + e, e);
            } catch (Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalArgumentException("the constructor of " + type.getName() + " failed: " + t, t);
            }
        }
    }

    public static boolean isEmpty() {
        return empty;
    }

    public static Entry forClass(Class<?> type) {
        return empty ? null : BY_CLASS.get(type);
    }

    public static Entry forTag(Atom tag, int arity) {
        return empty ? null : BY_TAG.get(new Key(tag, arity));
    }

    /**
     * Registers {@code type} under {@code tag}, reaching its constructor and accessors through
     * {@code lookup}, or (when null) through the public lookup and then a private lookup of this module.
     */
    public static synchronized void register(Class<? extends Record> type, Atom tag, MethodHandles.Lookup lookup) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(tag, "tag");
        if (!type.isRecord()) throw new IllegalArgumentException(type.getName() + " is not a record class");
        if (BUILT_IN.contains(type)) {
            throw new IllegalArgumentException(type.getName() + " already has an external form of its own");
        }
        if (tag.name().equals("true") || tag.name().equals("false")) {
            throw new IllegalArgumentException("true and false travel as Booleans and cannot tag a record");
        }
        RecordComponent[] rcs = type.getRecordComponents();
        Key key = new Key(tag, rcs.length);
        Entry old = BY_CLASS.get(type);
        if (old != null) {
            if (old.tag.equals(tag)) return;
            throw new IllegalArgumentException(type.getName() + " is already registered with the tag " + old.tag);
        }
        Entry other = BY_TAG.get(key);
        if (other != null) {
            throw new IllegalArgumentException("the tag " + tag + " with " + rcs.length + " components is already taken by "
                    + other.type.getName());
        }
        Entry e = entry(type, tag, rcs, lookup);
        BY_CLASS.put(type, e);
        BY_TAG.put(key, e);
        empty = false;
    }

    public static synchronized boolean unregister(Class<?> type) {
        Entry e = BY_CLASS.remove(type);
        if (e == null) return false;
        BY_TAG.remove(new Key(e.tag, e.arity()));
        empty = BY_CLASS.isEmpty();
        return true;
    }

    public static Atom tagOf(Class<?> type) {
        Entry e = BY_CLASS.get(type);
        return e == null ? null : e.tag;
    }

    private static Entry entry(Class<?> type, Atom tag, RecordComponent[] rcs, MethodHandles.Lookup given) {
        int n = rcs.length;
        String[] names = new String[n];
        Type[] types = new Type[n];
        Class<?>[] raw = new Class<?>[n];
        for (int i = 0; i < n; i++) {
            names[i] = rcs[i].getName();
            types[i] = rcs[i].getGenericType();
            raw[i] = rcs[i].getType();
        }
        List<MethodHandles.Lookup> lookups = new ArrayList<>();
        if (given != null) {
            lookups.add(given);
        } else {
            lookups.add(MethodHandles.publicLookup());
            try {
                Module self = RecordRegistry.class.getModule();
                if (!self.canRead(type.getModule())) self.addReads(type.getModule());
                lookups.add(MethodHandles.privateLookupIn(type, MethodHandles.lookup()));
            } catch (IllegalAccessException | RuntimeException e) {
                // the type's package is not open to this module: the public lookup is all there is
            }
        }
        ReflectiveOperationException last = null;
        for (MethodHandles.Lookup l : lookups) {
            try {
                MethodHandle ctor = l.findConstructor(type, MethodType.methodType(void.class, raw))
                        .asSpreader(Object[].class, n)
                        .asType(MethodType.methodType(Object.class, Object[].class));
                MethodHandle[] acc = new MethodHandle[n];
                for (int i = 0; i < n; i++) {
                    acc[i] = l.unreflect(rcs[i].getAccessor()).asType(MethodType.methodType(Object.class, Object.class));
                }
                return new Entry(type, tag, names, types, acc, ctor);
            } catch (ReflectiveOperationException e) {
                last = e;
            }
        }
        throw new IllegalArgumentException("cannot reach the canonical constructor and accessors of " + type.getName()
                + " (" + last + "); make the record public in an exported package, open its package to io.otp4j.dist,"
                + " or register it with a Lookup that can see it: RecordTags.register(type, tag, MethodHandles.lookup())", last);
    }

    /** Marks a value that does not convert. */
    static final Object NO = new Object();

    /** {@code v} converted to {@code target}, or {@link #NO}. */
    static Object convert(Object v, Type target) {
        if (target instanceof Class<?> c) return convertTo(v, c);
        if (target instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            Type[] args = p.getActualTypeArguments();
            if (v instanceof List<?> list && raw.isAssignableFrom(List.class) && Collection.class.isAssignableFrom(raw)) {
                List<Object> out = new ArrayList<>(list.size());
                for (Object x : list) {
                    Object c = convert(x, args[0]);
                    if (c == NO) return NO;
                    out.add(c);
                }
                return Collections.unmodifiableList(out);
            }
            if (v instanceof Map<?, ?> m && raw == Map.class) {
                Map<Object, Object> out = HashMap.newHashMap(m.size());
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    Object k = convert(e.getKey(), args[0]);
                    Object x = convert(e.getValue(), args[1]);
                    if (k == NO || x == NO) return NO;
                    out.put(k, x);
                }
                return Collections.unmodifiableMap(out);
            }
            return convertTo(v, raw);
        }
        return v; // a type variable or wildcard: taken as it is
    }

    private static Object convertTo(Object v, Class<?> c) {
        if (c.isPrimitive()) c = box(c);
        if (c.isInstance(v)) return v;
        if (c == String.class) {
            if (v instanceof Binary b) return b.isUtf8() ? b.utf8() : NO;
            if (v instanceof List<?> l) return charList(l);
            return NO;
        }
        if (c == Long.class) return v instanceof Integer i ? (Object) i.longValue() : NO;
        if (c == BigInteger.class) {
            if (v instanceof Integer i) return BigInteger.valueOf(i);
            if (v instanceof Long l) return BigInteger.valueOf(l);
            return NO;
        }
        if (c == Short.class) return v instanceof Integer i && i == i.shortValue() ? (Object) i.shortValue() : NO;
        if (c == Byte.class) return v instanceof Integer i && i == i.byteValue() ? (Object) i.byteValue() : NO;
        if (c == Double.class) {
            if (v instanceof Integer i) return (double) i;
            if (v instanceof Long l) return (double) l;
            return NO;
        }
        if (c == Float.class) {
            if (v instanceof Double d) return d.floatValue();
            if (v instanceof Integer i) return (float) i;
            return NO;
        }
        if (c == byte[].class) return v instanceof Binary b ? b.bytes() : NO;
        return NO;
    }

    private static Object charList(List<?> l) {
        StringBuilder sb = new StringBuilder(l.size());
        for (Object x : l) {
            if (!(x instanceof Integer cp) || !Character.isValidCodePoint(cp)) return NO;
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    private static Class<?> box(Class<?> c) {
        if (c == int.class) return Integer.class;
        if (c == long.class) return Long.class;
        if (c == double.class) return Double.class;
        if (c == boolean.class) return Boolean.class;
        if (c == float.class) return Float.class;
        if (c == short.class) return Short.class;
        if (c == byte.class) return Byte.class;
        if (c == char.class) return Character.class;
        return Void.class;
    }

    /** A short description of a value, bounded in length and effort. */
    static String brief(Object v) {
        if (v instanceof Collection<?> c) return "a list of " + c.size() + " elements";
        if (v instanceof Map<?, ?> m) return "a map of " + m.size() + " entries";
        if (v instanceof Tuple t) return "a tuple of " + t.size() + " elements";
        if (v instanceof ImproperList l) return "an improper list of " + l.elements().size() + " elements";
        String s;
        try {
            s = String.valueOf(v);
        } catch (RuntimeException e) {
            s = v.getClass().getSimpleName();
        }
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
