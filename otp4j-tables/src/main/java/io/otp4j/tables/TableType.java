package io.otp4j.tables;

/** ETS's table types. */
public enum TableType {
    /** One row per key, kept in a hash table: O(1) access, traversal in no particular order. */
    SET,
    /** One row per key, kept sorted by key in Erlang term order: O(log n) access, ordered traversal. */
    ORDERED_SET,
    /** Many rows per key, no two equal rows. */
    BAG,
    /** Many rows per key, equal rows allowed. */
    DUPLICATE_BAG
}
