package io.otp4j.tables;

/** The table was deleted (or closed), or no table has that name (ETS's {@code badarg}). */
public final class NoSuchTableException extends IllegalStateException {
    public NoSuchTableException(String message) {
        super(message);
    }
}
