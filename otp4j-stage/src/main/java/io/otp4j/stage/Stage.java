package io.otp4j.stage;

import io.otp4j.ExitReason;
import io.otp4j.behaviour.From;
import io.otp4j.stage.internal.StageServer;

import java.util.List;
import java.util.Objects;

/**
 * What every stage has in common: the callbacks of a {@link Producer}, a {@link ProducerConsumer}
 * and a {@link Consumer} besides their event callbacks, and the results they return. A stage is a
 * process (a {@code GenServer} underneath) and answers calls, casts and other messages like one;
 * the events a callback returns are dispatched to its consumers as they ask for them.
 *
 * <p>The result types are nested here so that a stage's code names them unqualified:
 * {@code return new NoReply<>(events, state);}.
 *
 * @param <S> the stage's state
 * @param <O> the events it emits ({@link Void} for a consumer, which emits none)
 */
public sealed interface Stage<S, O> permits Producer, ProducerConsumer, Consumer {

    /**
     * Makes the initial state and the stage's options; runs in the new process before
     * {@code start} returns. A consumer subscribes here through {@link StageOptions#subscribeTo}.
     */
    Init<S> init() throws Exception;

    /**
     * Handles a {@link GenStage#call}. The default crashes the stage with a reason that names the
     * request.
     */
    default CallResult<S, O> handleCall(Object request, From from, S state) throws Exception {
        throw new IllegalStateException("no handleCall in " + getClass().getName() + " for " + request);
    }

    /** Handles a {@link GenStage#cast}. The default crashes the stage with a reason that names it. */
    default Result<S, O> handleCast(Object msg, S state) throws Exception {
        throw new IllegalStateException("no handleCast in " + getClass().getName() + " for " + msg);
    }

    /** Handles any other message. The default logs the first of each type and drops it. */
    default Result<S, O> handleInfo(Object msg, S state) throws Exception {
        StageServer.unexpected(this, msg);
        return new NoReply<>(state);
    }

    /**
     * A subscription is being made: in a producer, {@code peer} is {@link Peer#CONSUMER} and
     * {@code subscription} names the consumer; in a consumer, {@code peer} is
     * {@link Peer#PRODUCER}. The default, {@link Automatic}, lets the consumer ask for demand by
     * itself; {@link Manual} leaves asking to the code, through {@link GenStage#ask}.
     */
    default SubscribeResult<S> handleSubscribe(Peer peer, SubscribeOptions options, Subscription subscription,
                                               S state) throws Exception {
        return new Automatic<>(state);
    }

    /**
     * A subscription has ended: {@code cancellation} says whether it was cancelled or its peer
     * went down, and why. Whether a consumer then exits depends on the subscription's
     * {@link CancelMode}; this runs first either way.
     */
    default Result<S, O> handleCancel(Cancellation cancellation, Subscription subscription, S state)
            throws Exception {
        return new NoReply<>(state);
    }

    /** Called when the stage stops, as {@code GenServer.terminate}. */
    default void terminate(ExitReason reason, S state) throws Exception {
    }

    /** What crash reports show of the state. */
    default Object formatStatus(S state) {
        return state;
    }

    // ------------------------------------------------------------------ results

    /** Which side of a subscription the other stage is. */
    enum Peer {
        /** The other stage produces: this one is the consumer. */
        PRODUCER,
        /** The other stage consumes: this one is the producer. */
        CONSUMER
    }

    /** Why a subscription ended: cancelled by either side, or the peer went down. */
    record Cancellation(Kind kind, ExitReason reason) {
        public enum Kind {
            /** {@link GenStage#cancel} by either side (Elixir's {@code {:cancel, reason}}). */
            CANCEL,
            /** The peer process exited ({@code {:down, reason}}). */
            DOWN
        }

        public Cancellation {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** What {@code init} returns. */
    sealed interface Init<S> {
        /** Started with {@code state} and {@code options}. */
        record Ok<S>(S state, StageOptions options) implements Init<S> {
            public Ok(S state) {
                this(state, StageOptions.DEFAULT);
            }

            public Ok {
                Objects.requireNonNull(options, "options");
            }
        }

        /** Not started, and that is fine. */
        record Ignore<S>() implements Init<S> {
        }

        /** Not started: the stage exits with {@code reason}. */
        record Stop<S>(ExitReason reason) implements Init<S> {
        }
    }

    /** What the event and info callbacks return. */
    sealed interface Result<S, O> permits NoReply, Stop {
    }

    /** What {@link #handleCall} returns. */
    sealed interface CallResult<S, O> permits Reply, NoReply, Stop {
    }

    /** What {@link #handleSubscribe} returns. */
    sealed interface SubscribeResult<S> permits Automatic, Manual, Stop {
    }

    /** Demand is asked for by the stage itself: {@code max_demand}, then more as events are handled. */
    record Automatic<S>(S state) implements SubscribeResult<S> {
    }

    /** Demand is asked for by the code, with {@link GenStage#ask}. */
    record Manual<S>(S state) implements SubscribeResult<S> {
    }

    /**
     * Go on with {@code state}, dispatching {@code events} to the consumers (a producer buffers
     * what is not yet asked for). A consumer's events are always empty.
     */
    record NoReply<S, O>(List<O> events, S state, boolean hibernate) implements Result<S, O>, CallResult<S, O> {
        public NoReply(S state) {
            this(List.of(), state, false);
        }

        public NoReply(List<O> events, S state) {
            this(events, state, false);
        }

        public NoReply {
            Objects.requireNonNull(events, "events");
        }
    }

    /** Reply to the caller, dispatch {@code events}, go on with {@code state}. */
    record Reply<S, O>(Object reply, List<O> events, S state, boolean hibernate) implements CallResult<S, O> {
        public Reply(Object reply, S state) {
            this(reply, List.of(), state, false);
        }

        public Reply(Object reply, List<O> events, S state) {
            this(reply, events, state, false);
        }

        public Reply {
            Objects.requireNonNull(events, "events");
        }
    }

    /** Stop with {@code reason} ({@code terminate} runs); from a call, a non-null {@code reply} goes first. */
    record Stop<S, O>(ExitReason reason, S state, Object reply)
            implements Result<S, O>, CallResult<S, O>, SubscribeResult<S> {
        public Stop(ExitReason reason, S state) {
            this(reason, state, null);
        }

        public Stop {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
