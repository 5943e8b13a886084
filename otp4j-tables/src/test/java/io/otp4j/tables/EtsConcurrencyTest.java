package io.otp4j.tables;

import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Tuple;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import static io.otp4j.tables.Pattern.ANY;
import static io.otp4j.tables.Pattern.var;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many processes on one table: counters add up exactly, traversals are safe while others insert and
 * delete, many-row inserts are atomic and isolated.
 */
class EtsConcurrencyTest extends TablesTestSupport {

    record Done(Object result) {
    }

    /** Spawns {@code n} linked workers running {@code body(i)} and collects their results. */
    static List<Object> parallel(int n, java.util.function.IntFunction<Object> body) {
        Pid me = Proc.self();
        for (int i = 0; i < n; i++) {
            int w = i;
            Proc.spawnLink(() -> Proc.send(me, new Done(body.apply(w))));
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(await(m -> m instanceof Done d ? d.result() : null));
        return out;
    }

    /** Whether a "stop" message is waiting (never blocks). */
    static boolean stopRequested() {
        return Proc.receive(m -> m.equals("stop") ? m : null, Duration.ZERO).isPresent();
    }

    @ParameterizedTest
    @EnumSource(value = TableType.class, names = {"SET", "ORDERED_SET"})
    void countersFromManyProcessesAddUpExactly(TableType type) throws Exception {
        inProcess(() -> {
            var tab = Ets.newTable(TableOptions.tuples().type(type).access(Access.PUBLIC).writeConcurrency(true));
            int procs = 8;
            int perProc = 20_000;
            int keys = 10;
            parallel(procs, w -> {
                for (int i = 0; i < perProc; i++) {
                    tab.updateCounter(i % keys, 2, 1, Tuple.of(0, 0L));
                    if ((i & 255) == 0) Proc.yield();
                }
                return w;
            });
            long total = 0;
            for (int k = 0; k < keys; k++) {
                long v = ((Number) tab.lookupElement(k, 2)).longValue();
                assertThat(v).isEqualTo((long) procs * perProc / keys);
                total += v;
            }
            assertThat(total).isEqualTo((long) procs * perProc);
        });
    }

    @ParameterizedTest
    @EnumSource(TableType.class)
    void traversalIsSafeWhileOthersInsertAndDelete(TableType type) throws Exception {
        inProcess(() -> {
            var tab = Ets.newTable(TableOptions.tuples().type(type).access(Access.PUBLIC));
            int stable = 2000;
            for (int i = 0; i < stable; i++) tab.insert(Tuple.of(i, "stable"));
            List<Pid> churners = new ArrayList<>();
            Pid me = Proc.self();
            for (int c = 0; c < 3; c++) {
                int base = 1_000_000 * (c + 1);
                churners.add(Proc.spawnLink(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    long ops = 0;
                    while (!stopRequested()) {
                        int k = base + rnd.nextInt(3000);
                        if (rnd.nextBoolean()) tab.insert(Tuple.of(k, "churn"));
                        else tab.delete(k);
                        if ((++ops & 63) == 0) Proc.yield();
                    }
                    Proc.send(me, new Done(ops));
                }));
            }
            List<Object> results = parallel(4, w -> {
                for (int round = 0; round < 5; round++) {
                    Map<Object, Integer> seen = new HashMap<>();
                    int steps = 0;
                    for (Optional<Object> k = tab.first(); k.isPresent(); k = tab.next(k.get())) {
                        seen.merge(k.get(), 1, Integer::sum);
                        if ((++steps & 31) == 0) Proc.yield();
                    }
                    for (int i = 0; i < stable; i++) {
                        if (seen.getOrDefault(i, 0) != 1) return "stable key " + i + " seen " + seen.getOrDefault(i, 0) + " times";
                    }
                    for (var e : seen.entrySet()) {
                        if (e.getValue() != 1) return "key " + e.getKey() + " seen " + e.getValue() + " times";
                    }
                }
                return "ok";
            });
            assertThat(results).containsOnly("ok");
            for (Pid c : churners) Proc.send(c, "stop");
            for (Object ops : parallelDone(churners.size())) assertThat((Long) ops).isPositive();
        });
    }

    private static List<Object> parallelDone(int n) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(await(m -> m instanceof Done d ? d.result() : null));
        return out;
    }

    @ParameterizedTest
    @EnumSource(TableType.class)
    void selectContinuationsAreSafeWhileOthersInsertAndDelete(TableType type) throws Exception {
        inProcess(() -> {
            var tab = Ets.newTable(TableOptions.tuples().type(type).access(Access.PUBLIC));
            int stable = 3000;
            for (int i = 0; i < stable; i++) tab.insert(Tuple.of(i, "stable"));
            Pid me = Proc.self();
            Pid churner = Proc.spawnLink(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                long ops = 0;
                while (!stopRequested()) {
                    int k = -1 - rnd.nextInt(5000);
                    if (rnd.nextBoolean()) tab.insert(Tuple.of(k, "churn"));
                    else tab.delete(k);
                    if ((++ops & 63) == 0) Proc.yield();
                }
                Proc.send(me, new Done(ops));
            });
            var stableKeys = MatchSpec.<Tuple>of(Pattern.tuple(var(1), "stable")).map(m -> m.get(1));
            for (int round = 0; round < 5; round++) {
                List<Object> got = new ArrayList<>();
                for (Selection<Object> s = tab.select(stableKeys, 97); !s.isEnd(); s = s.next()) {
                    got.addAll(s.matches());
                    Proc.yield();
                }
                assertThat(got).hasSize(stable).doesNotHaveDuplicates();
            }
            Proc.send(churner, "stop");
            parallelDone(1);
        });
    }

    @ParameterizedTest
    @EnumSource(value = TableType.class, names = {"SET", "ORDERED_SET", "BAG"})
    void aManyRowInsertIsSeenWholeOrNotAtAll(TableType type) throws Exception {
        inProcess(() -> {
            var tab = Ets.newTable(TableOptions.tuples().type(type).access(Access.PUBLIC));
            tab.insert(List.of(Tuple.of("a", 0), Tuple.of("b", 0)));
            int rounds = 50_000;
            Pid me = Proc.self();
            Proc.spawnLink(() -> {
                for (int i = 1; i <= rounds; i++) {
                    if (type == TableType.BAG) {
                        tab.delete("a");
                        tab.delete("b");
                    }
                    // the batch writes a then b: a reader that sees the new a must see the new b
                    tab.insert(List.of(Tuple.of("a", i), Tuple.of("b", i)));
                    if ((i & 127) == 0) Proc.yield();
                }
                Proc.send(me, "writer done");
            });
            List<Object> readers = parallel(2, w -> {
                int violations = 0;
                int reads = 0;
                while (reads < rounds * 2) {
                    List<Tuple> a = tab.lookup("a");
                    List<Tuple> b = tab.lookup("b");
                    reads++;
                    if (a.isEmpty() || b.isEmpty()) continue; // between the bag's deletes and its insert
                    int va = (Integer) a.getLast().get(1);
                    int vb = (Integer) b.getLast().get(1);
                    if (vb < va) violations++;
                    if ((reads & 127) == 0) Proc.yield();
                }
                return violations;
            });
            assertThat(readers).containsOnly(0);
            await(m -> m.equals("writer done") ? m : null);
        });
    }

    @ParameterizedTest
    @EnumSource(value = TableType.class, names = {"SET", "ORDERED_SET", "DUPLICATE_BAG"})
    void racingManyRowInsertNewsAreAllOrNothing(TableType type) throws Exception {
        inProcess(() -> {
            var tab = Ets.newTable(TableOptions.tuples().type(type).access(Access.PUBLIC));
            int keys = 2000;
            // worker w tries pairs (k, k+1) for every k, claiming both keys for itself or neither;
            // a single-row claimer races them on every key
            List<Object> wins = parallel(4, w -> {
                int won = 0;
                for (int k = 0; k < keys - 1; k++) {
                    if (w == 3) {
                        if (tab.insertNew(Tuple.of(k, "single", k))) won++;
                    } else if (tab.insertNew(List.of(Tuple.of(k, w, k), Tuple.of(k + 1, w, k)))) {
                        won++;
                    }
                    if ((k & 31) == 0) Proc.yield();
                }
                return won;
            });
            // every key has one row, and every pair row has its partner with the same claim
            for (int k = 0; k < keys; k++) {
                List<Tuple> rows = tab.lookup(k);
                if (rows.isEmpty()) continue;
                assertThat(rows).as("key %d", k).hasSize(1);
                Tuple r = rows.getFirst();
                if (r.get(1).equals("single")) continue;
                int first = (Integer) r.get(2);
                int partner = first == k ? k + 1 : first;
                assertThat(tab.lookup(partner)).as("partner of key %d", k).containsExactly(Tuple.of(partner, r.get(1), first));
            }
            int claimed = 0;
            for (Object w : wins) claimed += (Integer) w;
            assertThat(claimed).isPositive();
            assertThat(tab.selectCount(MatchSpec.<Tuple>of(Pattern.tuple(ANY, ANY, ANY)))).isEqualTo(tab.size());
        });
    }
}
