package io.otp4j;

/**
 * A receive pattern: looks at one message and either takes it, returning what the receive should
 * return, or leaves it in the mailbox by returning {@code null}.
 *
 * <p>Messages a matcher leaves keep their place and order for later receives, as in Erlang's
 * selective receive. Write matchers with pattern matching:
 * {@snippet :
 * String urgent = Proc.receive(m -> m instanceof Job(int priority, String text) && priority > 10 ? text : null);
 * }
 * A matcher runs inside the receiving process, may be called many times, and should do nothing but
 * look at the message: if it throws, the receiving process crashes.
 *
 * @param <R> what the receive returns when a message matches
 */
@FunctionalInterface
public interface Matcher<R> {

    /**
     * @param message a message from the mailbox, never null
     * @return the receive's result if the message is taken, or {@code null} to leave it
     */
    R match(Object message);

    /** A matcher that takes any message of type {@code type} (and its subtypes). */
    static <T> Matcher<T> type(Class<T> type) {
        return m -> type.isInstance(m) ? type.cast(m) : null;
    }
}
