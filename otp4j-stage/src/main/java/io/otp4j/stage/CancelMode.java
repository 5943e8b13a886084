package io.otp4j.stage;

/** What a consumer does when one of its subscriptions ends (GenStage's {@code :cancel} option). */
public enum CancelMode {
    /** The consumer exits with the same reason, whatever it is (the default). */
    PERMANENT,
    /** The consumer exits unless the reason is {@code normal}, {@code shutdown} or {@code {shutdown, _}}. */
    TRANSIENT,
    /** The consumer never exits because of it; {@code handleCancel} is told. */
    TEMPORARY
}
