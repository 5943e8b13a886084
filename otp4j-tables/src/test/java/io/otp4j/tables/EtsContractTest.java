package io.otp4j.tables;

import io.otp4j.Tuple;

/** The table contract on ETS tables (made outside any process: no owner, deleted after each test). */
class EtsContractTest extends TableContractTest {

    @Override
    Table<Object, Tuple> make(TableType type, int keypos) {
        return Ets.newTable(TableOptions.of(RowType.tuple(keypos)).type(type));
    }

    @Override
    java.util.stream.Stream<TableType> types() {
        return java.util.stream.Stream.of(TableType.values());
    }

    @Override
    void dispose(Table<?, ?> t) {
        ((EtsTable<?, ?>) t).delete();
    }
}
