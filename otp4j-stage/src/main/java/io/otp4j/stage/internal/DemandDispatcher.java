package io.otp4j.stage.internal;

import io.otp4j.Pid;
import io.otp4j.Ref;
import io.otp4j.stage.SubscribeOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Each event to one consumer: the one with the most unmet demand first. A consumer asking for more
 * than its subscription's {@code maxDemand} is warned about once. Demand passed on to the
 * producer is the consumers' asks, less what was already asked for by consumers that have since
 * cancelled ({@code pending}).
 */
final class DemandDispatcher extends DispatcherImpl {
    private static final Logger LOG = LoggerFactory.getLogger("io.otp4j.stage");

    private static final class Entry {
        long demand;
        final Pid pid;
        final Ref ref;
        final long max;
        boolean warned;

        Entry(long demand, Pid pid, Ref ref, long max) {
            this.demand = demand;
            this.pid = pid;
            this.ref = ref;
            this.max = max;
        }
    }

    /** Sorted by demand, largest first; equal demands keep their order. */
    private final List<Entry> demands = new ArrayList<>(2);
    private long pending;

    DemandDispatcher(Pid self) {
        super(self);
    }

    @Override
    long subscribe(SubscribeOptions options, Pid consumer, Ref ref) {
        demands.add(new Entry(0, consumer, ref, options.maxDemand()));
        return 0;
    }

    @Override
    long cancel(Ref ref) {
        Entry e = pop(ref);
        if (e != null) pending += e.demand;
        return 0;
    }

    @Override
    long ask(long count, Pid consumer, Ref ref) {
        Entry e = pop(ref);
        if (e == null) return 0;
        if (count > e.max && !e.warned) {
            e.warned = true;
            LOG.warn("producer {} (demand dispatcher) got demand for {} events from {}, above its subscription's "
                    + "maxDemand of {}: the consumer with the most demand gets events first, so a greedy consumer "
                    + "starves the others (logged once per subscription)", self, count, consumer, e.max);
        }
        insert(withDemand(e, e.demand + count));
        long alreadySent = Math.min(pending, count);
        pending -= alreadySent;
        return count - alreadySent;
    }

    private static Entry withDemand(Entry e, long d) {
        e.demand = d;
        return e;
    }

    @Override
    List<Object> dispatch(List<Object> events) {
        int length = events.size();
        int pos = 0;
        while (pos < length && !demands.isEmpty() && demands.getFirst().demand > 0) {
            Entry e = demands.removeFirst();
            int n = (int) Math.min(e.demand, length - pos);
            send(e.pid, e.ref, pos == 0 && n == length ? events : events.subList(pos, pos + n));
            pos += n;
            e.demand -= n;
            insert(e);
        }
        int left = length - pos;
        pending = Math.max(pending - left, 0);
        return left == 0 ? List.of() : events.subList(pos, length);
    }

    private void insert(Entry e) {
        int i = 0;
        while (i < demands.size() && demands.get(i).demand >= e.demand) i++;
        demands.add(i, e);
    }

    private Entry pop(Ref ref) {
        for (int i = 0; i < demands.size(); i++) {
            if (demands.get(i).ref.equals(ref)) return demands.remove(i);
        }
        return null;
    }
}
