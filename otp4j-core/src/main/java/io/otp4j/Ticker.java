package io.otp4j;

/**
 * A source of monotonic time in nanoseconds: what a node measures restart windows with. Tests
 * give a node a ticker they control ({@link Node.Options#withTicker}) to cross a window boundary
 * without waiting for it.
 */
@FunctionalInterface
public interface Ticker {
    long nanoTime();

    /** {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
