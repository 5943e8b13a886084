package io.otp4j.stage.internal;

import io.otp4j.stage.BufferKeep;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A producer's buffer: events not yet asked for, bounded, keeping the first or the last; and
 * info messages queued behind them ({@code GenStage.async_info}), which do not count towards the
 * size and are delivered once the events before them are gone.
 */
final class Buffer {
    /** An info message queued behind the events. */
    record Marker(Object msg) {
    }

    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private final int capacity;
    private final BufferKeep keep;
    private int events;

    Buffer(int capacity, BufferKeep keep) {
        this.capacity = capacity;
        this.keep = keep;
    }

    int size() {
        return events;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /**
     * Stores events. Returns how many were discarded to stay within the capacity; infos whose
     * events were all discarded are given to {@code deliver}.
     */
    int store(List<Object> incoming, Consumer<Object> deliver) {
        int n = incoming.size();
        if (keep == BufferKeep.FIRST) {
            int room = capacity - events;
            int take = Math.min(room, n);
            for (int i = 0; i < take; i++) queue.addLast(incoming.get(i));
            events += take;
            return n - take;
        }
        int excess = 0;
        int from = 0;
        if (n > capacity) { // only the last `capacity` of the incoming events can stay
            from = n - capacity;
            excess += from;
        }
        int need = (events + (n - from)) - capacity;
        while (need > 0) {
            Object head = queue.pollFirst();
            if (head instanceof Marker(Object msg)) {
                deliver.accept(msg);
            } else {
                events--;
                excess++;
                need--;
            }
        }
        if (excess > 0) {
            // markers now at the front have nothing left before them
            while (queue.peekFirst() instanceof Marker(Object msg)) {
                queue.pollFirst();
                deliver.accept(msg);
            }
        }
        for (int i = from; i < n; i++) queue.addLast(incoming.get(i));
        events += n - from;
        return excess;
    }

    /** Queues an info behind the events; false if the buffer is empty (deliver it now). */
    boolean storeInfo(Object msg) {
        if (queue.isEmpty()) return false;
        queue.addLast(new Marker(msg));
        return true;
    }

    /**
     * Takes up to {@code count} events, stopping before an info: the infos then at the front go
     * to {@code deliver} after the taken events are handed to {@code dispatch}. Returns how many
     * events were taken.
     */
    int take(long count, Consumer<List<Object>> dispatch, Consumer<Object> deliver) {
        int taken = 0;
        if (count > 0 && events > 0 && !(queue.peekFirst() instanceof Marker)) {
            int want = (int) Math.min(count, events);
            List<Object> out = new ArrayList<>(Math.min(want, 4096));
            while (taken < want && !(queue.peekFirst() instanceof Marker)) {
                out.add(queue.pollFirst());
                taken++;
            }
            events -= taken;
            dispatch.accept(out);
        }
        while (queue.peekFirst() instanceof Marker(Object msg)) {
            queue.pollFirst();
            deliver.accept(msg);
        }
        return taken;
    }
}
