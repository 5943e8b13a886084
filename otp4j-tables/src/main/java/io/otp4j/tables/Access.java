package io.otp4j.tables;

/** Who may use a table: enforced against the calling process on every operation. */
public enum Access {
    /** Every process reads and writes. */
    PUBLIC,
    /** The owner reads and writes; other processes read. The default. */
    PROTECTED,
    /** Only the owner reads and writes. */
    PRIVATE
}
