package io.otp4j.examples;

import io.otp4j.Proc;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartOptions;
import io.otp4j.examples.counter.CounterServer;
import io.otp4j.examples.doorlock.DoorLock;
import io.otp4j.examples.events.EventLog;
import io.otp4j.examples.infosys.InfoSys;
import io.otp4j.examples.misiva.Connection;
import io.otp4j.examples.misiva.Misiva;

import java.time.Duration;
import java.util.List;

/**
 * The demo node's users, played by one GenServer on a one-second timer, so that the Observer
 * shows numbers that move. On tick {@code n}:
 * <ul>
 *   <li>every second, it bumps the {@code counter};</li>
 *   <li>every 5 seconds, it pushes a notification through one of Misiva's connections, in turn;</li>
 *   <li>every 10 seconds, it asks the information system one of a few questions (its answers are
 *       cached for 45 seconds, so some come from the cache);</li>
 *   <li>every 20 seconds, it keys in the door lock's code: the door opens, and locks again by
 *       itself 5 seconds later.</li>
 * </ul>
 * What it did goes into the event log, where the door writes too. It catches nothing: if a
 * process it talks to is killed under it, it crashes, and {@code demo_sup} starts it again.
 */
final class Traffic implements GenServer<Integer, Traffic.Msg> {

    static final String NAME = "demo_traffic";
    private static final Duration EVERY = Duration.ofSeconds(1);
    private static final List<String> QUESTIONS = List.of("what is otp", "who wrote erlang", "why let it crash");

    /** Its only message is its own timer's. */
    sealed interface Msg {
    }

    record Tick() implements Msg {
    }

    private final InfoSys infosys;

    private Traffic(InfoSys infosys) {
        this.infosys = infosys;
    }

    /** Starts the traffic, linked to the caller, registered as {@value #NAME}; its state is the ticks so far. */
    static ServerRef<Msg> startLink(InfoSys infosys) {
        return GenServer.startLink(new Traffic(infosys), StartOptions.named(NAME));
    }

    @Override
    public Init<Integer> init() {
        Proc.sendAfter(EVERY, Proc.self(), new Tick());
        return new Init.Ok<>(0);
    }

    @Override
    public CastResult<Integer> handleInfo(Object msg, Integer ticks) throws Exception {
        if (!(msg instanceof Tick)) return GenServer.super.handleInfo(msg, ticks);
        int n = ticks + 1;
        CounterServer.inc(ServerRef.named(Demo.COUNTER));
        if (n % 5 == 0) push(Demo.CONNECTIONS.get((n / 5 - 1) % Demo.CONNECTIONS.size()), n);
        if (n % 10 == 1) ask(QUESTIONS.get(n / 10 % QUESTIONS.size()));
        if (n % 20 == 10) Demo.CODE.forEach(digit -> DoorLock.button(ServerRef.named(Demo.DOOR), digit));
        Proc.sendAfter(EVERY, Proc.self(), new Tick());
        return new NoReply<>(n);
    }

    private static void push(String connection, int n) {
        // gone if its supervisor was killed: that one came back empty
        if (Proc.whereis(connection).isEmpty()) Misiva.connect(connection);
        String outcome = switch (Misiva.push(connection, "%064x".formatted(n), "tick " + n)) {
            case Connection.Delivered d -> "delivered";
            case Connection.Rejected(String token, String why) -> "rejected: " + why;
        };
        log(connection + " pushed 'tick " + n + "': " + outcome);
    }

    private void ask(String question) {
        InfoSys.Answer answer = infosys.compute(question);
        log("infosys asked '" + question + "': " + answer.fates());
    }

    private static void log(String line) {
        EventLog.log(ServerRef.named(Demo.EVENTS), EventLog.Level.INFO, line);
    }
}
