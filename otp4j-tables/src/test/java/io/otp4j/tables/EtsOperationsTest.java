package io.otp4j.tables;

import io.otp4j.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.otp4j.tables.Pattern.ANY;
import static io.otp4j.tables.Pattern.var;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ETS operations beyond the shared contract: counters, update_element, take, ordered traversal, records. */
class EtsOperationsTest {

    record User(String name, int visits, long bytes, String role) {
    }

    private final List<EtsTable<?, ?>> made = new ArrayList<>();

    <K, R> EtsTable<K, R> table(TableOptions<K, R> o) {
        EtsTable<K, R> t = Ets.newTable(o);
        made.add(t);
        return t;
    }

    @AfterEach
    void deleteTables() {
        made.forEach(EtsTable::delete);
    }

    @Test
    void updateCounterWithADefaultRow() {
        var tab = table(TableOptions.tuples());
        assertThat(tab.updateCounter("page", 2, 1, Tuple.of("ignored", 0, "meta"))).isEqualTo(1);
        assertThat(tab.lookup("page")).containsExactly(Tuple.of("page", 1, "meta"));
        assertThat(tab.updateCounter("page", 2, 1, Tuple.of("page", 100, "meta"))).isEqualTo(2);
    }

    @Test
    void updateCounterWithThresholdsAndManyOps() {
        var tab = table(TableOptions.tuples());
        tab.insert(Tuple.of("c", 8, 3, 0));
        // {2, 1, 9, 0}: wraps to 0 past 9; {3, -2, 0, 10}: set to 10 below 0; {4, 5}
        long[] r = tab.updateCounter("c", Counter.add(2, 1, 9, 0), Counter.add(3, -2, 0, 10), Counter.add(4, 5));
        assertThat(r).containsExactly(9, 1, 5);
        r = tab.updateCounter("c", Counter.add(2, 1, 9, 0), Counter.add(3, -2, 0, 10), Counter.add(4, 5));
        assertThat(r).containsExactly(0, 10, 10);
        assertThat(tab.lookup("c")).containsExactly(Tuple.of("c", 0, 10, 10));
        r = tab.updateCounter("c", Counter.add(2, 1), Counter.add(2, 1));
        assertThat(r).as("ops apply in order to the same row").containsExactly(1, 2);
        assertThatThrownBy(() -> tab.updateCounter("c", Counter.add(2, 1), Counter.add(9, 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(tab.lookup("c")).as("a failing op changes nothing").containsExactly(Tuple.of("c", 2, 10, 10));
    }

    @Test
    void countersOnRecordsKeepTheirComponentTypes() {
        var tab = table(TableOptions.of(RowType.<String, User>record(User.class)));
        tab.insert(new User("ann", 1, 10L, "admin"));
        assertThat(tab.updateCounter("ann", 2, 5)).isEqualTo(6);
        assertThat(tab.updateCounter("ann", 3, 1L << 40)).isEqualTo(10L + (1L << 40));
        assertThat(tab.get("ann")).contains(new User("ann", 6, 10L + (1L << 40), "admin"));
        assertThatThrownBy(() -> tab.updateCounter("ann", 2, Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("int");
        assertThatThrownBy(() -> tab.updateCounter("ann", 4, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(tab.get("ann").orElseThrow().visits()).isEqualTo(6);
        assertThat(tab.updateCounter("bob", 2, 1, new User("x", 0, 0, "user"))).isEqualTo(1);
        assertThat(tab.get("bob")).contains(new User("bob", 1, 0, "user"));
    }

    @Test
    void updateElement() {
        var tab = table(TableOptions.of(RowType.<String, User>record(User.class)));
        tab.insert(new User("ann", 1, 10L, "admin"));
        assertThat(tab.updateElement("ann", 4, "guest")).isTrue();
        assertThat(tab.updateElement("ann", 2, 7, 3, 70L)).isTrue();
        assertThat(tab.get("ann")).contains(new User("ann", 7, 70L, "guest"));
        assertThat(tab.updateElement("nobody", 4, "x")).isFalse();
        assertThatThrownBy(() -> tab.updateElement("ann", 1, "bob")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tab.updateElement("ann", 5, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tab.updateElement("ann", 2, "not an int")).isInstanceOf(IllegalArgumentException.class);
        assertThat(tab.get("ann")).contains(new User("ann", 7, 70L, "guest"));
        var bag = table(TableOptions.tuples().type(TableType.BAG));
        bag.insert(Tuple.of("k", 1));
        assertThatThrownBy(() -> bag.updateElement("k", 2, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void takeRemovesAndReturns() {
        var tab = table(TableOptions.tuples().type(TableType.DUPLICATE_BAG));
        tab.insert(Tuple.of("k", 1));
        tab.insert(Tuple.of("k", 1));
        assertThat(tab.take("k")).containsExactly(Tuple.of("k", 1), Tuple.of("k", 1));
        assertThat(tab.take("k")).isEmpty();
        assertThat(tab.size()).isZero();
    }

    @Test
    void orderedSetsFollowErlangTermOrder() {
        var tab = table(TableOptions.tuples().type(TableType.ORDERED_SET));
        List<Object> keys = List.of(Tuple.of(1, "a"), "atom", 2.5, 1, Tuple.of(1), List.of(1), new byte[] {1},
                BigInteger.TEN.pow(30), -3L);
        for (Object k : keys) tab.insert(Tuple.of(k, "v"));
        List<Object> order = new ArrayList<>();
        for (Optional<Object> k = tab.first(); k.isPresent(); k = tab.next(k.get())) order.add(k.get());
        assertThat(order.subList(0, 4)).containsExactly(-3L, 1, 2.5, BigInteger.TEN.pow(30));
        assertThat(order.subList(4, 8)).containsExactly("atom", Tuple.of(1), Tuple.of(1, "a"), List.of(1));
        assertThat(order.get(8)).isInstanceOf(byte[].class);
        List<Object> back = new ArrayList<>();
        for (Optional<Object> k = tab.last(); k.isPresent(); k = tab.prev(k.get())) back.add(k.get());
        assertThat(back).hasSize(9).startsWith(order.get(8)).endsWith(-3L);
        assertThat(tab.next("b")).contains(Tuple.of(1)).as("next works from a key that is not in the table");
    }

    @Test
    void inAnOrderedSetNumbersAreOneKeyByValue() {
        var tab = table(TableOptions.tuples().type(TableType.ORDERED_SET));
        tab.insert(Tuple.of(1, "int"));
        tab.insert(Tuple.of(1.0, "float"));
        tab.insert(Tuple.of(1L, "long"));
        assertThat(tab.size()).isEqualTo(1);
        assertThat(tab.lookup(1)).containsExactly(Tuple.of(1L, "long"));
        assertThat(tab.first()).contains(1L);
        var set = table(TableOptions.tuples());
        set.insert(Tuple.of(1, "int"));
        set.insert(Tuple.of(1L, "long"));
        assertThat(set.size()).as("a set compares keys with equals()").isEqualTo(2);
    }

    @Test
    void aTupleKeyWithABoundPrefixScansOnlyItsRange() {
        var tab = table(TableOptions.tuples().type(TableType.ORDERED_SET));
        for (int user = 0; user < 50; user++) {
            for (int day = 0; day < 20; day++) tab.insert(Tuple.of(Tuple.of(user, day), user * 100 + day));
        }
        var spec = MatchSpec.<Tuple>of(Pattern.tuple(Pattern.tuple(7, var(1)), var(2))).map(m -> m.<Integer>get(2));
        assertThat(tab.select(spec)).hasSize(20).allMatch(v -> v / 100 == 7).isSorted();
        var scan = MatchSpec.<Tuple>matching(r -> ((Tuple) r.get(0)).get(0).equals(7));
        assertThat(tab.select(spec)).isEqualTo(tab.select(scan).stream().map(r -> (Integer) r.get(1)).toList());
        assertThat(tab.select(MatchSpec.<Tuple>of(Pattern.tuple(Pattern.tuple(7, 3, ANY), ANY)))).isEmpty();
    }

    @Test
    void recordRowsWithAnotherKeyPosition() {
        var tab = table(TableOptions.of(RowType.<String, User>record(User.class, 4)).type(TableType.BAG));
        tab.insert(new User("ann", 1, 1, "admin"));
        tab.insert(new User("bob", 1, 1, "admin"));
        tab.insert(new User("cid", 1, 1, "user"));
        assertThat(tab.lookup("admin")).extracting(User::name).containsExactly("ann", "bob");
        assertThat(tab.match(Pattern.record(User.class, var(1), 1, ANY, "user"))).containsExactly(List.of("cid"));
        assertThat(tab.select(MatchSpec.<User>matching(u -> u.name().startsWith("b")))).hasSize(1);
        assertThatThrownBy(() -> Pattern.record(User.class, ANY)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void recordPatternConstantsTakeTheComponentType() {
        var tab = table(TableOptions.of(RowType.<String, User>record(User.class)));
        tab.insert(new User("ann", 3, 5L, "admin"));
        assertThat(tab.matchObject(Pattern.record(User.class, ANY, 3L, 5, ANY))).hasSize(1);
    }

    @Test
    void infoReportsOptions() {
        var tab = table(TableOptions.tuples().type(TableType.ORDERED_SET).access(Access.PUBLIC)
                .readConcurrency(true).writeConcurrency(true).named("info_test"));
        for (int i = 0; i < 1000; i++) tab.insert(Tuple.of(i, "some text " + i));
        TableInfo info = tab.info();
        assertThat(info.name()).isEqualTo("info_test");
        assertThat(info.type()).isEqualTo(TableType.ORDERED_SET);
        assertThat(info.access()).isEqualTo(Access.PUBLIC);
        assertThat(info.readConcurrency()).isTrue();
        assertThat(info.writeConcurrency()).isTrue();
        assertThat(info.owner()).isNull();
        assertThat(info.size()).isEqualTo(1000);
        assertThat(info.memory()).isBetween(50_000L, 500_000L);
    }

    @Test
    void termOrderRanks() {
        TermOrder o = TermOrder.INSTANCE;
        assertThat(o.compare(1, 1.0)).isZero();
        assertThat(o.compare(0.0, -0.0)).isZero();
        assertThat(o.compare(Long.MAX_VALUE, (double) Long.MAX_VALUE)).as("exact across int and float").isLessThan(0);
        assertThat(o.compare(2, "a")).isLessThan(0);
        assertThat(o.compare("b", Tuple.of())).isLessThan(0);
        assertThat(o.compare(Tuple.of(9), Tuple.of(1, 1))).as("tuples by size first").isLessThan(0);
        assertThat(o.compare(List.of(1, 2), List.of(1, 2, 0))).isLessThan(0);
        assertThat(o.compare(Tuple.of(1), List.of())).isLessThan(0);
    }
}
