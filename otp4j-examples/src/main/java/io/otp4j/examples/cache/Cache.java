package io.otp4j.examples.cache;

import io.otp4j.Proc;
import io.otp4j.Ticker;
import io.otp4j.TimerRef;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartOptions;
import io.otp4j.tables.Access;
import io.otp4j.tables.Ets;
import io.otp4j.tables.EtsTable;
import io.otp4j.tables.MatchSpec;
import io.otp4j.tables.RowType;
import io.otp4j.tables.TableOptions;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * A cache without a bottleneck, the classic OTP pattern: a GenServer owns a named, public ETS
 * table with read_concurrency, callers read and write the table directly (no message to the
 * server), and the server's only job is to sweep expired entries on an interval timer. The table
 * lives and dies with the server: under a supervisor, a crash gives back an empty cache.
 *
 * {@snippet :
 * Cache.startLink(Cache.Options.named("info_cache").sweepEvery(Duration.ofSeconds(60)));
 * // anywhere on the node:
 * Cache.Handle cache = Cache.named("info_cache");
 * cache.put("query:elixir", answer, Duration.ofMinutes(10));
 * Optional<Object> hit = cache.fetch("query:elixir");   // read by the caller itself
 * }
 *
 * <p>An entry past its time is never returned, whether or not a sweep has removed it yet: sweeps
 * only keep memory bounded.
 */
public final class Cache implements GenServer<Cache.State, Cache.Msg> {

    /** A row of the cache table: the key first (the table's key position). */
    public record Entry(Object key, Object value, long expiresAtNanos) {
    }

    /**
     * How to start a cache.
     *
     * @param name     the table's and the server's registered name
     * @param interval time between sweeps
     * @param clock    the time entries expire by (tests give one they control)
     * @param onSweep  told how many entries each sweep removed (in the server process), or null
     */
    public record Options(String name, Duration interval, Ticker clock, LongConsumer onSweep) {
        public Options {
            Objects.requireNonNull(name, "name");
            if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be positive");
            Objects.requireNonNull(clock, "clock");
        }

        public static Options named(String name) {
            return new Options(name, Duration.ofSeconds(60), Ticker.system(), null);
        }

        public Options sweepEvery(Duration d) {
            return new Options(name, d, clock, onSweep);
        }

        public Options clock(Ticker t) {
            return new Options(name, interval, t, onSweep);
        }

        public Options onSweep(LongConsumer l) {
            return new Options(name, interval, clock, l);
        }
    }

    /** The server's messages: only its own timer's. */
    public sealed interface Msg {
    }

    /** Time to sweep. */
    record Sweep() implements Msg {
    }

    /** The server's state: its table and its timer. */
    record State(EtsTable<Object, Entry> table, TimerRef timer) {
    }

    private static final RowType<Object, Entry> ROWS = RowType.record(Entry.class);

    private final Options options;

    private Cache(Options options) {
        this.options = options;
    }

    // ------------------------------------------------------------------ client API

    /**
     * Starts the cache server, linked to the caller, and its table; returns the handle callers use.
     */
    public static Handle startLink(Options options) {
        GenServer.startLink(new Cache(options), StartOptions.named(options.name()));
        return new Handle(options.name(), options.clock());
    }

    /** The handle of the running cache {@code name}, on the system clock. */
    public static Handle named(String name) {
        return new Handle(name, Ticker.system());
    }

    /**
     * What callers use: every operation is a direct read or write of the table, in the calling
     * process; the server is never asked.
     *
     * @param name  the cache's name
     * @param clock the time entries expire by (the cache's own)
     */
    public record Handle(String name, Ticker clock) {

        /** Stores {@code value} under {@code key} for {@code ttl}. */
        public void put(Object key, Object value, Duration ttl) {
            table().insert(new Entry(key, value, clock.nanoTime() + ttl.toNanos()));
        }

        /** The value under {@code key} if it is there and not expired. */
        public Optional<Object> fetch(Object key) {
            return table().get(key)
                    .filter(e -> e.expiresAtNanos() - clock.nanoTime() > 0)
                    .map(Entry::value);
        }

        /** Removes {@code key}. */
        public void evict(Object key) {
            table().delete(key);
        }

        /** The number of entries stored, expired or not yet swept. */
        public long size() {
            return table().size();
        }

        /** The server, to supervise or stop it. */
        public ServerRef<Msg> server() {
            return ServerRef.named(name);
        }

        private EtsTable<Object, Entry> table() {
            return Ets.named(name, ROWS);
        }
    }

    // ------------------------------------------------------------------ server

    @Override
    public Init<State> init() {
        EtsTable<Object, Entry> table = Ets.newTable(TableOptions.of(ROWS)
                .named(options.name())
                .access(Access.PUBLIC)
                .readConcurrency(true)
                .writeConcurrency(true));
        return new Init.Ok<>(new State(table, schedule()));
    }

    private TimerRef schedule() {
        return Proc.sendAfter(options.interval(), Proc.self(), new Sweep());
    }

    @Override
    public CastResult<State> handleInfo(Object msg, State state) {
        if (msg instanceof Sweep) {
            long now = options.clock().nanoTime();
            long removed = state.table().selectDelete(MatchSpec.<Entry>matching(e -> e.expiresAtNanos() - now <= 0));
            if (options.onSweep() != null) options.onSweep().accept(removed);
            return new NoReply<>(new State(state.table(), schedule()));
        }
        return new NoReply<>(state);
    }
}
