package io.otp4j.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What every implementation's benchmark main shares: parameters, the warm-up-then-median method,
 * and the RESULT line format of WORKLOADS.md.
 */
public final class BenchSupport {
    private BenchSupport() {
    }

    /** {@code key=value} arguments after the run name. */
    public static Map<String, String> params(String[] args, int from) {
        Map<String, String> p = new HashMap<>();
        for (int i = from; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("expected key=value, got " + args[i]);
            p.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        return p;
    }

    public static int intParam(Map<String, String> p, String key, int dflt) {
        String v = p.get(key);
        return v == null ? dflt : Integer.parseInt(v.replace("_", ""));
    }

    public static void result(String bench, String impl, double value, String unit) {
        String v = value >= 100 || value == Math.rint(value)
                ? String.valueOf(Math.round(value))
                : String.format(Locale.ROOT, "%.1f", value);
        System.out.println("RESULT bench=" + bench + " impl=" + impl + " value=" + v + " unit=" + unit);
        System.out.flush();
    }

    public static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** Nearest-rank percentile of sorted samples, p in (0, 1]. */
    public static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Java heap in use after full collections. */
    public static long heapUsedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Thrown when a workload's self-check fails. */
    public static final class WrongAnswer extends RuntimeException {
        public WrongAnswer(String message) {
            super(message);
        }
    }

    public static void check(boolean ok, String what) {
        if (!ok) throw new WrongAnswer(what);
    }
}
