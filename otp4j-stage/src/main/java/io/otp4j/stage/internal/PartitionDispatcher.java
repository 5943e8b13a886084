package io.otp4j.stage.internal;

import io.otp4j.Pid;
import io.otp4j.Ref;
import io.otp4j.stage.Dispatcher;
import io.otp4j.stage.SubscribeOptions;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Each event to the consumer of its partition. A partition with demand gets its events at once;
 * the events of a partition without demand (or without a consumer yet) wait in its queue until
 * its consumer asks.
 */
final class PartitionDispatcher extends DispatcherImpl {
    private static final class Part {
        Pid pid;
        Ref ref;
        long demand;
        /** Events waiting for demand; null while the partition has demand left. */
        ArrayDeque<Object> queue = new ArrayDeque<>();
        /** Events of this dispatch, before they are sent or queued. */
        List<Object> batch;
    }

    private final Function<Object, Object> hash;
    private final Map<Object, Part> partitions = new LinkedHashMap<>();
    private final Map<Ref, Object> byRef = new HashMap<>();
    private long waiting;
    private long pending;

    PartitionDispatcher(Pid self, Dispatcher.Partition spec) {
        super(self);
        this.hash = spec.hash();
        for (Object p : spec.partitions()) partitions.put(p, new Part());
    }

    @Override
    long subscribe(SubscribeOptions options, Pid consumer, Ref ref) {
        Object p = options.partition();
        if (p == null) {
            throw new IllegalArgumentException("the partition option is required when subscribing to a producer "
                    + "with a partition dispatcher; partitions are " + partitions.keySet());
        }
        Part part = partitions.get(p);
        if (part == null) {
            throw new IllegalArgumentException("partition must be one of " + partitions.keySet() + ", got " + p);
        }
        if (part.pid != null) {
            throw new IllegalArgumentException("partition " + p + " is already taken by " + part.pid);
        }
        part.pid = consumer;
        part.ref = ref;
        byRef.put(ref, p);
        return 0;
    }

    @Override
    long cancel(Ref ref) {
        Object p = byRef.remove(ref);
        if (p == null) return 0;
        Part part = partitions.get(p);
        part.pid = null;
        part.ref = null;
        if (part.queue == null) {
            pending += part.demand;
            part.demand = 0;
            part.queue = new ArrayDeque<>();
            return 0;
        }
        long length = part.queue.size();
        part.queue = new ArrayDeque<>();
        waiting += length;
        return length;
    }

    @Override
    long ask(long count, Pid consumer, Ref ref) {
        Object p = byRef.get(ref);
        if (p == null) return 0;
        Part part = partitions.get(p);
        if (part.queue == null) {
            part.demand += count;
        } else {
            long left = count;
            List<Object> out = new ArrayList<>((int) Math.min(left, part.queue.size()));
            while (left > 0 && !part.queue.isEmpty()) {
                out.add(part.queue.pollFirst());
                left--;
            }
            if (!out.isEmpty()) send(part.pid, part.ref, out);
            if (part.queue.isEmpty()) {
                part.queue = null;
                part.demand = left;
            }
        }
        long alreadySent = Math.min(pending, count);
        long demand = count - alreadySent;
        pending -= alreadySent;
        waiting += demand;
        return demand;
    }

    @Override
    List<Object> dispatch(List<Object> events) {
        int length = events.size();
        int i = 0;
        while (i < length && waiting > 0) {
            Object ev = events.get(i++);
            Object p = hash.apply(ev);
            if (p == null) continue; // discarded by the hash function
            Part part = partitions.get(p);
            if (part == null) {
                throw new IllegalStateException("unknown partition " + p + " computed for event " + ev
                        + "; the known partitions are " + partitions.keySet());
            }
            if (part.batch == null) part.batch = new ArrayList<>();
            part.batch.add(ev);
            waiting--;
        }
        for (Part part : partitions.values()) {
            List<Object> batch = part.batch;
            if (batch == null) continue;
            part.batch = null;
            if (part.queue == null) {
                int now = (int) Math.min(part.demand, batch.size());
                if (now > 0) send(part.pid, part.ref, now == batch.size() ? batch : batch.subList(0, now));
                part.demand -= now;
                if (now < batch.size()) {
                    part.queue = new ArrayDeque<>(batch.subList(now, batch.size()));
                }
            } else {
                part.queue.addAll(batch);
            }
        }
        return i == length ? List.of() : events.subList(i, length);
    }
}
