package io.otp4j.examples.infosys;

import io.otp4j.Proc;

import java.time.Duration;
import java.util.List;

/**
 * A source of answers for the {@link InfoSys}: the contract every backend keeps (Phoenix's
 * {@code InfoSys.Backend} behaviour). A backend is plain synchronous code: it is called in a task
 * process of its own, so it may be slow, block, or throw, and the information system decides what
 * to do about it, not the backend.
 */
public interface Backend {

    /** The backend's name, which also keys its answers in the cache. */
    String name();

    /** At most {@code limit} results for {@code query}, best first. */
    List<Result> compute(String query, int limit) throws Exception;

    /**
     * A backend that pretends: it takes {@code latency} (the network and its own work), then
     * answers with one result of score {@code score}.
     */
    record Simulated(String name, Duration latency, int score) implements Backend {
        @Override
        public List<Result> compute(String query, int limit) {
            Proc.sleep(latency);
            return List.of(new Result(name, name + " on \"" + query + "\"", score));
        }
    }

    /** A backend that is down: after {@code latency} it throws, as a failed HTTP request would. */
    record Crashing(String name, Duration latency) implements Backend {
        @Override
        public List<Result> compute(String query, int limit) {
            Proc.sleep(latency);
            throw new IllegalStateException(name + " is down: connection refused");
        }
    }
}
