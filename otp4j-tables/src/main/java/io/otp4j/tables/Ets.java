package io.otp4j.tables;

import io.otp4j.Tuple;
import io.otp4j.internal.NodeRuntime;

import java.util.List;
import java.util.Optional;

/**
 * ETS: tables of rows in memory, shared by the processes of a node ({@code ets} in Erlang).
 *
 * {@snippet :
 * // in a process: a set of {word, count} tuples, public so that any process may count
 * EtsTable<Object, Tuple> words = Ets.newTable(TableOptions.tuples().named("words").access(Access.PUBLIC));
 * long n = words.updateCounter("otp", 2, 1, Tuple.of("otp", 0));   // ets:update_counter/4
 * // elsewhere: find it by name
 * EtsTable<Object, Tuple> same = Ets.named("words", RowType.tuple());
 * }
 *
 * <p>A table belongs to the node of the process that makes it and is owned by that process: it is
 * deleted when the owner dies, unless an heir takes it ({@link TableOptions#heir},
 * {@link EtsTable#giveAway}). A table made outside any process (by {@code main}, a test) has no
 * owner: it lives until {@link EtsTable#delete()} or until its node stops, and threads outside any
 * process count as its owner for the access rules.
 */
public final class Ets {
    private Ets() {
    }

    /** {@code ets:new/2}: a new table owned by the calling process, on its node. */
    public static <K, R> EtsTable<K, R> newTable(TableOptions<K, R> options) {
        NodeRuntime node = NodeRuntime.current();
        AbstractEtsTable<K, R> t = switch (options.type()) {
            case SET -> new SetTable<>(options, node);
            case ORDERED_SET -> new OrderedSetTable<>(options, node);
            case BAG, DUPLICATE_BAG -> new BagTable<>(options, node);
        };
        t.open();
        return t;
    }

    /** A new protected set of tuples keyed on their first element. */
    public static EtsTable<Object, Tuple> newTable() {
        return newTable(TableOptions.tuples());
    }

    /** The named table {@code name} of the caller's node, if there is one. */
    public static Optional<EtsTable<?, ?>> whereis(String name) {
        return Optional.ofNullable(TableRegistry.of(NodeRuntime.current()).named(name));
    }

    /**
     * The named table {@code name}, typed by the row type it was made with.
     *
     * @throws NoSuchTableException     if no table has that name
     * @throws IllegalArgumentException if its rows are not {@code rows}
     */
    @SuppressWarnings("unchecked")
    public static <K, R> EtsTable<K, R> named(String name, RowType<K, R> rows) {
        AbstractEtsTable<?, ?> t = TableRegistry.of(NodeRuntime.current()).named(name);
        if (t == null) throw new NoSuchTableException("no table named '" + name + "'");
        RowType<?, ?> have = t.rowType();
        if (have.rowClass() != rows.rowClass() || have.keypos() != rows.keypos()) {
            throw new IllegalArgumentException("table '" + name + "' holds " + have + ", not " + rows);
        }
        return (EtsTable<K, R>) t;
    }

    /** {@code ets:all/0}: every live table of the caller's node. */
    public static List<EtsTable<?, ?>> all() {
        return TableRegistry.of(NodeRuntime.current()).all();
    }
}
