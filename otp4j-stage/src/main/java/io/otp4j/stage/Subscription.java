package io.otp4j.stage;

import io.otp4j.Pid;
import io.otp4j.Ref;

import java.util.Objects;

/**
 * One subscription between a producer and a consumer, seen from one side: {@code peer} is the
 * other stage's process, {@code tag} identifies the subscription (GenStage's {@code from}, a
 * {@code {pid, ref}} pair). A consumer passes it to {@link GenStage#ask} and {@link GenStage#cancel}.
 */
public record Subscription(Pid peer, Ref tag) {
    public Subscription {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(tag, "tag");
    }
}
