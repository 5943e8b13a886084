package io.otp4j.dist.term;

/**
 * Bytes that are not a well-formed term in the external term format, or that break a limit of the
 * decoder ({@link DecodeOptions}): the message says what was wrong and where.
 *
 * <p>Decoding reports every malformed input with this exception and no other: it checks each
 * length against the bytes that remain before it allocates anything.
 */
public class DecodeException extends RuntimeException {
    private final long offset;

    /**
     * @param offset  where in the input the problem was found, or -1 if nowhere in particular
     * @param message what was wrong
     */
    public DecodeException(long offset, String message) {
        super(offset >= 0 ? "at byte " + offset + ": " + message : message);
        this.offset = offset;
    }

    public DecodeException(long offset, String message, Throwable cause) {
        super(offset >= 0 ? "at byte " + offset + ": " + message : message, cause);
        this.offset = offset;
    }

    /** Where in the input the problem was found (from its first byte), or -1 if nowhere in particular. */
    public long offset() {
        return offset;
    }
}
