package io.otp4j.examples.infosys;

import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.behaviour.ChildSpec;
import io.otp4j.behaviour.DynamicSupervisor;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartOptions;
import io.otp4j.behaviour.Supervisor;
import io.otp4j.behaviour.Task;
import io.otp4j.behaviour.TaskSupervisor;
import io.otp4j.examples.cache.Cache;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An information system (Programming Phoenix, chapter 12): a query goes to several backends at
 * once, and the caller takes the best answers that arrive within a time limit.
 *
 * <pre>
 *   infosys_sup (one_for_one)
 *   ├── infosys_cache    Cache: a GenServer owning an ETS table, sweeping it on a timer
 *   └── infosys_tasks    TaskSupervisor: one temporary child per backend query
 * </pre>
 *
 * {@snippet :
 * InfoSys infosys = InfoSys.startLink(InfoSys.Options.of(wolfram, wikipedia));
 * InfoSys.Answer a = infosys.compute("what is otp");   // in a process: the tasks' owner
 * a.results();                                          // best first
 * }
 *
 * <p>What {@link #compute} does, and which OTP idea each step is:
 * <ol>
 *   <li>Each backend's answer to this query may be in the cache: a direct read of the table by
 *       the caller, no message to anyone.</li>
 *   <li>The other backends run concurrently, one task each, started with
 *       {@link TaskSupervisor#asyncNolink}: the tasks are children of {@code infosys_tasks} (so
 *       they show in the supervision tree and stop with it), monitored by the caller but not
 *       linked to it. A backend that crashes ends its own task; the caller sees an
 *       {@link Task.Outcome.Exited} and carries on.</li>
 *   <li>{@link Task#yieldMany} takes what arrives within the time limit, counted once for all
 *       the tasks, and shuts down those still running (a brutal kill, what Elixir code writes as
 *       {@code res || Task.shutdown(task, :brutal_kill)}). A late backend costs the caller the
 *       time limit, never more, and leaves no process behind.</li>
 *   <li>Fresh answers go into the cache for {@code ttl}. The cache's server removes expired
 *       entries on an interval timer, so memory stays bounded.</li>
 * </ol>
 * None of this is in the backends: each is synchronous code that may be slow or throw. Time
 * limits, isolation and caching were added around them without changing them.
 */
public final class InfoSys {

    /** The supervisor's name. */
    public static final String SUPERVISOR = "infosys_sup";
    /** The task supervisor's name. */
    public static final String TASKS = "infosys_tasks";

    /**
     * How the information system runs.
     *
     * @param backends the backends asked when {@link #compute(String)} names none
     * @param timeout  how long a query waits for its backends, all together
     * @param limit    how many results a query gives at most
     * @param ttl      how long an answer stays in the cache
     * @param cache    the cache's name, sweep interval and clock
     */
    public record Options(List<Backend> backends, Duration timeout, int limit, Duration ttl, Cache.Options cache) {
        public Options {
            backends = List.copyOf(backends);
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(ttl, "ttl");
            Objects.requireNonNull(cache, "cache");
            if (limit < 1) throw new IllegalArgumentException("limit must be at least 1");
        }

        /** These backends, 10 s to answer, 10 results, answers cached for 10 minutes and swept every minute. */
        public static Options of(Backend... backends) {
            return new Options(List.of(backends), Duration.ofSeconds(10), 10, Duration.ofMinutes(10),
                    Cache.Options.named("infosys_cache"));
        }

        public Options timeout(Duration d) {
            return new Options(backends, d, limit, ttl, cache);
        }

        public Options limit(int n) {
            return new Options(backends, timeout, n, ttl, cache);
        }

        public Options ttl(Duration d) {
            return new Options(backends, timeout, limit, d, cache);
        }

        public Options cache(Cache.Options c) {
            return new Options(backends, timeout, limit, ttl, c);
        }
    }

    /** What became of a backend's part in a query. */
    public enum Fate {
        /** Its answer was in the cache: it was not asked. */
        CACHED,
        /** It answered in time. */
        ANSWERED,
        /** Its task exited before answering (the backend threw). */
        CRASHED,
        /** It did not answer in time: its task was shut down. */
        LATE
    }

    /**
     * A query's answer.
     *
     * @param results the best results, best first
     * @param fates   what became of each backend, in the order they were given
     */
    public record Answer(List<Result> results, Map<String, Fate> fates) {
        public Answer {
            results = List.copyOf(results);
            fates = Collections.unmodifiableMap(new LinkedHashMap<>(fates));
        }
    }

    /** The cache's key: a backend's answer to a query. */
    record Key(String backend, String query) {
    }

    private final Options options;
    private final ServerRef<?> supervisor;
    private final Cache.Handle cache;

    private InfoSys(Options options, ServerRef<?> supervisor, Cache.Handle cache) {
        this.options = options;
        this.supervisor = supervisor;
        this.cache = cache;
    }

    /** Starts the cache and the task supervisor under {@code infosys_sup}, linked to the caller. */
    public static InfoSys startLink(Options options) {
        ServerRef<?> sup = Supervisor.startLink(Supervisor.Flags.oneForOne(), List.of(
                ChildSpec.worker("cache", () -> Cache.startLink(options.cache()).server()),
                ChildSpec.supervisor("tasks", () -> TaskSupervisor.startLink(DynamicSupervisor.Options.DEFAULT,
                        StartOptions.named(TASKS)))), StartOptions.named(SUPERVISOR));
        return new InfoSys(options, sup, new Cache.Handle(options.cache().name(), options.cache().clock()));
    }

    /**
     * The information system that {@link #startLink} started with {@code options}, for processes
     * other than the one that started it (when an application's start callback started it, say).
     */
    public static InfoSys running(Options options) {
        return new InfoSys(options, ServerRef.named(SUPERVISOR),
                new Cache.Handle(options.cache().name(), options.cache().clock()));
    }

    /** Stops the supervision tree: running tasks are killed, the cache's table goes with its server. */
    public void stop() {
        Supervisor.stop(supervisor);
    }

    /** The supervisor, to watch it or to stop it. */
    public ServerRef<?> supervisor() {
        return supervisor;
    }

    /** Asks the default backends. Must run in a process: it owns the tasks. */
    public Answer compute(String query) {
        return compute(query, options.backends());
    }

    /** Asks {@code backends} about {@code query}, within the time limit. Must run in a process. */
    public Answer compute(String query, List<Backend> backends) {
        Map<String, Fate> fates = new LinkedHashMap<>();
        List<Result> results = new ArrayList<>();

        // 1. answers already in the cache
        List<Backend> ask = new ArrayList<>();
        for (Backend b : backends) {
            Optional<Object> hit = cache.fetch(new Key(b.name(), query));
            if (hit.isPresent()) {
                fates.put(b.name(), Fate.CACHED);
                results.addAll(resultsIn(hit.get()));
            } else {
                fates.put(b.name(), Fate.ANSWERED); // until we know better
                ask.add(b);
            }
        }

        // 2. the others, concurrently, supervised, not linked to us
        ServerRef<?> tasks = ServerRef.named(TASKS);
        List<Task<List<Result>>> running = ask.stream()
                .map(b -> TaskSupervisor.asyncNolink(tasks, () -> b.compute(query, options.limit())))
                .toList();

        // 3. what arrives in time; the late ones are shut down by yieldMany
        List<Optional<Task.Outcome<List<Result>>>> outcomes = Task.yieldMany(running, options.timeout());
        for (int i = 0; i < ask.size(); i++) {
            Backend b = ask.get(i);
            switch (outcomes.get(i).orElse(null)) {
                case Task.Outcome.Ok<List<Result>>(List<Result> answer) -> {
                    results.addAll(answer);
                    cache.put(new Key(b.name(), query), List.copyOf(answer), options.ttl()); // 4.
                }
                case Task.Outcome.Exited<List<Result>>(ExitReason why) -> fates.put(b.name(), Fate.CRASHED);
                case null -> fates.put(b.name(), Fate.LATE);
            }
        }

        List<Result> best = results.stream()
                .sorted(Comparator.comparingInt(Result::score).reversed())
                .limit(options.limit())
                .toList();
        return new Answer(best, fates);
    }

    @SuppressWarnings("unchecked")
    private static List<Result> resultsIn(Object cached) {
        return (List<Result>) cached;
    }

    // ------------------------------------------------------------------ main

    /**
     * Asks simulated backends twice, cold then from the cache, and prints the times; then adds a
     * backend that is always late. Run it with the examples module's class path:
     * {@code java -cp ... io.otp4j.examples.infosys.InfoSys}.
     */
    public static void main(String[] args) throws Exception {
        try (Node node = Node.start(Node.Options.named("infosys@localhost"))) {
            node.run(() -> {
                run(System.out);
                return null;
            });
        }
    }

    static void run(PrintStream out) {
        Backend wolfram = new Backend.Simulated("wolfram", Duration.ofMillis(120), 95);
        Backend wikipedia = new Backend.Simulated("wikipedia", Duration.ofMillis(60), 70);
        Backend flaky = new Backend.Crashing("flaky", Duration.ofMillis(5));
        Backend slowpoke = new Backend.Simulated("slowpoke", Duration.ofSeconds(30), 100);
        InfoSys infosys = startLink(Options.of(wolfram, wikipedia, flaky).timeout(Duration.ofMillis(500)));

        String query = "what is otp";
        out.println("-- cold: every backend is asked --");
        Answer cold = timed(out, () -> infosys.compute(query));
        print(out, cold);
        out.println("-- again: wolfram and wikipedia come from the cache; flaky is asked again, and crashes again --");
        Answer warm = timed(out, () -> infosys.compute(query));
        print(out, warm);

        out.println("-- with a backend that never answers in time (limit 500 ms) --");
        Answer late = timed(out, () -> infosys.compute("who wrote erlang", List.of(wolfram, wikipedia, slowpoke)));
        print(out, late);
        out.println("tasks left running: " + TaskSupervisor.children(ServerRef.named(TASKS)).size());
        infosys.stop();
    }

    private static Answer timed(PrintStream out, Supplier<Answer> query) {
        long start = System.nanoTime();
        Answer a = query.get();
        out.printf("took %.1f ms%n", (System.nanoTime() - start) / 1e6);
        return a;
    }

    private static void print(PrintStream out, Answer a) {
        out.println("  backends: " + a.fates());
        a.results().forEach(r -> out.println("  " + r.score() + "  " + r.text()));
    }
}
