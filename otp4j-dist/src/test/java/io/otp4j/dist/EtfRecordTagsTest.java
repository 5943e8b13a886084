package io.otp4j.dist;

import io.otp4j.Atom;
import io.otp4j.Tuple;
import io.otp4j.dist.term.Binary;
import io.otp4j.dist.term.DecodeException;
import io.otp4j.dist.term.EncodeException;
import io.otp4j.dist.term.Etf;
import io.otp4j.dist.term.RecordTags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EtfRecordTagsTest {

    public record Point(long x, long y) {
    }

    public record Person(String name, int age, List<String> tags, Map<String, Double> scores, Point home) {
    }

    public record Scalars(short s, byte b, float f, double d, boolean flag, BigInteger big, byte[] raw, List<Long> ids, Object any) {
    }

    private record Hidden(int v) {
    }

    public record Checked(int positive) {
        public Checked {
            if (positive <= 0) throw new IllegalArgumentException("not positive: " + positive);
        }
    }

    public record Unregistered(int v) {
    }

    @AfterEach
    void unregisterAll() {
        for (Class<? extends Record> c : List.of(Point.class, Person.class, Scalars.class, Hidden.class, Checked.class)) {
            RecordTags.unregister(c);
        }
    }

    @Test
    void aRegisteredRecordIsATaggedTupleBothWays() {
        RecordTags.register(Point.class, Atom.of("point"));
        byte[] b = Etf.encode(new Point(1, -2));
        assertThat(b).isEqualTo(Etf.encode(Tuple.of(Atom.of("point"), 1, -2)));
        assertThat(Etf.decode(b)).isEqualTo(new Point(1, -2));
        assertThat(RecordTags.tagOf(Point.class)).contains(Atom.of("point"));
        assertThat(RecordTags.unregister(Point.class)).isTrue();
        assertThat(Etf.decode(b)).isEqualTo(Tuple.of(Atom.of("point"), 1, -2));
    }

    @Test
    void componentsConvertToTheirDeclaredTypes() {
        RecordTags.register(Point.class, Atom.of("point"));
        RecordTags.register(Person.class, Atom.of("person"));
        Person p = new Person("Ada", 36, List.of("a", "b"), Map.of("math", 9.5), new Point(3, 4));
        Object back = Etf.decode(Etf.encode(p));
        assertThat(back).isEqualTo(p);
        // what Erlang would send: an Erlang string (a list) for the name, integers for doubles
        byte[] fromErlang = Etf.encode(Tuple.of(Atom.of("person"), List.of(65, 100, 97), 36, List.of(Binary.of("a")),
                Map.of(Binary.of("math"), 9), Tuple.of(Atom.of("point"), 3, 4)));
        assertThat(Etf.decode(fromErlang)).isEqualTo(new Person("Ada", 36, List.of("a"), Map.of("math", 9.0), new Point(3, 4)));
    }

    @Test
    void scalarConversions() {
        RecordTags.register(Scalars.class, Atom.of("scalars"));
        Scalars s = new Scalars((short) -5, (byte) 7, 1.5f, 2.5, true, BigInteger.TEN.pow(30), new byte[]{1, 2}, List.of(1L, 2L),
                Atom.of("x"));
        Scalars back = (Scalars) Etf.decode(Etf.encode(s));
        assertThat(back.s()).isEqualTo((short) -5);
        assertThat(back.b()).isEqualTo((byte) 7);
        assertThat(back.f()).isEqualTo(1.5f);
        assertThat(back.d()).isEqualTo(2.5);
        assertThat(back.flag()).isTrue();
        assertThat(back.big()).isEqualTo(BigInteger.TEN.pow(30));
        assertThat(back.raw()).containsExactly(1, 2);
        assertThat(back.ids()).containsExactly(1L, 2L);
        assertThat(back.any()).isEqualTo(Atom.of("x"));
    }

    @Test
    void aPrivateRecordRegistersThroughALookup() {
        RecordTags.register(Hidden.class, Atom.of("hidden"), MethodHandles.lookup());
        assertThat(Etf.decode(Etf.encode(new Hidden(3)))).isEqualTo(new Hidden(3));
    }

    @Test
    void elementsThatDoNotConvertFailDecodingNamingTheComponent() {
        RecordTags.register(Point.class, Atom.of("point"));
        assertThatThrownBy(() -> Etf.decode(Etf.encode(Tuple.of(Atom.of("point"), 1, Binary.of("no")))))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("component y")
                .hasMessageContaining(Point.class.getName());
        assertThatThrownBy(() -> Etf.decode(Etf.encode(Tuple.of(Atom.of("point"), 1, BigInteger.TEN.pow(30)))))
                .isInstanceOf(DecodeException.class);
        // another size is another tuple
        assertThat(Etf.decode(Etf.encode(Tuple.of(Atom.of("point"), 1)))).isEqualTo(Tuple.of(Atom.of("point"), 1));
    }

    @Test
    void aConstructorThatThrowsFailsDecoding() {
        RecordTags.register(Checked.class, Atom.of("checked"));
        assertThatThrownBy(() -> Etf.decode(Etf.encode(Tuple.of(Atom.of("checked"), -1))))
                .isInstanceOf(DecodeException.class).hasMessageContaining("not positive");
    }

    @Test
    void anUnregisteredRecordIsAnEncodingError() {
        assertThatThrownBy(() -> Etf.encode(List.of(new Unregistered(1))))
                .isInstanceOf(EncodeException.class)
                .hasMessageContaining(Unregistered.class.getName())
                .hasMessageContaining("not registered")
                .satisfies(e -> assertThat(((EncodeException) e).path()).isEqualTo("$[0]"));
    }

    @Test
    void aNullComponentIsAnEncodingErrorWithItsPath() {
        RecordTags.register(Point.class, Atom.of("point"));
        RecordTags.register(Person.class, Atom.of("person"));
        assertThatThrownBy(() -> Etf.encode(new Person(null, 1, List.of(), Map.of(), new Point(1, 2))))
                .isInstanceOf(EncodeException.class)
                .satisfies(e -> assertThat(((EncodeException) e).path()).isEqualTo("$.name"));
    }

    @Test
    void registrationConflictsAreRefused() {
        RecordTags.register(Point.class, Atom.of("point"));
        RecordTags.register(Point.class, Atom.of("point")); // again: nothing
        assertThatThrownBy(() -> RecordTags.register(Point.class, Atom.of("other"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecordTags.register(Checked.class, Atom.of("true"))).isInstanceOf(IllegalArgumentException.class);
        record Two(int a, int b) {
        }
        assertThatThrownBy(() -> RecordTags.register(Two.class, Atom.of("point")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(Point.class.getName());
        assertThatThrownBy(() -> RecordTags.register(io.otp4j.dist.term.Port.class, Atom.of("port")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
