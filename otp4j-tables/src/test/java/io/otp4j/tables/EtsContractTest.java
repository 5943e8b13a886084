package io.otp4j.tables;

import io.otp4j.Tuple;

/** The table contract on ETS tables (made outside any process: no owner, deleted after each test). */
class EtsContractTest extends TableContractTest {

    @Override
    Table<Object, Tuple> make(TableType type, int keypos) {
        return Ets.newTable(TableOptions.of(RowType.tuple(keypos)).type(type));
    }

    @Override
    boolean supports(TableType type) {
        return true;
    }

    @Override
    void dispose(Table<?, ?> t) {
        ((EtsTable<?, ?>) t).delete();
    }
}
