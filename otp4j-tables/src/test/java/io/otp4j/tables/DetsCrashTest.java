package io.otp4j.tables;

import io.otp4j.Tuple;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The DETS promise under a crash: a writer in another JVM is killed ({@code kill -9}) while it
 * writes; the table then opens at once, with no repair, and holds every row that a returned sync
 * covered.
 */
class DetsCrashTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = TableType.class, names = {"SET", "DUPLICATE_BAG"})
    void everySyncedWriteSurvivesKillDashNine(TableType type) throws Exception {
        Path file = dir.resolve("crash-" + type + ".dets");
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("java.class.path", "");
        String mp = System.getProperty("jdk.module.path");
        if (mp != null && !mp.isEmpty()) cp = cp.isEmpty() ? mp : cp + File.pathSeparator + mp;
        Process writer = new ProcessBuilder(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Xmx512m",
                "-cp", cp, DetsCrashWriter.class.getName(), file.toString(), type.name(), "1000")
                .redirectErrorStream(true).start();
        long acknowledged = 0;
        List<String> output = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                output.add(line);
                if (line.startsWith("synced ")) acknowledged = Long.parseLong(line.substring(7));
                // mid-batch: rows after the last sync are being inserted when the kill lands
                if (acknowledged >= 30_000 && line.startsWith("inserted ")) break;
            }
            writer.destroyForcibly(); // SIGKILL
            assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            writer.destroyForcibly();
        }
        assertThat(acknowledged).as("writer output: %s", output).isGreaterThanOrEqualTo(30_000);

        long t0 = System.nanoTime();
        DetsTable<Object, Tuple> t = Dets.open(DetsOptions.tuples(file).type(type).autoSave(null));
        long openMillis = (System.nanoTime() - t0) / 1_000_000;
        System.err.println("reopened " + file.getFileName() + " after kill -9 in " + openMillis + " ms, "
                + t.size() + " rows, " + acknowledged + " acknowledged");
        try {
            assertThat(t.size()).isGreaterThanOrEqualTo(acknowledged);
            if (type == TableType.SET) {
                for (long i = 1; i <= acknowledged; i++) {
                    assertThat(t.lookup(i)).as("row %d", i).containsExactly(Tuple.of(i, "value-" + i));
                }
            } else {
                Set<Long> seen = new HashSet<>();
                for (long k = 0; k < 1000; k++) {
                    long prev = -1;
                    for (Tuple r : t.lookup(k)) {
                        long v = (Long) r.get(1);
                        assertThat(v).as("rows of key %d oldest first", k).isGreaterThan(prev);
                        prev = v;
                        seen.add(v);
                    }
                }
                for (long i = 1; i <= acknowledged; i++) assertThat(seen).as("row %d", i).contains(i);
            }
            // and it goes on working
            t.insert(Tuple.of(-1L, "after the crash"));
            t.sync();
            assertThat(t.member(-1L)).isTrue();
        } finally {
            t.close();
        }
    }
}
