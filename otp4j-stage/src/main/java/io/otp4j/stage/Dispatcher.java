package io.otp4j.stage;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * How a producer shares its events among its consumers (GenStage's dispatchers).
 *
 * <ul>
 *   <li>{@link #demand()}: each event goes to one consumer, the one with the most unmet demand
 *       (work sharing). The default.</li>
 *   <li>{@link #broadcast()}: each event goes to every consumer (filtered by the subscription's
 *       {@link SubscribeOptions#selector selector}); the producer is asked only for what the
 *       slowest consumer can take.</li>
 *   <li>{@link #partition}: each event goes to the consumer of its partition, computed by a hash
 *       function; each partition has one consumer, which subscribes with
 *       {@link SubscribeOptions#partition}. Events of a partition without demand wait in the
 *       dispatcher.</li>
 * </ul>
 */
public sealed interface Dispatcher {

    static Dispatcher demand() {
        return new Demand();
    }

    static Dispatcher broadcast() {
        return new Broadcast();
    }

    /** Partitions {@code 0..n-1}, an event's partition being {@code floorMod(event.hashCode(), n)}. */
    static Dispatcher partition(int n) {
        if (n < 1) throw new IllegalArgumentException("partitions must be >= 1, got " + n);
        List<Object> parts = IntStream.range(0, n).boxed().map(i -> (Object) i).toList();
        return new Partition(parts, e -> Math.floorMod(Objects.hashCode(e), n));
    }

    /**
     * The given partitions; {@code hash} names an event's partition, or returns null to discard the
     * event.
     */
    @SuppressWarnings("unchecked")
    static <E> Dispatcher partition(List<?> partitions, Function<? super E, ?> hash) {
        return new Partition(List.copyOf(partitions), (Function<Object, Object>) (Function<?, ?>) hash);
    }

    /** The demand dispatcher. */
    record Demand() implements Dispatcher {
    }

    /** The broadcast dispatcher. */
    record Broadcast() implements Dispatcher {
    }

    /** The partition dispatcher. */
    record Partition(List<Object> partitions, Function<Object, Object> hash) implements Dispatcher {
        public Partition {
            if (partitions.isEmpty()) throw new IllegalArgumentException("a partition dispatcher needs partitions");
            if (partitions.stream().distinct().count() != partitions.size()) {
                throw new IllegalArgumentException("partitions must be distinct: " + partitions);
            }
            Objects.requireNonNull(hash, "hash");
        }
    }
}
