package io.otp4j.stage.internal;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Ref;
import io.otp4j.stage.DemandMode;
import io.otp4j.stage.SubscribeOptions;

import java.util.List;

/**
 * The messages stages exchange (GenStage's {@code $gen_producer} and {@code $gen_consumer}
 * messages) and the requests the client functions send. Their shape is internal.
 */
public final class StageMessages {
    private StageMessages() {
    }

    // ------------------------------------------------------------------ to a producer

    /** A consumer subscribes; {@code cancel} (may be null) is a subscription to cancel first. */
    public record Subscribe(Pid consumer, Ref ref, Ref cancel, ExitReason cancelReason, SubscribeOptions options) {
    }

    /** A consumer asks for {@code count} more events. */
    public record Ask(Pid consumer, Ref ref, long count) {
    }

    /** A consumer cancels its subscription. */
    public record Cancel(Pid consumer, Ref ref, ExitReason reason) {
    }

    // ------------------------------------------------------------------ to a consumer

    /** Events for a subscription. */
    public record Events(Pid producer, Ref ref, List<Object> events) {
    }

    /** The producer ended the subscription. */
    public record Cancelled(Pid producer, Ref ref, ExitReason reason) {
    }

    // ------------------------------------------------------------------ requests from the client functions

    /** sync_subscribe / sync_resubscribe (a call): the reply is the tag, or a {@link Refused}. */
    public record SubscribeRequest(Ref cancel, ExitReason cancelReason, SubscribeOptions options) {
    }

    /** Why a subscription request was refused. */
    public record Refused(String why) {
    }

    /** demand/1 (a call). */
    public record GetDemand() {
    }

    /** demand/2 (a cast). */
    public record SetDemand(DemandMode mode) {
    }

    /** estimate_buffered_count (a call). */
    public record BufferedCount() {
    }

    /** sync_info (a call) and async_info (a cast). */
    public record Info(Object msg) {
    }
}
