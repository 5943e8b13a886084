package io.otp4j.dist.internal.etf;

import java.util.Objects;

/**
 * A message between connected nodes: the control message (a tuple whose first element says what
 * it is: {@code SEND}, {@code LINK}, {@code MONITOR_P}, ...) and, for those that have one, the
 * payload (the message sent, or an exit reason).
 *
 * @param control the control message
 * @param payload the payload, or null if the control message has none
 */
public record DistMessage(Object control, Object payload) {
    public DistMessage {
        Objects.requireNonNull(control, "control");
    }

    public boolean hasPayload() {
        return payload != null;
    }
}
