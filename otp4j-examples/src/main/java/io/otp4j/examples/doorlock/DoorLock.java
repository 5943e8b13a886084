package io.otp4j.examples.doorlock;

import io.otp4j.behaviour.From;
import io.otp4j.behaviour.GenStatem;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The code lock of the gen_statem documentation, as a {@link GenStatem}: a door with a keypad.
 * Pressing the digits of the code opens the door; it locks again by itself after a while.
 *
 * {@snippet :
 * ServerRef<DoorLock.Msg> lock = DoorLock.start(DoorLock.Options.forCode(1, 2, 3, 4));
 * for (int digit : new int[] {1, 2, 3, 4}) DoorLock.button(lock, digit); // the door opens
 * // ... and locks again 10 seconds later
 * }
 *
 * <p>The states are the records {@link Locked} and {@link Open} of a sealed interface, in
 * {@code STATE_FUNCTIONS} mode: each state handles its own events. With state enter calls, the
 * "hardware" follows the state whichever event moved it there: entering {@code Locked} locks the
 * {@link Door}, entering {@code Open} unlocks it and starts the state time-out that locks it again.
 * <ul>
 *   <li>Locked: a button adds its digit to the last ones pressed; the right code opens. Digits
 *       pressed are forgotten when no button is pressed for a while (an event time-out).</li>
 *   <li>Open: the state time-out locks. Buttons pressed while the door is open are postponed: they
 *       count once it is locked again.</li>
 *   <li>In both states, a call asks for the length of the code.</li>
 * </ul>
 */
public final class DoorLock implements GenStatem<DoorLock.State, DoorLock.Data, DoorLock.Msg> {

    /** The lock's hardware, driven by the state enter calls. */
    public interface Door {
        void lock();

        void unlock();

        /** A door that logs what it does. */
        static Door logging() {
            System.Logger log = System.getLogger(DoorLock.class.getName());
            return new Door() {
                public void lock() {
                    log.log(System.Logger.Level.INFO, "door locked");
                }

                public void unlock() {
                    log.log(System.Logger.Level.INFO, "door unlocked");
                }
            };
        }
    }

    /**
     * How a lock is set up.
     *
     * @param code        the digits that open it
     * @param openFor     how long the door stays open
     * @param forgetAfter how long digits pressed are remembered without another press
     * @param door        the hardware
     */
    public record Options(List<Integer> code, Duration openFor, Duration forgetAfter, Door door) {
        public Options {
            code = List.copyOf(code);
            if (code.isEmpty()) throw new IllegalArgumentException("the code needs at least one digit");
            Objects.requireNonNull(openFor, "openFor");
            Objects.requireNonNull(forgetAfter, "forgetAfter");
            Objects.requireNonNull(door, "door");
        }

        /** A lock with this code, open for 10 seconds, forgetting digits after 30 seconds, logging. */
        public static Options forCode(Integer... digits) {
            return new Options(List.of(digits), Duration.ofSeconds(10), Duration.ofSeconds(30), Door.logging());
        }

        public Options openFor(Duration d) {
            return new Options(code, d, forgetAfter, door);
        }

        public Options forgetAfter(Duration d) {
            return new Options(code, openFor, d, door);
        }

        public Options door(Door d) {
            return new Options(code, openFor, forgetAfter, d);
        }
    }

    // ------------------------------------------------------------------ protocol

    /** What the lock's clients send. */
    public sealed interface Msg {
    }

    /** A button pressed (a cast). */
    public record Button(int digit) implements Msg {
    }

    /** A call: how many digits the code has. */
    public record CodeLength() implements Msg {
    }

    /**
     * The data beside the state: the options and the digits pressed since the lock was locked (at
     * most as many as the code has).
     */
    public record Data(Options options, List<Integer> pressed) {
        public Data {
            pressed = List.copyOf(pressed);
        }

        Data press(int digit) {
            List<Integer> p = new ArrayList<>(pressed);
            p.add(digit);
            int length = options.code().size();
            return new Data(options, p.subList(Math.max(0, p.size() - length), p.size()));
        }

        Data forget() {
            return new Data(options, List.of());
        }

        boolean codeEntered() {
            return pressed.equals(options.code());
        }
    }

    // ------------------------------------------------------------------ client API

    public static ServerRef<Msg> start(Options options) {
        return GenStatem.start(new DoorLock(options));
    }

    /** Starts a lock linked to the caller (under a supervisor), registered as {@code name}. */
    public static ServerRef<Msg> startLink(String name, Options options) {
        return GenStatem.startLink(new DoorLock(options), StartOptions.named(name));
    }

    public static void button(ServerRef<Msg> lock, int digit) {
        GenStatem.cast(lock, new Button(digit));
    }

    public static int codeLength(ServerRef<Msg> lock) {
        return GenStatem.call(lock, new CodeLength());
    }

    // ------------------------------------------------------------------ callbacks

    private final Options options;

    public DoorLock(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public Init<State, Data> init() {
        return new Init.Ok<>(new Locked(), new Data(options, List.of()));
    }

    @Override
    public CallbackMode callbackMode() {
        return CallbackMode.stateFunctions().withStateEnter();
    }

    // ------------------------------------------------------------------ states

    /** The lock's states: each handles its own events. */
    public sealed interface State extends StateFunction<State, Data, Msg> {
    }

    /** The door is locked; digits pressed are collected. */
    public record Locked() implements State {
        @Override
        public Result<State, Data> handle(Event<Msg> event, Data data) {
            return switch (event) {
                case Event.Enter<Msg> e -> {
                    data.options().door().lock();
                    yield Result.keep(data.forget());
                }
                case Event.Cast(Button(int digit)) -> {
                    Data now = data.press(digit);
                    yield now.codeEntered()
                            ? Result.next(new Open(), now.forget())
                            : Result.keep(now, Action.eventTimeout(data.options().forgetAfter(), "forget"));
                }
                case Event.EventTimeout<Msg> idle -> Result.keep(data.forget());
                default -> common(event, data);
            };
        }
    }

    /** The door is open, until its state time-out locks it. */
    public record Open() implements State {
        @Override
        public Result<State, Data> handle(Event<Msg> event, Data data) {
            return switch (event) {
                case Event.Enter<Msg> e -> {
                    data.options().door().unlock();
                    yield Result.keepStateAndData(Action.stateTimeout(data.options().openFor(), "lock"));
                }
                case Event.StateTimeout<Msg> lock -> Result.next(new Locked(), data);
                case Event.Cast(Button b) -> Result.keepStateAndData(Action.postpone()); // counts once locked
                default -> common(event, data);
            };
        }
    }

    /** What every state handles alike. */
    private static Result<State, Data> common(Event<Msg> event, Data data) {
        return switch (event) {
            case Event.Call(CodeLength(), From from) ->
                    Result.keepStateAndData(Action.reply(from, data.options().code().size()));
            default -> Result.keepStateAndData(); // anything else is dropped
        };
    }
}
