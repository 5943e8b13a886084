package io.otp4j.tables;

import io.otp4j.Tuple;

import java.util.Collection;
import java.util.Map;

/**
 * A rough estimate of the heap a row holds, for {@code info().memory()}: object headers, fields and
 * arrays as a 64-bit JVM with compressed pointers lays them out, values shared by many rows
 * (small boxed integers, enums) counted as if they were not. An estimate, not a measurement.
 */
final class Footprint {
    private static final int MAX_DEPTH = 8;

    private Footprint() {
    }

    static long of(Object o) {
        return of(o, 0);
    }

    private static long align(long n) {
        return (n + 7) & ~7L;
    }

    private static long of(Object o, int depth) {
        if (o == null || depth > MAX_DEPTH) return 0;
        return switch (o) {
            case Integer i -> 16;
            case Long l -> 24;
            case Double d -> 24;
            case Short s -> 16;
            case Byte b -> 16;
            case Boolean b -> 0;
            case Enum<?> e -> 0;
            case String s -> 24 + align(16 + s.length());
            case byte[] b -> align(16 + b.length);
            case Tuple t -> {
                long n = 16 + align(16 + 4L * t.size());
                for (int i = 0; i < t.size(); i++) n += of(t.get(i), depth + 1);
                yield n;
            }
            case Record r -> {
                var rc = r.getClass().getRecordComponents();
                long n = align(12 + 8L * rc.length);
                for (var c : rc) {
                    if (c.getType().isPrimitive()) continue;
                    try {
                        var acc = c.getAccessor();
                        acc.setAccessible(true);
                        n += of(acc.invoke(r), depth + 1);
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        n += 16;
                    }
                }
                yield n;
            }
            case Collection<?> c -> {
                long n = 32 + align(16 + 4L * c.size());
                int k = 0;
                for (Object x : c) {
                    if (k++ > 64) break;
                    n += of(x, depth + 1);
                }
                yield n;
            }
            case Map<?, ?> m -> 48 + 48L * m.size();
            default -> 24;
        };
    }
}
