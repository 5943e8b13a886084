package io.otp4j.tables;

import io.otp4j.internal.NodeRuntime;
import org.h2.mvstore.MVStoreTool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * DETS: tables on disk with the API of ETS ({@code dets} in Erlang), for set, bag and
 * duplicate_bag. Each table is one file of H2's MVStore (ADR 0009): no 2 GB limit, and no repair
 * pass after a crash.
 *
 * {@snippet :
 * DetsTable<Object, Tuple> t = Dets.open(DetsOptions.tuples(Path.of("data/counts.dets")));
 * t.insert(Tuple.of("visits", 0));
 * t.updateCounter("visits", 2, 1);
 * t.sync();                        // on disk when this returns
 * t.close();
 * }
 *
 * <p>As in dets, a table is opened by name on its node: a second {@link #open} of an open name by
 * another process returns the same table and makes that process a user too; the table is closed when
 * every process that opened it has closed it or died. Any process may read and write an open table.
 * Rows and keys may hold numbers, strings, booleans, characters, byte arrays, {@code Tuple}s, lists,
 * sets, maps, records, enums, pids, references, UUIDs and {@code java.time} values; records and enums
 * are stored by class name (a record's components must stay the same for the file to be read again).
 * Anything else is refused when written.
 */
public final class Dets {
    private Dets() {
    }

    /** {@code dets:open_file/2}: opens (creating if need be) the table and makes the caller a user. */
    public static <K, R> DetsTable<K, R> open(DetsOptions<K, R> options) {
        return DetsRegistry.of(NodeRuntime.current()).open(options);
    }

    /** The open table {@code name} of the caller's node, if any. */
    public static Optional<DetsTable<?, ?>> whereis(String name) {
        DiskTable<?, ?> t = DetsRegistry.of(NodeRuntime.current()).named(name);
        return t != null && t.isOpen() ? Optional.of(t) : Optional.empty();
    }

    /** {@code dets:all/0}: the open tables of the caller's node. */
    public static List<DetsTable<?, ?>> all() {
        return DetsRegistry.of(NodeRuntime.current()).all();
    }

    /**
     * Rewrites a closed table's file without its free space. Random writes leave free space that the
     * store reuses but never gives back (ADR 0009); this gives it back. Never needed for correctness.
     *
     * @throws IllegalStateException if the file is open
     */
    public static void compact(Path file) {
        if (!Files.exists(file)) throw new IllegalArgumentException(file + " does not exist");
        for (DetsTable<?, ?> t : all()) {
            if (t.file().toAbsolutePath().equals(file.toAbsolutePath())) {
                throw new IllegalStateException(file + " is open as disk table '" + t.name() + "'; close it first");
            }
        }
        try {
            MVStoreTool.compact(file.toAbsolutePath().toString(), false);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot compact " + file + ": " + e.getMessage(), e);
        }
    }
}
