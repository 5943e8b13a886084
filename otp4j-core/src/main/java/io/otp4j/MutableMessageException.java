package io.otp4j;

/**
 * A message was rejected by the message checking mode ({@link Node.Options#checkMessages}) because
 * part of it is visibly mutable. The message says which part and what to send instead.
 */
public final class MutableMessageException extends IllegalArgumentException {
    public MutableMessageException(String message) {
        super(message);
    }
}
