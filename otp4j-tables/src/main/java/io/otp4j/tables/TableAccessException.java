package io.otp4j.tables;

/**
 * The calling process may not do this on the table: a write to a protected table, or any use of a
 * private one, by a process other than the owner (ETS's {@code badarg}). Nothing was changed.
 */
public final class TableAccessException extends IllegalStateException {
    public TableAccessException(String message) {
        super(message);
    }
}
