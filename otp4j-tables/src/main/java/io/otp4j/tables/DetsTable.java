package io.otp4j.tables;

import java.nio.file.Path;

/**
 * A disk table: rows in a file, shared by the processes of a node, opened by
 * {@link Dets#open}. The same API as ETS ({@link Table}), plus what a file needs: {@link #sync()},
 * {@link #close()}.
 *
 * <p>Durability: when {@link #sync()} returns, every write made before it is on disk and survives a
 * crash of the JVM ({@code kill -9}) or of the machine (as far as the disk honours {@code fsync}).
 * Writes after the last sync may or may not survive; the table is saved by itself every
 * {@link DetsOptions#autoSave} and on {@link #close()}. A table that was not closed opens again at
 * once, without dets's repair pass (ADR 0009).
 *
 * <p>Rows are stored as bytes (see {@link Dets} for what they may hold) and read back as equal
 * objects, not the same ones.
 *
 * @param <K> the key type
 * @param <R> the row type
 */
public interface DetsTable<K, R> extends Table<K, R> {

    /** {@code dets:sync/1}: writes everything to disk and waits until it is there. */
    void sync();

    /**
     * {@code dets:close/1}: the calling process stops using the table; when every process that
     * opened it has closed it (or died), it is saved and its file closed.
     */
    void close();

    /** Whether the table is open. */
    boolean isOpen();

    /** The table's file. */
    Path file();

    /** The options it was opened with. */
    DetsOptions<K, R> options();
}
