package io.otp4j.tables;

import io.otp4j.Down;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** DETS beyond the shared contract: files, reopening, users, read-only, records on disk. */
class DetsTest extends TablesTestSupport {
    @TempDir
    Path dir;

    record Account(String id, long balance, List<String> tags, Map<String, Integer> limits, Instant opened, UUID ref) {
    }

    @Test
    void rowsSurviveCloseAndReopen() {
        Path file = dir.resolve("accounts.dets");
        var opts = DetsOptions.of(RowType.<String, Account>record(Account.class), file);
        Account a = new Account("a1", 100, List.of("vip"), Map.of("daily", 500), Instant.parse("2026-01-02T03:04:05Z"), UUID.randomUUID());
        DetsTable<String, Account> t = Dets.open(opts);
        t.insert(a);
        t.insert(new Account("a2", 5, List.of(), Map.of(), Instant.EPOCH, UUID.randomUUID()));
        assertThat(t.updateCounter("a1", 2, 50)).isEqualTo(150);
        t.close();
        assertThat(t.isOpen()).isFalse();
        assertThatThrownBy(() -> t.lookup("a1")).isInstanceOf(NoSuchTableException.class);

        DetsTable<String, Account> again = Dets.open(opts);
        assertThat(again.get("a1")).contains(new Account("a1", 150, a.tags(), a.limits(), a.opened(), a.ref()));
        assertThat(again.size()).isEqualTo(2);
        assertThat(again.info().memory()).as("the file size").isEqualTo(fileSize(file));
        again.close();
    }

    private static long fileSize(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aFileKeepsItsShape() {
        Path file = dir.resolve("shape.dets");
        Dets.open(DetsOptions.tuples(file).type(TableType.BAG)).close();
        assertThatThrownBy(() -> Dets.open(DetsOptions.tuples(file)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BAG");
        assertThatThrownBy(() -> Dets.open(DetsOptions.of(RowType.tuple(2), file).type(TableType.BAG)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Dets.open(DetsOptions.tuples(dir.resolve("x.dets")).type(TableType.ORDERED_SET)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ordered_set");
        var t = Dets.open(DetsOptions.tuples(file).type(TableType.BAG));
        assertThat(t.type()).isEqualTo(TableType.BAG);
        t.close();
    }

    @Test
    void aFileThatIsNotATableIsRefusedClearly() throws Exception {
        Path junk = dir.resolve("junk.dets");
        Files.write(junk, "this is not a table".repeat(500).getBytes());
        assertThatThrownBy(() -> Dets.open(DetsOptions.tuples(junk)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot open");
        assertThat(Dets.whereis(junk.toString())).isEmpty();
    }

    @Test
    void readOnlyRefusesWrites() {
        Path file = dir.resolve("ro.dets");
        var t = Dets.open(DetsOptions.tuples(file));
        t.insert(Tuple.of("k", 1));
        t.close();
        var ro = Dets.open(DetsOptions.tuples(file).readOnly(true));
        assertThat(ro.lookup("k")).containsExactly(Tuple.of("k", 1));
        assertThatThrownBy(() -> ro.insert(Tuple.of("x", 1))).isInstanceOf(TableAccessException.class);
        assertThatThrownBy(() -> ro.deleteAllObjects()).isInstanceOf(TableAccessException.class);
        ro.close();
        assertThatThrownBy(() -> Dets.open(DetsOptions.tuples(dir.resolve("absent.dets")).readOnly(true)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void valuesThatCannotBeStoredAreRefusedAndChangeNothing() {
        var t = Dets.open(DetsOptions.tuples(dir.resolve("refuse.dets")));
        assertThatThrownBy(() -> t.insert(Tuple.of("k", new Object()))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.insert(List.of(Tuple.of("a", 1), Tuple.of("b", new StringBuilder()))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(t.size()).isZero();
        t.close();
    }

    @Test
    void aTableIsSharedByNameAndClosedWhenItsLastUserLeaves() throws Exception {
        Path file = dir.resolve("shared.dets");
        inProcess(() -> {
            Pid me = Proc.self();
            var mine = Dets.open(DetsOptions.tuples(file).named("shared"));
            Pid other = Proc.spawn(() -> {
                var theirs = Dets.open(DetsOptions.tuples(file).named("shared"));
                theirs.insert(Tuple.of("from_other", 1));
                Proc.send(me, theirs);
                Proc.receive(m -> m.equals("close") ? m : null);
                theirs.close();
                Proc.send(me, "closed");
                Proc.receive(m -> m.equals("die") ? m : null);
            });
            DetsTable<?, ?> theirs = await(m -> m instanceof DetsTable<?, ?> t ? t : null);
            assertThat(theirs).isSameAs(mine);
            assertThat(mine.member("from_other")).isTrue();
            assertThatThrownBy(() -> Dets.open(DetsOptions.tuples(file).named("shared").type(TableType.BAG)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("incompatible");
            assertThatThrownBy(() -> Dets.open(DetsOptions.tuples(file).named("other_name")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is open as");
            mine.close();
            assertThat(mine.isOpen()).as("the other process still uses it").isTrue();
            assertThatThrownBy(mine::close).as("not a user any more").isInstanceOf(TableAccessException.class);
            Proc.send(other, "close");
            await(m -> m.equals("closed") ? m : null);
            assertThat(mine.isOpen()).isFalse();
            assertThat(Dets.whereis("shared")).isEmpty();
            Proc.send(other, "die");
        });
    }

    @Test
    void aUserThatDiesStopsUsingTheTable() throws Exception {
        Path file = dir.resolve("dies.dets");
        inProcess(() -> {
            Pid me = Proc.self();
            Pid user = Proc.spawn(() -> {
                var t = Dets.open(DetsOptions.tuples(file));
                t.insert(Tuple.of("k", "written before the crash"));
                Proc.send(me, t);
                Proc.receive(m -> m.equals("crash") ? m : null);
                throw new IllegalStateException("user crashed");
            });
            DetsTable<?, ?> t = await(m -> m instanceof DetsTable<?, ?> x ? x : null);
            Ref mon = Proc.monitor(user);
            Proc.send(user, "crash");
            await(m -> m instanceof Down d && d.ref().equals(mon) ? d : null);
            assertThat(t.isOpen()).isFalse();
            var reopened = Dets.open(DetsOptions.tuples(file));
            assertThat(reopened.lookup("k")).containsExactly(Tuple.of("k", "written before the crash"));
            reopened.close();
        });
    }

    @Test
    void stoppingTheNodeClosesItsTables() {
        Path file = dir.resolve("node.dets");
        try (Node n = Node.start(Node.Options.named("dets_stop@localhost"))) {
            DetsTable<?, ?> t = n.run(() -> {
                var tab = Dets.open(DetsOptions.tuples(file));
                tab.insert(Tuple.of("k", 1));
                Pid me = Proc.self();
                Proc.spawn(() -> {
                    Dets.open(DetsOptions.tuples(file)); // a second user that outlives this one
                    Proc.send(me, "opened");
                    Proc.receive(m -> null);
                });
                await(m -> m.equals("opened") ? m : null);
                return tab;
            });
            assertThat(t.isOpen()).isTrue();
            n.stop();
            assertThat(t.isOpen()).isFalse();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        var again = Dets.open(DetsOptions.tuples(file));
        assertThat(again.lookup("k")).hasSize(1);
        again.close();
    }

    @Test
    void autoSaveSyncsByItself() throws Exception {
        DetsTable<Object, Tuple> t = Dets.open(DetsOptions.tuples(dir.resolve("auto.dets")).autoSave(Duration.ofMillis(20)));
        t.insert(Tuple.of("k", 1));
        DiskTable<?, ?> d = (DiskTable<?, ?>) t;
        // the second auto-save from now surely started after the insert
        d.nextAutoSave().get(10, java.util.concurrent.TimeUnit.SECONDS);
        d.nextAutoSave().get(10, java.util.concurrent.TimeUnit.SECONDS);
        t.close();
    }

    @Test
    void updateCounterFromManyProcessesAddsUpExactly() throws Exception {
        var t = Dets.open(DetsOptions.tuples(dir.resolve("counters.dets")).autoSave(null));
        for (int k = 0; k < 4; k++) t.insert(Tuple.of(k, 0L));
        inProcess(() -> {
            Pid me = Proc.self();
            for (int w = 0; w < 6; w++) {
                Proc.spawn(() -> {
                    for (int i = 0; i < 2000; i++) t.updateCounter(i % 4, 2, 1);
                    Proc.send(me, "done");
                });
            }
            for (int w = 0; w < 6; w++) await(m -> m.equals("done") ? m : null);
        });
        long sum = 0;
        for (int k = 0; k < 4; k++) sum += (Long) t.lookupElement(k, 2);
        assertThat(sum).isEqualTo(12_000);
        t.close();
    }

    @Test
    void aBagKeepsInsertionOrderAcrossReopens() {
        Path file = dir.resolve("bag.dets");
        var t = Dets.open(DetsOptions.tuples(file).type(TableType.DUPLICATE_BAG));
        for (int i = 0; i < 5; i++) t.insert(Tuple.of("k", i));
        t.close();
        var again = Dets.open(DetsOptions.tuples(file).type(TableType.DUPLICATE_BAG));
        again.insert(Tuple.of("k", 5));
        List<Object> order = new ArrayList<>();
        for (Tuple r : again.lookup("k")) order.add(r.get(1));
        assertThat(order).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(Set.copyOf(again.match(Pattern.tuple("k", Pattern.var(1))))).hasSize(6);
        again.close();
    }

    @Test
    void compactionShrinksAClosedFile() throws Exception {
        Path file = dir.resolve("compact.dets");
        var t = Dets.open(DetsOptions.tuples(file).autoSave(null));
        java.util.Random rnd = new java.util.Random(1);
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 20_000; i++) t.insert(Tuple.of(rnd.nextInt(50_000), "x".repeat(40)));
            t.sync();
        }
        long rows = t.size();
        t.close();
        long before = Files.size(file);
        Dets.compact(file);
        long after = Files.size(file);
        assertThat(after).isLessThan(before);
        var again = Dets.open(DetsOptions.tuples(file));
        assertThat(again.size()).isEqualTo(rows);
        assertThatThrownBy(() -> Dets.compact(file)).isInstanceOf(IllegalStateException.class);
        again.close();
    }
}
