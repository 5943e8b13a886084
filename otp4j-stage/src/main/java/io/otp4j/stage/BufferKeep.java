package io.otp4j.stage;

/** Which events a producer's full buffer keeps (GenStage's {@code :buffer_keep}). */
public enum BufferKeep {
    /** Keep the oldest events: new events that do not fit are dropped. */
    FIRST,
    /** Keep the newest events: the oldest are dropped to make room (the default). */
    LAST
}
