/**
 * otp4j tables: ETS (shared in-memory tables owned by a process) and DETS (tables on disk), with
 * Erlang's table types, access rules, ownership and match specifications.
 */
module io.otp4j.tables {
    requires transitive io.otp4j.core;
    requires com.h2database.mvstore;

    exports io.otp4j.tables;
}
