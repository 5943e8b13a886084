package io.otp4j.tables;

import io.otp4j.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static io.otp4j.tables.Pattern.ANY;
import static io.otp4j.tables.Pattern.var;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every table type promises, run once per type against each implementation (ETS here;
 * DETS in its subclass), following the ets and dets documentation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TableContractTest {

    /** A new empty table of {@code type} whose rows are tuples keyed on element {@code keypos}. */
    abstract Table<Object, Tuple> make(TableType type, int keypos);

    /** The types the implementation has (DETS has no ordered_set). */
    abstract java.util.stream.Stream<TableType> types();

    java.util.stream.Stream<TableType> bagTypes() {
        return types().filter(TableContractTest::isBag);
    }

    /** Releases what {@link #make} made. */
    abstract void dispose(Table<?, ?> t);

    private final List<Table<?, ?>> made = new ArrayList<>();

    Table<Object, Tuple> table(TableType type) {
        return table(type, 1);
    }

    Table<Object, Tuple> table(TableType type, int keypos) {
        Table<Object, Tuple> t = make(type, keypos);
        made.add(t);
        return t;
    }

    @AfterEach
    void disposeAll() {
        for (Table<?, ?> t : made) dispose(t);
        made.clear();
    }

    static boolean isBag(TableType t) {
        return t == TableType.BAG || t == TableType.DUPLICATE_BAG;
    }

    static Tuple t(Object... e) {
        return Tuple.of(e);
    }

    // ------------------------------------------------------------------ insert and lookup

    @ParameterizedTest
    @MethodSource("types")
    void insertThenLookup(TableType type) {
        var tab = table(type);
        tab.insert(t("a", 1));
        tab.insert(t("b", 2));
        tab.insert(t("a", 3));
        tab.insert(t("a", 3));
        switch (type) {
            case SET, ORDERED_SET -> assertThat(tab.lookup("a")).containsExactly(t("a", 3));
            case BAG -> assertThat(tab.lookup("a")).containsExactly(t("a", 1), t("a", 3));
            case DUPLICATE_BAG -> assertThat(tab.lookup("a")).containsExactly(t("a", 1), t("a", 3), t("a", 3));
        }
        assertThat(tab.lookup("b")).containsExactly(t("b", 2));
        assertThat(tab.lookup("none")).isEmpty();
        assertThat(tab.get("b")).contains(t("b", 2));
        assertThat(tab.get("none")).isEmpty();
        assertThat(tab.member("a")).isTrue();
        assertThat(tab.member("none")).isFalse();
        assertThat(tab.size()).isEqualTo(switch (type) {
            case SET, ORDERED_SET -> 2;
            case BAG -> 3;
            case DUPLICATE_BAG -> 4;
        });
    }

    @ParameterizedTest
    @MethodSource("types")
    void insertManyRows(TableType type) {
        var tab = table(type);
        tab.insert(List.of(t(1, "x"), t(2, "y"), t(3, "z")));
        assertThat(tab.size()).isEqualTo(3);
        assertThat(tab.lookup(2)).containsExactly(t(2, "y"));
        tab.insert(List.of());
        assertThat(tab.size()).isEqualTo(3);
    }

    @ParameterizedTest
    @MethodSource("types")
    void aRowWithoutItsKeyPositionIsRefusedAndChangesNothing(TableType type) {
        var tab = table(type, 2);
        tab.insert(t("v", "k"));
        assertThatThrownBy(() -> tab.insert(t("only")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tab.insert(List.of(t("w", "k2"), t("short"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(tab.member("k2")).isFalse();
        assertThat(tab.lookup("k")).containsExactly(t("v", "k"));
    }

    @ParameterizedTest
    @MethodSource("types")
    void insertNewOnlyWhenTheKeyIsAbsent(TableType type) {
        var tab = table(type);
        assertThat(tab.insertNew(t("a", 1))).isTrue();
        assertThat(tab.insertNew(t("a", 2))).isFalse();
        assertThat(tab.lookup("a")).containsExactly(t("a", 1));
        assertThat(tab.insertNew(List.of(t("b", 1), t("a", 9)))).isFalse();
        assertThat(tab.member("b")).as("nothing of a refused list is inserted").isFalse();
        assertThat(tab.insertNew(List.of(t("b", 1), t("c", 1)))).isTrue();
        assertThat(tab.lookup("b")).containsExactly(t("b", 1));
        assertThat(tab.lookup("c")).containsExactly(t("c", 1));
    }

    @ParameterizedTest
    @MethodSource("types")
    void keyposSelectsTheKeyElement(TableType type) {
        var tab = table(type, 2);
        tab.insert(t("alice", 7, "x"));
        tab.insert(t("bob", 8, "y"));
        assertThat(tab.lookup(7)).containsExactly(t("alice", 7, "x"));
        assertThat(tab.member("alice")).isFalse();
        assertThat(tab.rowType().keypos()).isEqualTo(2);
    }

    @ParameterizedTest
    @MethodSource("types")
    void lookupElement(TableType type) {
        var tab = table(type);
        tab.insert(t("a", 1, "one"));
        if (isBag(type)) {
            tab.insert(t("a", 2, "two"));
            assertThat(tab.lookupElement("a", 3)).isEqualTo(List.of("one", "two"));
        } else {
            assertThat(tab.lookupElement("a", 3)).isEqualTo("one");
        }
        assertThatThrownBy(() -> tab.lookupElement("none", 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tab.lookupElement("a", 9)).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ delete

    @ParameterizedTest
    @MethodSource("types")
    void deleteByKeyObjectAndAll(TableType type) {
        var tab = table(type);
        tab.insert(List.of(t("a", 1), t("b", 1), t("c", 1)));
        tab.delete("a");
        tab.delete("never there");
        assertThat(tab.member("a")).isFalse();
        tab.deleteObject(t("b", 2));
        assertThat(tab.member("b")).as("delete_object needs an equal row").isTrue();
        tab.deleteObject(t("b", 1));
        assertThat(tab.member("b")).isFalse();
        assertThat(tab.size()).isEqualTo(1);
        tab.deleteAllObjects();
        assertThat(tab.size()).isZero();
        assertThat(tab.first()).isEmpty();
        tab.insert(t("d", 1));
        assertThat(tab.lookup("d")).containsExactly(t("d", 1));
    }

    @ParameterizedTest
    @MethodSource("bagTypes")
    void deleteObjectInABagRemovesEveryCopyAndKeepsTheOthers(TableType type) {
        var tab = table(type);
        tab.insert(t("k", 1));
        tab.insert(t("k", 2));
        tab.insert(t("k", 1));
        tab.deleteObject(t("k", 1));
        assertThat(tab.lookup("k")).containsExactly(t("k", 2));
        assertThat(tab.size()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ counters

    @ParameterizedTest
    @MethodSource("types")
    void updateCounter(TableType type) {
        var tab = table(type);
        tab.insert(t("hits", 10));
        if (isBag(type)) {
            assertThatThrownBy(() -> tab.updateCounter("hits", 2, 1)).isInstanceOf(IllegalArgumentException.class);
            return;
        }
        assertThat(tab.updateCounter("hits", 2, 5)).isEqualTo(15);
        assertThat(tab.updateCounter("hits", 2, -20)).isEqualTo(-5);
        assertThat(tab.lookup("hits")).containsExactly(t("hits", -5));
        assertThat(tab.lookup("hits").getFirst().get(1)).as("an int stays an int while it fits").isInstanceOf(Integer.class);
        assertThatThrownBy(() -> tab.updateCounter("none", 2, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tab.updateCounter("hits", 1, 1)).isInstanceOf(IllegalArgumentException.class);
        tab.insert(t("name", "text"));
        assertThatThrownBy(() -> tab.updateCounter("name", 2, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(tab.lookup("name")).containsExactly(t("name", "text"));
        tab.insert(t("big", Integer.MAX_VALUE));
        assertThat(tab.updateCounter("big", 2, 1)).isEqualTo(Integer.MAX_VALUE + 1L);
        assertThat(tab.lookup("big").getFirst().get(1)).isEqualTo(Integer.MAX_VALUE + 1L);
        tab.insert(t("max", Long.MAX_VALUE));
        assertThatThrownBy(() -> tab.updateCounter("max", 2, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(tab.lookup("max")).containsExactly(t("max", Long.MAX_VALUE));
    }

    // ------------------------------------------------------------------ traversal

    @ParameterizedTest
    @MethodSource("types")
    void firstNextVisitsEveryKeyOnce(TableType type) {
        var tab = table(type);
        assertThat(tab.first()).isEmpty();
        for (int i = 0; i < 500; i++) tab.insert(t(i, i));
        if (isBag(type)) tab.insert(t(7, "again"));
        List<Object> seen = new ArrayList<>();
        for (Optional<Object> k = tab.first(); k.isPresent(); k = tab.next(k.get())) seen.add(k.get());
        assertThat(seen).hasSize(500).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).hasSize(500);
        if (type == TableType.ORDERED_SET) {
            assertThat(seen).isSortedAccordingTo(Comparator.comparingInt(o -> (Integer) o));
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void toListAndFolds(TableType type) {
        var tab = table(type);
        for (int i = 5; i >= 1; i--) tab.insert(t(i, i * 10));
        assertThat(tab.toList()).containsExactlyInAnyOrder(t(1, 10), t(2, 20), t(3, 30), t(4, 40), t(5, 50));
        int sum = tab.foldl(0, (acc, r) -> acc + (Integer) r.get(1));
        assertThat(sum).isEqualTo(150);
        List<Object> left = tab.foldl(new ArrayList<>(), (acc, r) -> {
            acc.add(r.get(0));
            return acc;
        });
        List<Object> right = tab.foldr(new ArrayList<>(), (acc, r) -> {
            acc.add(r.get(0));
            return acc;
        });
        if (type == TableType.ORDERED_SET) {
            assertThat(tab.toList()).containsExactly(t(1, 10), t(2, 20), t(3, 30), t(4, 40), t(5, 50));
            assertThat(left).containsExactly(1, 2, 3, 4, 5);
            assertThat(right).containsExactly(5, 4, 3, 2, 1);
        } else {
            assertThat(right).containsExactlyInAnyOrderElementsOf(left);
        }
    }

    // ------------------------------------------------------------------ match and select

    private Table<Object, Tuple> people(TableType type) {
        var tab = table(type);
        tab.insert(List.of(t("ann", 31, "admin"), t("bob", 25, "user"), t("cid", 40, "user"),
                t("dee", 40, "admin"), t("eve", 19, "guest")));
        return tab;
    }

    @ParameterizedTest
    @MethodSource("types")
    void matchBindsVariablesInOrder(TableType type) {
        var tab = people(type);
        List<List<Object>> admins = tab.match(Pattern.tuple(var(1), var(2), "admin"));
        assertThat(admins).containsExactlyInAnyOrder(List.of("ann", 31), List.of("dee", 40));
        assertThat(tab.matchObject(Pattern.tuple(ANY, 40, ANY)))
                .containsExactlyInAnyOrder(t("cid", 40, "user"), t("dee", 40, "admin"));
        assertThat(tab.matchObject(Pattern.tuple(ANY, ANY))).as("arity must match").isEmpty();
        assertThat(tab.matchObject(Pattern.any())).hasSize(5);
        assertThat(tab.matchDelete(Pattern.tuple(ANY, ANY, "user"))).isEqualTo(2);
        assertThat(tab.size()).isEqualTo(3);
    }

    @ParameterizedTest
    @MethodSource("types")
    void aRepeatedVariableMustMatchEqualValues(TableType type) {
        var tab = table(type);
        tab.insert(List.of(t(1, 1), t(2, 3), t(4, 4L)));
        assertThat(tab.match(Pattern.tuple(var(1), var(1))))
                .as("integers match by value whatever their Java type")
                .containsExactlyInAnyOrder(List.of(1), List.of(4));
    }

    @ParameterizedTest
    @MethodSource("types")
    void selectWithGuardAndResult(TableType type) {
        var tab = people(type);
        MatchSpec<Tuple, String> over30 = MatchSpec.<Tuple>of(Pattern.tuple(var(1), var(2), ANY))
                .where(m -> m.<Integer>get(2) > 30)
                .map(m -> m.get(1));
        assertThat(tab.select(over30)).containsExactlyInAnyOrder("ann", "cid", "dee");
        assertThat(tab.selectCount(over30)).isEqualTo(3);
        MatchSpec<Tuple, String> twoClauses = MatchSpec.<Tuple>of(Pattern.tuple(var(1), ANY, "guest")).map(m -> "g:" + m.get(1))
                .or(MatchSpec.<Tuple>of(Pattern.tuple(var(1), ANY, "admin")).map(m -> "a:" + m.get(1)));
        assertThat(tab.select(twoClauses)).containsExactlyInAnyOrder("g:eve", "a:ann", "a:dee");
        assertThat(tab.select(MatchSpec.<Tuple>matching(r -> r.get(2).equals("user")))).hasSize(2);
        assertThat(tab.select(MatchSpec.all())).hasSize(5);
        MatchSpec<Tuple, List<Object>> all = MatchSpec.<Tuple>of(Pattern.tuple(var(1), var(2), var(3))).map(Match::bindings);
        assertThat(tab.select(all)).contains(List.of("ann", 31, "admin"));
    }

    @ParameterizedTest
    @MethodSource("types")
    void aBoundKeyGivesWhatAScanGives(TableType type) {
        var tab = people(type);
        if (isBag(type)) tab.insert(t("bob", 26, "user"));
        var byKey = MatchSpec.<Tuple>of(Pattern.tuple("bob", var(1), ANY)).map(m -> m.get(1));
        var byScan = MatchSpec.<Tuple>of(Pattern.tuple(var(2), var(1), ANY)).where(m -> m.get(2).equals("bob")).map(m -> m.get(1));
        assertThat(tab.select(byKey)).containsExactlyInAnyOrderElementsOf(tab.select(byScan)).isNotEmpty();
        var twoKeys = MatchSpec.<Tuple>of(Pattern.tuple("bob", ANY, ANY)).or(MatchSpec.of(Pattern.tuple("eve", ANY, ANY)));
        assertThat(tab.select(twoKeys)).extracting(r -> r.get(0)).containsOnly("bob", "eve");
        assertThat(tab.select(MatchSpec.<Tuple>of(Pattern.tuple("nobody", ANY, ANY)))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("types")
    void selectInChunksSeesEveryRowOnce(TableType type) {
        var tab = table(type);
        for (int i = 0; i < 1000; i++) tab.insert(t(i, i % 3));
        MatchSpec<Tuple, Object> zeros = MatchSpec.<Tuple>of(Pattern.tuple(var(1), 0)).map(m -> m.get(1));
        List<Object> got = new ArrayList<>();
        int chunks = 0;
        for (Selection<Object> s = tab.select(zeros, 100); !s.isEnd(); s = s.next()) {
            assertThat(s.matches().size()).isLessThanOrEqualTo(100);
            got.addAll(s.matches());
            chunks++;
        }
        assertThat(got).hasSize(334).doesNotHaveDuplicates();
        assertThat(chunks).isEqualTo(4);
        assertThat(tab.select(MatchSpec.<Tuple>of(Pattern.tuple(ANY, 7)), 10).isEnd()).isTrue();
        Selection<Object> first = tab.select(zeros, 10);
        first.next();
        assertThatThrownBy(first::next).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> tab.select(zeros, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @MethodSource("types")
    void selectDeleteRemovesWhatMatchesUnlessTheResultIsFalse(TableType type) {
        var tab = people(type);
        var young = MatchSpec.<Tuple>of(Pattern.tuple(ANY, var(1), ANY)).map(m -> m.<Integer>get(1) < 30);
        assertThat(tab.selectCount(young)).isEqualTo(2);
        assertThat(tab.selectDelete(young)).isEqualTo(2);
        assertThat(tab.size()).isEqualTo(3);
        assertThat(tab.member("bob")).isFalse();
        assertThat(tab.member("ann")).isTrue();
    }

    @ParameterizedTest
    @MethodSource("types")
    void infoDescribesTheTable(TableType type) {
        var tab = people(type);
        TableInfo info = tab.info();
        assertThat(info.type()).isEqualTo(type);
        assertThat(info.size()).isEqualTo(5);
        assertThat(info.keypos()).isEqualTo(1);
        assertThat(info.memory()).isPositive();
        assertThat(info.rowClass()).isEqualTo(Tuple.class);
    }

    // ------------------------------------------------------------------ many keys

    @ParameterizedTest
    @MethodSource("types")
    void manyKeysAgreeWithAModel(TableType type) {
        var tab = table(type);
        java.util.Random rnd = new java.util.Random(42);
        java.util.Map<Integer, List<Tuple>> model = new java.util.HashMap<>();
        for (int i = 0; i < 5000; i++) {
            int k = rnd.nextInt(300);
            Tuple row = t(k, rnd.nextInt(3));
            switch (rnd.nextInt(4)) {
                case 0, 1 -> {
                    tab.insert(row);
                    List<Tuple> rowsOfK = model.computeIfAbsent(k, x -> new ArrayList<>());
                    switch (type) {
                        case SET, ORDERED_SET -> {
                            rowsOfK.clear();
                            rowsOfK.add(row);
                        }
                        case BAG -> {
                            if (!rowsOfK.contains(row)) rowsOfK.add(row);
                        }
                        case DUPLICATE_BAG -> rowsOfK.add(row);
                    }
                }
                case 2 -> {
                    tab.delete(k);
                    model.remove(k);
                }
                default -> {
                    tab.deleteObject(row);
                    List<Tuple> rowsOfK = model.get(k);
                    if (rowsOfK != null) {
                        rowsOfK.removeIf(row::equals);
                        if (rowsOfK.isEmpty()) model.remove(k);
                    }
                }
            }
        }
        long n = model.values().stream().mapToLong(List::size).sum();
        assertThat(tab.size()).isEqualTo(n);
        for (int k = 0; k < 300; k++) {
            assertThat(tab.lookup(k)).as("key %d", k).containsExactlyElementsOf(model.getOrDefault(k, List.of()));
        }
        Set<Object> keys = new HashSet<>();
        for (Optional<Object> k = tab.first(); k.isPresent(); k = tab.next(k.get())) assertThat(keys.add(k.get())).isTrue();
        assertThat(keys).isEqualTo(model.keySet());
    }
}
