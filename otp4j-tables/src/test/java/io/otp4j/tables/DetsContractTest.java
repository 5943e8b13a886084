package io.otp4j.tables;

import io.otp4j.Tuple;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/** The table contract on DETS tables: each test's tables in files of a fresh directory, closed afterwards. */
class DetsContractTest extends TableContractTest {
    @TempDir
    Path dir;

    private final AtomicInteger seq = new AtomicInteger();

    @Override
    Table<Object, Tuple> make(TableType type, int keypos) {
        return Dets.open(DetsOptions.of(RowType.tuple(keypos), dir.resolve("t" + seq.incrementAndGet() + ".dets"))
                .type(type).autoSave(null));
    }

    @Override
    Stream<TableType> types() {
        return Stream.of(TableType.SET, TableType.BAG, TableType.DUPLICATE_BAG);
    }

    @Override
    void dispose(Table<?, ?> t) {
        ((DetsTable<?, ?>) t).close();
    }
}
