package io.otp4j.tables;

import io.otp4j.Pid;

import java.util.Objects;

/**
 * How to make an ETS table: {@code ets:new/2}'s options. Immutable; each method returns a copy.
 *
 * {@snippet :
 * EtsTable<String, Session> sessions = Ets.newTable(
 *         TableOptions.of(RowType.<String, Session>record(Session.class))
 *                 .named("sessions")
 *                 .access(Access.PUBLIC)
 *                 .readConcurrency(true));
 * }
 *
 * @param rows             what a row is and where its key is (also {@code keypos})
 * @param type             set (the default), ordered_set, bag or duplicate_bag
 * @param access           protected (the default), public or private
 * @param name             the table's name ({@code named_table}), or null
 * @param heir             the process that inherits the table when the owner dies, or null
 * @param heirData         the data sent to the heir in {@link EtsTransfer}
 * @param readConcurrency  ETS's tuning hint, kept and reported; otp4j's tables read without locks
 *                         whatever its value
 * @param writeConcurrency ETS's tuning hint, kept and reported; writes to different keys never
 *                         contend on a table lock whatever its value
 * @param <K>              the key type
 * @param <R>              the row type
 */
public record TableOptions<K, R>(RowType<K, R> rows, TableType type, Access access, String name, Pid heir,
                                 Object heirData, boolean readConcurrency, boolean writeConcurrency) {

    public TableOptions {
        Objects.requireNonNull(rows, "rows");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(access, "access");
        if (name != null && name.isEmpty()) throw new IllegalArgumentException("a table name cannot be empty");
    }

    /** A protected, unnamed set of {@code rows}. */
    public static <K, R> TableOptions<K, R> of(RowType<K, R> rows) {
        return new TableOptions<>(rows, TableType.SET, Access.PROTECTED, null, null, null, false, false);
    }

    /** A protected, unnamed set of tuples keyed on their first element. */
    public static TableOptions<Object, io.otp4j.Tuple> tuples() {
        return of(RowType.tuple());
    }

    public TableOptions<K, R> type(TableType t) {
        return new TableOptions<>(rows, t, access, name, heir, heirData, readConcurrency, writeConcurrency);
    }

    public TableOptions<K, R> access(Access a) {
        return new TableOptions<>(rows, type, a, name, heir, heirData, readConcurrency, writeConcurrency);
    }

    /** A named table: {@link Ets#whereis} finds it by {@code n}, which must be unique on the node. */
    public TableOptions<K, R> named(String n) {
        return new TableOptions<>(rows, type, access, Objects.requireNonNull(n, "name"), heir, heirData,
                readConcurrency, writeConcurrency);
    }

    /** {@code {heir, Pid, HeirData}}: {@code pid} inherits the table when the owner dies. */
    public TableOptions<K, R> heir(Pid pid, Object data) {
        return new TableOptions<>(rows, type, access, name, Objects.requireNonNull(pid, "pid"), data,
                readConcurrency, writeConcurrency);
    }

    public TableOptions<K, R> readConcurrency(boolean on) {
        return new TableOptions<>(rows, type, access, name, heir, heirData, on, writeConcurrency);
    }

    public TableOptions<K, R> writeConcurrency(boolean on) {
        return new TableOptions<>(rows, type, access, name, heir, heirData, readConcurrency, on);
    }
}
