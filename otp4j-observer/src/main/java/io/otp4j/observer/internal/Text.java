package io.otp4j.observer.internal;

/** Values as text for the page: never more than a page can show, never an exception. */
final class Text {
    /** The most characters of one value (a state, a report) the observer sends. */
    static final int LIMIT = 64 * 1024;

    private Text() {
    }

    static String clip(String s) {
        if (s == null || s.length() <= LIMIT) return s;
        return s.substring(0, LIMIT) + "\n... (" + (s.length() - LIMIT) + " more characters)";
    }

    /**
     * {@code String.valueOf(value)}, clipped. A {@code toString} that throws (for instance one that
     * walks a collection its owner is changing) gives a sentence saying so, not a failure.
     */
    static String of(Object value) {
        try {
            return clip(String.valueOf(value));
        } catch (RuntimeException e) {
            return "(a " + value.getClass().getName() + " whose toString threw: " + Calls.describe(e) + ")";
        }
    }
}
