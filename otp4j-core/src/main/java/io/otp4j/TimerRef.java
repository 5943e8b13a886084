package io.otp4j;

/**
 * A timer started by {@link Proc#sendAfter}: cancel it with {@link Proc#cancelTimer}, read the time
 * left with {@link Proc#readTimer}. Prints as the reference that names it.
 */
public interface TimerRef {
    /** The reference naming this timer. */
    Ref ref();
}
