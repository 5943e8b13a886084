package io.otp4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./otp4j bench [names...] [--compare beam,pekko,redis] [--passes N] [--set key=value]}: runs each
 * workload of WORKLOADS.md in a fresh JVM (or Erlang VM) per implementation, one after the other in
 * the same run, echoes the RESULT lines and ends with a table of ratios.
 *
 * <p>Java implementations run with the same flags ({@link #JVM_FLAGS}): the serial collector,
 * which on this 2-core machine measures retained memory exactly (the parallel and G1 collectors
 * count filler objects as used) and tears a million virtual-thread stacks down far faster than
 * G1. The BEAM runs with {@code +P 5000000} so that a million processes fit. Ratios are oriented so that a number above 1
 * means otp4j is ahead, whatever the unit.
 *
 * <p>The ETS runs also run on the raw Java collection under each table type (implementation
 * {@code java}), to show what the ETS layer costs. The {@code kv} run is the key-value workload of
 * redis-benchmark (50 clients, SET then GET on 100,000 random keys) on an ETS table; with
 * {@code --compare redis} a real redis-server runs it too, measured by redis-benchmark with and
 * without pipelining (needs Debian's redis-server package).
 *
 * <p>{@code dist_pingpong} and {@code dist_throughput} run between two nodes, separate OS processes,
 * on 127.0.0.1: otp4j&lt;-&gt;otp4j, beam&lt;-&gt;beam and two Pekko ActorSystems (Artery TCP); with
 * {@code --compare beam} also an otp4j node with an Erlang node, each way ({@code otp4j-beam}: the
 * otp4j node measures, {@code beam-otp4j}: the Erlang node does).
 *
 * <p>{@code stage_pipeline} (GenStage) runs on otp4j and on Pekko Streams only: GenStage is an
 * Elixir library, not part of Erlang/OTP, so the BEAM has no side of it.
 */
public final class BenchRunner {

    static final List<String> JVM_FLAGS = List.of("-Xms4g", "-Xmx8g", "-XX:+UseSerialGC");
    private static final Pattern RESULT = Pattern.compile(
            "RESULT bench=(\\S+) impl=(\\S+) value=(\\S+) unit=(\\S+)");

    /** Bench names of WORKLOADS.md (and the project's own), and the run that produces each. */
    private static final Map<String, String> RUN_OF = new LinkedHashMap<>();

    /** The ETS runs: each also runs on the raw Java collection beneath (impl "java"). */
    private static final List<String> TABLE_RUNS = List.of("ets_insert", "ets_lookup", "ets_lookup_2p",
            "ets_update_counter_2p", "ets_ordered_insert");

    /**
     * The distribution runs: two nodes, separate OS processes, on 127.0.0.1. Besides otp4j&lt;-&gt;otp4j
     * (impl otp4j), beam&lt;-&gt;beam (beam) and Pekko Artery (pekko), {@code --compare beam} runs an
     * otp4j node with an Erlang node: the otp4j node measuring (impl otp4j-beam) and the Erlang
     * node measuring (impl beam-otp4j).
     */
    private static final List<String> DIST_RUNS = List.of("dist_pingpong", "dist_throughput");

    static {
        for (String b : List.of("spawn_1m", "spawn_1m_mem", "spawn_1m_teardown")) RUN_OF.put(b, "spawn_1m");
        for (String b : List.of("ring", "pingpong", "pairs", "fanin", "skynet")) RUN_OF.put(b, b);
        RUN_OF.put("fairness", "fairness");
        RUN_OF.put("genserver_call", "genserver_call");
        RUN_OF.put("genserver_cast", "genserver_cast");
        RUN_OF.put("statem_call", "statem_call");
        for (String b : List.of("supervisor_restart", "supervisor_restart_median")) RUN_OF.put(b, "supervisor_restart");
        for (String b : List.of("call_latency_under_load", "call_latency_under_load_p50", "call_latency_under_load_p99",
                "call_latency_under_load_p999")) {
            RUN_OF.put(b, "call_latency_under_load");
        }
        RUN_OF.put("genserver_idle_mem", "genserver_idle_mem");
        RUN_OF.put("genserver_hibernated_mem", "genserver_hibernated_mem");
        RUN_OF.put("stage_pipeline", "stage_pipeline");
        for (String b : TABLE_RUNS) RUN_OF.put(b, b);
        for (String b : List.of("dets_insert", "dets_lookup")) RUN_OF.put(b, b);
        for (String b : List.of("kv", "kv_set", "kv_get")) RUN_OF.put(b, "kv");
        for (String b : DIST_RUNS) RUN_OF.put(b, b);
    }

    /**
     * Parameters the runner gives a run unless the command line sets them: 2,000 calls per pass for
     * the latency run (the BEAM takes about 15 ms a call under that load; 100,000 would take hours).
     */
    private static final Map<String, List<String>> RUN_DEFAULTS = Map.of(
            "call_latency_under_load", List.of("calls=2000"));

    /** The runs Pekko has an implementation of (it has no fairness study: no priorities, no yield). */
    private static final Set<String> PEKKO_RUNS = Set.of("spawn_1m", "ring", "pingpong", "pairs", "fanin", "skynet",
            "genserver_call", "genserver_cast", "statem_call", "supervisor_restart", "call_latency_under_load",
            "stage_pipeline", "dist_pingpong", "dist_throughput");

    /** The runs the BEAM has no implementation of: GenStage is an Elixir library, not part of Erlang/OTP. */
    private static final Set<String> NO_BEAM_RUNS = Set.of("stage_pipeline");

    /** What `./otp4j bench` runs without names. */
    private static final List<String> DEFAULT_RUNS = List.of(
            "spawn_1m", "ring", "pingpong", "pairs", "fanin", "skynet", "fairness",
            "genserver_call", "genserver_cast", "statem_call", "supervisor_restart", "call_latency_under_load",
            "genserver_idle_mem", "genserver_hibernated_mem", "stage_pipeline",
            "ets_insert", "ets_lookup", "ets_lookup_2p", "ets_update_counter_2p", "ets_ordered_insert",
            "dets_insert", "dets_lookup", "kv", "dist_pingpong", "dist_throughput");

    private record Result(String bench, String impl, double value, String unit) {
    }

    public static void main(String[] args) throws Exception {
        List<String> names = new ArrayList<>();
        List<String> compare = new ArrayList<>();
        List<String> sets = new ArrayList<>();
        String passes = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--compare" -> compare.addAll(List.of(args[++i].split(",")));
                case "--passes" -> passes = args[++i];
                case "--set" -> sets.add(args[++i]);
                case "--list" -> {
                    System.out.println(String.join("\n", RUN_OF.keySet()));
                    return;
                }
                default -> {
                    if (a.startsWith("--compare=")) compare.addAll(List.of(a.substring(10).split(",")));
                    else if (a.startsWith("-")) throw new IllegalArgumentException("unknown option " + a);
                    else names.add(a);
                }
            }
        }
        for (String c : compare) {
            if (!c.equals("beam") && !c.equals("pekko") && !c.equals("redis")) {
                throw new IllegalArgumentException("--compare takes beam, pekko and/or redis, not " + c);
            }
        }
        Set<String> runs = new LinkedHashSet<>();
        if (names.isEmpty()) runs.addAll(DEFAULT_RUNS);
        for (String n : names) {
            String run = RUN_OF.get(n);
            if (run == null) throw new IllegalArgumentException("unknown benchmark " + n + "; --list shows them");
            runs.add(run);
        }
        List<String> params = new ArrayList<>(sets);
        if (passes != null) params.add("passes=" + passes);

        BenchRunner r = new BenchRunner();
        r.header(compare);
        List<Result> results = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (String run : runs) {
            List<String> runParams = new ArrayList<>(params);
            for (String d : RUN_DEFAULTS.getOrDefault(run, List.of())) {
                String key = d.substring(0, d.indexOf('=') + 1);
                if (runParams.stream().noneMatch(p -> p.startsWith(key))) runParams.add(d);
            }
            List<List<String>> commands = new ArrayList<>();
            commands.add(r.otp4jCommand(run, runParams, List.of()));
            if (TABLE_RUNS.contains(run)) commands.add(r.otp4jCommand(run, runParams, List.of("impl=java")));
            if (run.equals("fairness")) {
                commands.add(r.otp4jCommand(run, runParams, List.of("scheduler=jdk", "impl=otp4j-jdk")));
            }
            if (DIST_RUNS.contains(run) && compare.contains("beam")) {
                String erl = "erl_dir=" + r.erlDir();
                commands.add(r.otp4jCommand(run, runParams, List.of("peer=beam", erl, "impl=otp4j-beam")));
                commands.add(r.otp4jCommand(run, runParams, List.of("peer=beam", "reverse=true", erl, "impl=beam-otp4j")));
            }
            boolean noBeam = compare.contains("beam") && NO_BEAM_RUNS.contains(run);
            if (compare.contains("beam") && !noBeam) commands.add(r.beamCommand(run, runParams));
            if (compare.contains("pekko") && PEKKO_RUNS.contains(run)) commands.add(r.pekkoCommand(run, runParams));
            // a real redis-server on 127.0.0.1 measured by redis-benchmark (Debian's redis-server package)
            if (compare.contains("redis") && run.equals("kv")) {
                commands.add(r.redisCommand(runParams.stream().filter(x -> x.startsWith("passes=")).toList()));
            }
            for (List<String> cmd : commands) {
                r.execute(run, cmd, results, failures);
            }
            if (noBeam) System.out.println("(beam has no " + run + ": GenStage is not part of Erlang/OTP)");
        }
        r.table(results, names.isEmpty() ? null : new LinkedHashSet<>(names));
        if (!failures.isEmpty()) {
            System.out.println();
            failures.forEach(f -> System.out.println("FAILED: " + f));
            System.exit(1);
        }
    }

    private final String java = System.getProperty("otp4j.java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    private final Path root = Path.of(System.getProperty("otp4j.root", "."));
    private final String classpath = System.getProperty("otp4j.bench.classpath", System.getProperty("java.class.path"));
    private Path erlDir;

    private void header(List<String> compare) throws Exception {
        System.out.println("otp4j benchmarks, " + LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME));
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
                + memTotal() + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        System.out.println("java: " + firstLine(List.of(java, "-version")) + "; flags " + String.join(" ", JVM_FLAGS));
        if (compare.contains("beam")) {
            System.out.println("beam: Erlang/OTP " + firstLine(List.of("erl", "-noshell", "-eval",
                    "io:format(\"~s~n\", [erlang:system_info(otp_release)]), halt().")) + " (+P 5000000)");
        }
        if (compare.contains("pekko")) {
            System.out.println("pekko: typed actors, default dispatcher; Pekko Streams for stage_pipeline;"
                    + " classic actors over Artery TCP (127.0.0.1, two JVMs) for dist_*");
        }
        if (compare.contains("redis")) {
            System.out.println("redis: " + firstLine(List.of("redis-server", "--version"))
                    + "; redis-benchmark, 50 clients, pipelining 1 and 16");
        }
        System.out.println();
    }

    private static String memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("\\D", ""));
                    return String.format(Locale.ROOT, "%.0f GiB", kb / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return "? GiB";
    }

    private static String firstLine(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out.lines().findFirst().orElse("?").trim();
        } catch (IOException | InterruptedException e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }

    private List<String> otp4jCommand(String run, List<String> params, List<String> extra) {
        List<String> cmd = new ArrayList<>(List.of(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-Djdk.trackAllThreads=false", "-Djdk.pollerMode=1"));
        cmd.addAll(JVM_FLAGS);
        cmd.addAll(List.of("-cp", classpath, "io.otp4j.bench.otp4j.Otp4jBench", run));
        cmd.addAll(params);
        cmd.addAll(extra);
        return cmd;
    }

    private List<String> redisCommand(List<String> params) {
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", classpath, "io.otp4j.bench.RedisBench"));
        cmd.addAll(params);
        return cmd;
    }

    private List<String> pekkoCommand(String run, List<String> params) {
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(JVM_FLAGS);
        cmd.addAll(List.of("-cp", classpath, "io.otp4j.bench.pekko.PekkoBench", run));
        cmd.addAll(params);
        return cmd;
    }

    private List<String> beamCommand(String run, List<String> params) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("erl", "-noshell", "+P", "5000000", "-pa", erlDir().toString(),
                "-run", "otp4j_bench", "main", run));
        cmd.addAll(params);
        return cmd;
    }

    /** The directory of the compiled Erlang modules, compiled on first use. */
    private Path erlDir() throws Exception {
        if (erlDir == null) {
            erlDir = root.resolve("otp4j-bench/target/erl");
            Files.createDirectories(erlDir);
            // otp4j_bench and the callback modules it uses (otp4j_bench_statem), all in one erlc
            Path srcDir = root.resolve("otp4j-bench/src/main/erlang");
            List<String> erlc = new ArrayList<>(List.of("erlc", "-o", erlDir.toString()));
            try (var files = Files.list(srcDir)) {
                files.map(Path::toString).filter(f -> f.endsWith(".erl")).sorted().forEach(erlc::add);
            }
            Process p = new ProcessBuilder(erlc).inheritIO().start();
            if (p.waitFor() != 0) throw new IllegalStateException("erlc failed on the modules of " + srcDir);
        }
        return erlDir;
    }

    private void execute(String run, List<String> cmd, List<Result> results, List<String> failures) throws Exception {
        String who = cmd.contains("io.otp4j.bench.RedisBench") ? "redis"
                : cmd.contains("io.otp4j.bench.otp4j.Otp4jBench")
                ? cmd.stream().filter(a -> a.startsWith("impl=")).map(a -> a.substring(5)).reduce((a, b) -> b).orElse("otp4j")
                : cmd.contains("io.otp4j.bench.pekko.PekkoBench") ? "pekko" : "beam";
        System.out.println("# " + run + " on " + who);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> tail = new ArrayList<>();
        boolean unsupported = false;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                Matcher m = RESULT.matcher(line);
                if (m.find()) {
                    System.out.println(m.group());
                    results.add(new Result(m.group(1), m.group(2), Double.parseDouble(m.group(3)), m.group(4)));
                } else if (line.startsWith("FAIL")) {
                    System.out.println(line);
                    failures.add(who + ": " + line);
                } else if (line.startsWith("pass ")) {
                    System.out.println("  " + line); // otp4j's per-pass figures
                } else if (line.startsWith("UNSUPPORTED")) {
                    unsupported = true;
                } else {
                    tail.add(line);
                    if (tail.size() > 20) tail.removeFirst();
                }
            }
        }
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            failures.add(who + ": " + run + " did not finish");
        }
        int code = p.exitValue();
        if (unsupported) {
            System.out.println("(" + who + " has no " + run + ")");
        } else if (code != 0 && failures.stream().noneMatch(f -> f.startsWith(who + ": FAIL bench=" + run))) {
            failures.add(who + ": " + run + " exited " + code + "; last output:\n  " + String.join("\n  ", tail));
        }
    }

    private static boolean higherIsBetter(String unit) {
        return unit.endsWith("/s") || unit.equals("count");
    }

    private void table(List<Result> results, Set<String> only) {
        Map<String, Map<String, Result>> byBench = new LinkedHashMap<>();
        Set<String> impls = new LinkedHashSet<>();
        for (Result r : results) {
            if (only != null && !only.contains(r.bench()) && !only.contains(RUN_OF.getOrDefault(r.bench(), "?"))
                    && only.stream().noneMatch(o -> r.bench().startsWith(o + "_"))) {
                continue;
            }
            byBench.computeIfAbsent(r.bench(), k -> new LinkedHashMap<>()).put(r.impl(), r);
            impls.add(r.impl());
        }
        List<String> others = impls.stream().filter(i -> !i.equals("otp4j")).toList();
        System.out.println();
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-28s %-12s %14s", "benchmark", "unit", "otp4j"));
        for (String o : others) head.append(String.format(Locale.ROOT, " %14s", o));
        for (String o : others) head.append(String.format(Locale.ROOT, " %14s", "vs " + o));
        System.out.println(head);
        for (var e : byBench.entrySet()) {
            Map<String, Result> row = e.getValue();
            Result mine = row.get("otp4j");
            String unit = row.values().iterator().next().unit();
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-28s %-12s %14s", e.getKey(), unit,
                    mine == null ? "-" : fmt(mine.value())));
            for (String o : others) {
                Result r = row.get(o);
                sb.append(String.format(Locale.ROOT, " %14s", r == null ? "-" : fmt(r.value())));
            }
            for (String o : others) {
                Result r = row.get(o);
                String ratio = "-";
                if (mine != null && r != null && mine.value() > 0 && r.value() > 0) {
                    double x = higherIsBetter(unit) ? mine.value() / r.value() : r.value() / mine.value();
                    ratio = String.format(Locale.ROOT, "%.2fx", x);
                }
                sb.append(String.format(Locale.ROOT, " %14s", ratio));
            }
            System.out.println(sb);
        }
        System.out.println("(vs X: otp4j's advantage over X; above 1.00x otp4j is ahead, whichever way the unit points)");
    }

    private static String fmt(double v) {
        if (v >= 1_000_000) return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        if (v >= 10_000) return String.format(Locale.ROOT, "%.0fK", v / 1e3);
        if (v == Math.rint(v)) return String.valueOf((long) v);
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
