package io.otp4j.tables;

import io.otp4j.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** dets's files stop at 2 GB; these do not. Writes 2.2 GB, reopens, reads it back. */
class DetsLargeFileTest {
    @TempDir
    Path dir;

    private static byte[] blob(int i) {
        byte[] b = new byte[1 << 20];
        Arrays.fill(b, (byte) i);
        b[0] = (byte) (i >>> 8);
        return b;
    }

    @Test
    void aTableGrowsPastTwoGigabytes() throws Exception {
        Path file = dir.resolve("large.dets");
        int rows = 2200; // 1 MiB each
        DetsTable<Object, Tuple> t = Dets.open(DetsOptions.tuples(file).autoSave(null));
        for (int i = 0; i < rows; i++) {
            t.insert(Tuple.of(i, blob(i)));
            if (i % 200 == 199) t.sync();
        }
        t.close();
        assertThat(Files.size(file)).isGreaterThan(1L << 31);

        DetsTable<Object, Tuple> again = Dets.open(DetsOptions.tuples(file).autoSave(null));
        try {
            assertThat(again.size()).isEqualTo(rows);
            for (int i : new int[] {0, 1, 1023, 2047, 2048, rows - 1}) {
                assertThat((byte[]) again.lookupElement(i, 2)).as("row %d", i).isEqualTo(blob(i));
            }
        } finally {
            again.close();
        }
    }
}
