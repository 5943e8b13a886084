package io.otp4j.tables;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to open a disk table: {@code dets:open_file/2}'s arguments. Immutable; each method returns a
 * copy.
 *
 * {@snippet :
 * DetsTable<String, Session> sessions = Dets.open(
 *         DetsOptions.of(RowType.<String, Session>record(Session.class), Path.of("data/sessions.dets"))
 *                 .autoSave(Duration.ofSeconds(10)));
 * }
 *
 * @param rows     what a row is and where its key is ({@code keypos})
 * @param file     the table's file ({@code {file, File}}); made with its directory if absent
 * @param name     the name the node knows the open table by (default: the file's path)
 * @param type     set (the default), bag or duplicate_bag; DETS has no ordered_set
 * @param autoSave how often the table is synced to disk by itself ({@code auto_save}, default 3
 *                 minutes as in dets); null for never ({@code infinity})
 * @param readOnly {@code {access, read}}: writes are refused
 * @param <K>      the key type
 * @param <R>      the row type
 */
public record DetsOptions<K, R>(RowType<K, R> rows, Path file, String name, TableType type, Duration autoSave,
                                boolean readOnly) {

    /** dets's default {@code auto_save}: three minutes. */
    public static final Duration DEFAULT_AUTO_SAVE = Duration.ofMinutes(3);

    public DetsOptions {
        Objects.requireNonNull(rows, "rows");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(type, "type");
        if (type == TableType.ORDERED_SET) {
            throw new IllegalArgumentException("a disk table is a set, bag or duplicate_bag; DETS has no ordered_set");
        }
        if (name == null) name = file.toString();
        if (autoSave != null && (autoSave.isNegative() || autoSave.isZero())) {
            throw new IllegalArgumentException("auto_save must be positive (or null for never), got " + autoSave);
        }
    }

    /** A read-write set of {@code rows} in {@code file}, saved every three minutes. */
    public static <K, R> DetsOptions<K, R> of(RowType<K, R> rows, Path file) {
        return new DetsOptions<>(rows, file, null, TableType.SET, DEFAULT_AUTO_SAVE, false);
    }

    /** A read-write set of tuples keyed on their first element, in {@code file}. */
    public static DetsOptions<Object, io.otp4j.Tuple> tuples(Path file) {
        return of(RowType.tuple(), file);
    }

    public DetsOptions<K, R> named(String n) {
        return new DetsOptions<>(rows, file, Objects.requireNonNull(n, "name"), type, autoSave, readOnly);
    }

    public DetsOptions<K, R> type(TableType t) {
        return new DetsOptions<>(rows, file, name, t, autoSave, readOnly);
    }

    /** {@code {auto_save, Interval}}; null for {@code infinity}. */
    public DetsOptions<K, R> autoSave(Duration every) {
        return new DetsOptions<>(rows, file, name, type, every, readOnly);
    }

    /** {@code {access, read}}. */
    public DetsOptions<K, R> readOnly(boolean on) {
        return new DetsOptions<>(rows, file, name, type, autoSave, on);
    }
}
