package io.otp4j.tables;

import io.otp4j.Pid;

/**
 * What {@code ets:info/1} and {@code dets:info/1} tell about a table, as one snapshot.
 *
 * @param name             the table's name, or null for an unnamed ETS table
 * @param id               a number unique among this JVM's tables
 * @param node             the node the table lives on
 * @param type             its type
 * @param access           who may use it (DETS tables are public)
 * @param owner            the owning process (for DETS, the process that opened it first; null when
 *                         made outside any process)
 * @param heir             the heir, or null
 * @param keypos           the key position (1-based)
 * @param size             the number of rows
 * @param memory           bytes used: for ETS an estimate of the heap the table holds (rows sampled),
 *                         for DETS the size of the file
 * @param readConcurrency  the option as given
 * @param writeConcurrency the option as given
 * @param rowClass         the class of the rows
 */
public record TableInfo(String name, long id, String node, TableType type, Access access, Pid owner, Pid heir,
                        int keypos, long size, long memory, boolean readConcurrency, boolean writeConcurrency,
                        Class<?> rowClass) {
}
