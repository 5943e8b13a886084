package io.otp4j.tables;

import io.otp4j.Tuple;

import java.nio.file.Path;

/**
 * The writer of the crash test, run in a JVM of its own and killed by the test: it inserts rows
 * without end, syncs every {@code every} rows and prints {@code synced N} once the rows up to N are
 * on disk, and {@code inserted N} every 250 rows between syncs. Rows are {I, "value-I"} in a set, {I rem 1000, I} in a bag.
 */
public final class DetsCrashWriter {
    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        TableType type = TableType.valueOf(args[1]);
        int every = Integer.parseInt(args[2]);
        DetsTable<Object, Tuple> t = Dets.open(DetsOptions.tuples(file).type(type).autoSave(null));
        System.out.println("opened");
        System.out.flush();
        for (long i = 1; ; i++) {
            t.insert(type == TableType.SET ? Tuple.of(i, "value-" + i) : Tuple.of(i % 1000, i));
            if (i % every == 0) {
                t.sync();
                System.out.println("synced " + i);
                System.out.flush();
            } else if (i % 250 == 0) {
                System.out.println("inserted " + i); // not synced: the test kills the writer here
                System.out.flush();
            }
        }
    }
}
