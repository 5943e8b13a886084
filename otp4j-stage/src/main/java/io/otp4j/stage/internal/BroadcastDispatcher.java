package io.otp4j.stage.internal;

import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.stage.SubscribeOptions;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Each event to every consumer, filtered by each subscription's selector. The producer is asked
 * only for what every consumer has asked for ({@code waiting}); events a selector filters out are
 * credited back to that consumer as if it had asked again.
 */
final class BroadcastDispatcher extends DispatcherImpl {
    private static final class Entry {
        long demand;
        final Pid pid;
        final Ref ref;
        final Predicate<Object> selector;

        Entry(long demand, Pid pid, Ref ref, Predicate<Object> selector) {
            this.demand = demand;
            this.pid = pid;
            this.ref = ref;
            this.selector = selector;
        }
    }

    private final List<Entry> demands = new ArrayList<>(4);
    private final Set<Pid> subscribed = new HashSet<>();
    /** Events every consumer has asked for and that the producer has not yet sent. */
    private long waiting;
    /** Demand passed on to the producer and not yet met. */
    private long requested;

    BroadcastDispatcher(Pid self) {
        super(self);
    }

    @Override
    long subscribe(SubscribeOptions options, Pid consumer, Ref ref) {
        if (!subscribed.add(consumer)) {
            throw new IllegalArgumentException("already_subscribed: " + consumer
                    + " is already subscribed to " + self + " (a broadcast dispatcher takes one subscription per process)");
        }
        for (Entry e : demands) e.demand += waiting;
        waiting = 0;
        demands.add(new Entry(0, consumer, ref, options.selector()));
        return 0;
    }

    @Override
    long cancel(Ref ref) {
        Entry e = pop(ref);
        if (e != null) subscribed.remove(e.pid);
        if (demands.isEmpty()) {
            waiting = 0;
            return 0;
        }
        return sync();
    }

    @Override
    long ask(long count, Pid consumer, Ref ref) {
        Entry e = find(ref);
        if (e == null) return 0;
        e.demand += count;
        return sync();
    }

    private long sync() {
        long min = Long.MAX_VALUE;
        for (Entry e : demands) min = Math.min(min, e.demand);
        min = Math.max(min, 0);
        if (min > 0) for (Entry e : demands) e.demand -= min;
        waiting += min;
        long request = Math.max(0, waiting - requested);
        requested += request;
        return request;
    }

    @Override
    List<Object> dispatch(List<Object> events) {
        if (waiting == 0) return events;
        int length = events.size();
        int now = (int) Math.min(length, waiting);
        List<Object> deliver = now == length ? events : events.subList(0, now);
        waiting -= now;
        for (Entry e : demands) {
            List<Object> selected = deliver;
            if (e.selector != null) {
                selected = new ArrayList<>(now);
                for (Object ev : deliver) if (e.selector.test(ev)) selected.add(ev);
                int discarded = now - selected.size();
                if (discarded > 0) Proc.send(self, new StageMessages.Ask(e.pid, e.ref, discarded));
            }
            if (!selected.isEmpty()) send(e.pid, e.ref, selected);
        }
        requested -= now;
        return now == length ? List.of() : events.subList(now, length);
    }

    private Entry find(Ref ref) {
        for (Entry e : demands) if (e.ref.equals(ref)) return e;
        return null;
    }

    private Entry pop(Ref ref) {
        for (int i = 0; i < demands.size(); i++) {
            if (demands.get(i).ref.equals(ref)) return demands.remove(i);
        }
        return null;
    }
}
