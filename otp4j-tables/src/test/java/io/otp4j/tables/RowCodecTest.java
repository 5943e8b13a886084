package io.otp4j.tables;

import io.otp4j.Pid;
import io.otp4j.Ref;
import io.otp4j.Tuple;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RowCodecTest {
    enum Color { RED, GREEN }

    record Point(int x, long y, String label, Color color) {
    }

    record Holder(Object anything) {
    }

    private final RowCodec codec = new RowCodec(getClass().getClassLoader());

    private Object roundTrip(Object v) {
        return codec.decode(codec.encode(v));
    }

    @Test
    void valuesComeBackEqualAndOfTheSameType() {
        List<Object> values = List.of(1, 1L, (short) 1, (byte) 1, 1.5, 1.5f, true, false, 'x', "text ü", "",
                BigInteger.TEN.pow(40), new BigDecimal("12.3400"), Tuple.of(), Tuple.of(1, "a", Tuple.of(2L)),
                List.of(1, List.of()), Set.of("a", "b"), Map.of("k", 1, "j", List.of(2)),
                new Point(1, 2L, "p", Color.GREEN), Color.RED, new Pid("n@h", 1, 2, 3), new Ref("n@h", 1, 4, 5, 6),
                UUID.randomUUID(), Instant.parse("2026-11-21T10:15:30Z"), Duration.ofMillis(1500), LocalDate.of(2026, 11, 21));
        for (Object v : values) {
            Object back = roundTrip(v);
            assertThat(back).as("%s", v).isEqualTo(v);
            assertThat(back.getClass().getName()).as("type of %s", v).doesNotContain("Mutable");
            if (!(v instanceof List || v instanceof Set || v instanceof Map)) assertThat(back).hasSameClassAs(v);
        }
        assertThat((byte[]) roundTrip(new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
        assertThat(roundTrip(new Holder(null))).isEqualTo(new Holder(null));
    }

    @Test
    void equalKeysHaveEqualBytesAndIntegerTypesStayApart() {
        Map<String, Integer> a = new LinkedHashMap<>();
        a.put("x", 1);
        a.put("y", 2);
        Map<String, Integer> b = new HashMap<>();
        b.put("y", 2);
        b.put("x", 1);
        assertThat(codec.encode(a)).isEqualTo(codec.encode(b));
        assertThat(codec.encode(Set.of(3, 1, 2))).isEqualTo(codec.encode(new java.util.TreeSet<>(List.of(1, 2, 3))));
        assertThat(Arrays.equals(codec.encode(1), codec.encode(1L))).isFalse();
    }

    @Test
    void whatCannotBeStoredIsRefusedByName() {
        assertThatThrownBy(() -> codec.encode(Tuple.of(new Object())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Object");
        assertThatThrownBy(() -> codec.encode(new StringBuilder("x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("StringBuilder");
    }

    @Test
    void corruptBytesGiveAClearError() {
        byte[] ok = codec.encode(Tuple.of("abc", 1));
        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(ok, ok.length - 2)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("corrupt");
        assertThatThrownBy(() -> codec.decode(new byte[] {99}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("unknown tag");
    }
}
