package io.otp4j.dist;

import io.otp4j.Atom;
import io.otp4j.Pid;
import io.otp4j.Ref;
import io.otp4j.Tuple;
import io.otp4j.dist.term.Binary;
import io.otp4j.dist.term.BitBinary;
import io.otp4j.dist.term.EncodeOptions;
import io.otp4j.dist.term.Etf;
import io.otp4j.dist.term.ExportFun;
import io.otp4j.dist.term.ImproperList;
import io.otp4j.dist.term.LocalFun;
import io.otp4j.dist.term.Port;
import io.otp4j.dist.term.RecordTags;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Agreement with a real {@code erl}, in two runs of it for the whole class: erl encodes a set of
 * terms (with default options, {@code compressed}, minor versions 2 and 0) and Java decodes them to
 * the expected values; then Java encodes the same values (and some Java-only forms) and erl decodes
 * them, compares them with the terms, and compares the bytes with its own
 * {@code term_to_binary(T, [{minor_version, 2}])}.
 */
class EtfErlangAgreementTest {

    /** An Erlang expression, the Java value it is, and whether Java's bytes should be erl's. */
    record Case(String erl, Object java, boolean sameBytes) {
    }

    private static final List<String> OPTIONS = List.of("[]", "[compressed]", "[{minor_version, 2}]", "[{minor_version, 0}]");

    public record Point(long x, long y) {
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("ok", Atom.OK, true));
        c.add(new Case("true", true, true));
        c.add(new Case("false", false, true));
        c.add(new Case("''", Atom.of(""), true));
        c.add(new Case("'ünïcödé 日本'", Atom.of("ünïcödé 日本"), true));
        c.add(new Case("list_to_atom(lists:duplicate(255, $x))", Atom.of("x".repeat(255)), true));
        c.add(new Case("list_to_atom(lists:duplicate(255, 233))", Atom.of("é".repeat(255)), true));
        c.add(new Case("list_to_atom([16#1F600, $a])", Atom.of("\uD83D\uDE00a"), true));
        String[] ints = {"0", "255", "256", "-1", "2147483647", "-2147483648", "2147483648", "-2147483649",
                "9223372036854775807", "-9223372036854775808", "9223372036854775808", "18446744073709551615", "-(1 bsl 64)",
                "1 bsl 2100", "-(1 bsl 2100) + 1"};
        for (String i : ints) {
            BigInteger v = i.contains("bsl") ? (i.startsWith("-(1 bsl 64)") ? BigInteger.ONE.shiftLeft(64).negate()
                    : i.startsWith("-") ? BigInteger.ONE.shiftLeft(2100).negate().add(BigInteger.ONE) : BigInteger.ONE.shiftLeft(2100))
                    : new BigInteger(i);
            Object java = v.bitLength() <= 31 ? (Object) v.intValue() : v.bitLength() <= 63 ? (Object) v.longValue() : v;
            c.add(new Case(i, java, true));
        }
        String[] floats = {"0.0", "-0.0", "1.5", "-2.25", "0.1", "1.0e300", "5.0e-324", "2.2250738585072014e-308", "1.7976931348623157e308"};
        for (String f : floats) c.add(new Case(f, Double.parseDouble(f), true));
        c.add(new Case("{}", Tuple.of(), true));
        c.add(new Case("{a, 1, <<\"b\">>}", Tuple.of(Atom.of("a"), 1, Binary.of("b")), true));
        Object[] seq300 = new Object[300];
        List<Integer> list300 = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            seq300[i] = i + 1;
            list300.add(i + 1);
        }
        c.add(new Case("list_to_tuple(lists:seq(1, 300))", Tuple.of(seq300), true));
        c.add(new Case("[]", List.of(), true));
        c.add(new Case("[1, 2, 3]", List.of(1, 2, 3), true));
        c.add(new Case("\"abc\"", List.of(97, 98, 99), true));
        c.add(new Case("lists:seq(1, 300)", list300, true));
        c.add(new Case("lists:duplicate(70000, 7)", Collections.nCopies(70000, 7), true));
        c.add(new Case("[a | b]", new ImproperList(List.of(Atom.of("a")), Atom.of("b")), true));
        c.add(new Case("[1, 2 | 3.5]", new ImproperList(List.of(1, 2), 3.5), true));
        c.add(new Case("[1, [2, [3]], {}]", List.of(1, List.of(2, List.of(3)), Tuple.of()), true));
        c.add(new Case("[a | \"bc\"]", List.of(Atom.of("a"), 98, 99), true));
        c.add(new Case("<<>>", Binary.EMPTY, true));
        c.add(new Case("<<1, 2, 3>>", Binary.of(new byte[]{1, 2, 3}), true));
        c.add(new Case("<<\"héllo\"/utf8>>", Binary.of("héllo"), true));
        c.add(new Case("binary:copy(<<7>>, 100000)", new Binary(filled(100_000, (byte) 7)), true));
        c.add(new Case("<<1, 2, 3:4>>", new BitBinary(new byte[]{1, 2, 3 << 4}, 4), true));
        c.add(new Case("<<1:1>>", new BitBinary(new byte[]{(byte) 0x80}, 1), true));
        c.add(new Case("#{}", Map.of(), true));
        c.add(new Case("#{a => 1}", Map.of(Atom.of("a"), 1), true));
        c.add(new Case("#{a => 1, <<\"b\">> => [2], {c} => #{d => 3.5}}",
                Map.of(Atom.of("a"), 1, Binary.of("b"), List.of(2), Tuple.of(Atom.of("c")), Map.of(Atom.of("d"), 3.5)), false));
        Map<Object, Object> squares = new HashMap<>();
        for (int i = 1; i <= 100; i++) squares.put(i, i * i);
        c.add(new Case("maps:from_list([{I, I * I} || I <- lists:seq(1, 100)])", squares, false));
        c.add(new Case("list_to_pid(\"<0.42.0>\")", new Pid("nonode@nohost", 42, 0, 0), true));
        c.add(new Case("list_to_pid(\"<0.42.7>\")", new Pid("nonode@nohost", 42, 7, 0), true));
        c.add(new Case("list_to_ref(\"#Ref<0.1.2.3>\")", new Ref("nonode@nohost", 0, 3, 2, 1), true));
        c.add(new Case("list_to_port(\"#Port<0.5>\")", new Port("nonode@nohost", 5, 0), true));
        c.add(new Case("fun lists:map/2", ExportFun.of("lists", "map", 2), true));
        c.add(new Case("{ok, [#{key => {<<\"v\">>, 1.5}}], [a | \"bc\"], -7}",
                Tuple.of(Atom.OK, List.of(Map.of(Atom.of("key"), Tuple.of(Binary.of("v"), 1.5))), List.of(Atom.of("a"), 98, 99), -7), true));
        return c;
    }

    private static byte[] filled(int n, byte b) {
        byte[] a = new byte[n];
        java.util.Arrays.fill(a, b);
        return a;
    }

    private static final String READ_EXPRS = """
            [Dir | _] = init:get_plain_arguments(),
            ReadExprs = fun ReadExprs(Str, Acc) ->
                case erl_scan:tokens([], Str, 1) of
                    {done, {ok, Toks, _}, Rest} ->
                        {ok, Es} = erl_parse:parse_exprs(Toks),
                        {value, V, _} = erl_eval:exprs(Es, []),
                        ReadExprs(Rest, [V | Acc]);
                    _ -> lists:reverse(Acc)
                end
            end,
            Load = fun(Name) ->
                {ok, B} = file:read_file(filename:join(Dir, Name)),
                ReadExprs(unicode:characters_to_list(B, utf8), [])
            end,
            Frame = fun(B) -> <<(byte_size(B)):32, B/binary>> end,
            """;

    private static final String ERL_ENCODES = READ_EXPRS + """
            Vs = Load("cases.txt"),
            Opts = [[], [compressed], [{minor_version, 2}], [{minor_version, 0}]],
            ok = file:write_file(filename:join(Dir, "erl.bin"), [Frame(term_to_binary(V, O)) || V <- Vs, O <- Opts]),
            Y = 5,
            F = fun(X) -> X + Y end,
            ok = file:write_file(filename:join(Dir, "fun.bin"), term_to_binary(F)),
            halt(0).
            """;

    private static final String ERL_DECODES = READ_EXPRS + """
            Expect = Load("expect.txt"),
            {ok, JB} = file:read_file(filename:join(Dir, "java.bin")),
            Split = fun Split(<<L:32, B:L/binary, R/binary>>, Acc) -> Split(R, [B | Acc]); Split(<<>>, Acc) -> lists:reverse(Acc) end,
            Bins = Split(JB, []),
            Check = fun
                ({{eq, V}, B}) ->
                    D = (catch binary_to_term(B)),
                    io_lib:format("~w ~w ~tw~n", [D =:= V, B =:= term_to_binary(V, [{minor_version, 2}]), D]);
                ({{check, C}, B}) ->
                    D = (catch binary_to_term(B)),
                    io_lib:format("~w na ~tw~n", [(catch C(D)) =:= true, D])
            end,
            Lines = [Check(P) || P <- lists:zip(Expect, Bins)],
            ok = file:write_file(filename:join(Dir, "result.txt"), unicode:characters_to_binary(Lines)),
            halt(0).
            """;

    private static Path dir;
    private static List<byte[]> erlEncodings;
    private static byte[] erlFun;

    private static void runErl(String script) throws IOException, InterruptedException {
        Path out = dir.resolve("erl.out");
        Process p = new ProcessBuilder("erl", "-noshell", "-eval", script, "-extra", dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) throw new AssertionError("erl did not finish in 60 s");
            assertThat(p.exitValue()).as("erl's exit status; its output: %s", Files.readString(out)).isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    private static String expressions(List<String> exprs) {
        StringBuilder sb = new StringBuilder();
        for (String e : exprs) sb.append(e).append(".\n");
        return sb.toString();
    }

    private static List<byte[]> frames(byte[] b) {
        List<byte[]> l = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) {
            byte[] f = new byte[buf.getInt()];
            buf.get(f);
            l.add(f);
        }
        return l;
    }

    @BeforeAll
    static void erlEncodes() throws Exception {
        dir = Files.createTempDirectory("etf-agreement");
        Files.writeString(dir.resolve("cases.txt"), expressions(cases().stream().map(Case::erl).toList()), StandardCharsets.UTF_8);
        runErl(ERL_ENCODES);
        erlEncodings = frames(Files.readAllBytes(dir.resolve("erl.bin")));
        erlFun = Files.readAllBytes(dir.resolve("fun.bin"));
    }

    @AfterAll
    static void cleanUp() throws IOException {
        RecordTags.unregister(Point.class);
        if (dir == null) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
    }

    @Test
    void erlsEncodingsDecodeInJava() {
        List<Case> cases = cases();
        assertThat(erlEncodings).hasSize(cases.size() * OPTIONS.size());
        for (int i = 0; i < cases.size(); i++) {
            for (int o = 0; o < OPTIONS.size(); o++) {
                Object got = Etf.decode(erlEncodings.get(i * OPTIONS.size() + o));
                assertThat(got).as("term_to_binary(%s, %s)", cases.get(i).erl(), OPTIONS.get(o)).isEqualTo(cases.get(i).java());
            }
        }
        // the options made a difference: compressed and Latin-1 forms were read
        assertThat(erlEncodings.get(indexOf("binary:copy(<<7>>, 100000)") * OPTIONS.size() + 1)[1]).isEqualTo((byte) 80);
        assertThat(erlEncodings.get(indexOf("ok") * OPTIONS.size() + 3)[1]).isEqualTo((byte) 100);
        assertThat(erlEncodings.get(indexOf("1.5") * OPTIONS.size() + 3)[1]).isEqualTo((byte) 99);
    }

    private static int indexOf(String erl) {
        List<Case> cases = cases();
        for (int i = 0; i < cases.size(); i++) if (cases.get(i).erl().equals(erl)) return i;
        throw new IllegalArgumentException(erl);
    }

    @Test
    void javasEncodingsDecodeInErlAsTheSameTerms() throws Exception {
        RecordTags.register(Point.class, Atom.of("point"));
        List<String> expect = new ArrayList<>();
        List<Boolean> sameBytes = new ArrayList<>();
        ByteArrayOutputStream javaBin = new ByteArrayOutputStream();
        for (Case c : cases()) {
            add(expect, sameBytes, javaBin, "{eq, " + c.erl() + "}", c.sameBytes(), Etf.encode(c.java()));
        }
        // Java-only forms
        add(expect, sameBytes, javaBin, "{eq, <<\"héllo wörld\"/utf8>>}", true, Etf.encode("héllo wörld"));
        add(expect, sameBytes, javaBin, "{eq, <<1, 2>>}", true, Etf.encode(new byte[]{1, 2}));
        add(expect, sameBytes, javaBin, "{eq, 5}", true, Etf.encode(5L));
        add(expect, sameBytes, javaBin, "{eq, [1, 2]}", true, Etf.encode(List.of((short) 1, (byte) 2)));
        add(expect, sameBytes, javaBin, "{eq, 1.5}", true, Etf.encode(1.5f));
        add(expect, sameBytes, javaBin, "{eq, {point, 1, -2}}", true, Etf.encode(new Point(1, -2)));
        add(expect, sameBytes, javaBin, "{eq, binary:copy(<<7>>, 100000)}", false,
                Etf.encode(new Binary(filled(100_000, (byte) 7)), EncodeOptions.DEFAULTS.withCompressAbove(0)));
        add(expect, sameBytes, javaBin, "{eq, [a, \"bc\" | d]}", true,
                Etf.encode(new ImproperList(List.of(Atom.of("a"), List.of(98, 99)), Atom.of("d"))));
        LocalFun fun = (LocalFun) Etf.decode(erlFun);
        add(expect, sameBytes, javaBin, "{check, fun(F) -> F(37) =:= 42 end}", false, Etf.encode(fun));
        add(expect, sameBytes, javaBin, "{check, fun(P) -> is_pid(P) andalso node(P) =:= 'other@host' end}", false,
                Etf.encode(new Pid("other@host", 1, 2, 3)));
        add(expect, sameBytes, javaBin, "{check, fun(R) -> is_reference(R) andalso node(R) =:= 'other@host' end}", false,
                Etf.encode(new Ref("other@host", 1, 1, 2, 3, 4, 5)));
        add(expect, sameBytes, javaBin, "{check, fun(P) -> is_port(P) andalso node(P) =:= 'other@host' end}", false,
                Etf.encode(new Port("other@host", 1L << 40, 1)));
        add(expect, sameBytes, javaBin, "{check, fun(P) -> is_port(P) andalso node(P) =:= 'other@host' end}", false,
                Etf.encode(new Port("other@host", 77, 1)));

        Files.writeString(dir.resolve("expect.txt"), expressions(expect), StandardCharsets.UTF_8);
        Files.write(dir.resolve("java.bin"), javaBin.toByteArray());
        runErl(ERL_DECODES);
        List<String> results = Files.readAllLines(dir.resolve("result.txt"), StandardCharsets.UTF_8);
        assertThat(results).hasSize(expect.size());
        for (int i = 0; i < results.size(); i++) {
            String[] r = results.get(i).split(" ", 3);
            assertThat(r[0]).as("erl decodes Java's encoding of %s to that term (it got %s)", expect.get(i), r[2]).isEqualTo("true");
            if (sameBytes.get(i)) {
                assertThat(r[1]).as("Java's bytes for %s are erl's", expect.get(i)).isEqualTo("true");
            }
        }
    }

    private static void add(List<String> expect, List<Boolean> same, ByteArrayOutputStream out, String erl, boolean sameBytes, byte[] b) {
        expect.add(erl);
        same.add(sameBytes);
        out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
        out.writeBytes(b);
    }

    @Test
    void erlsLocalFunDecodesAndGoesBackUnchanged() {
        LocalFun f = (LocalFun) Etf.decode(erlFun);
        assertThat(f.module()).isEqualTo(Atom.of("erl_eval"));
        assertThat(f.arity()).isEqualTo(1);
        assertThat(Etf.encode(f)).isEqualTo(erlFun);
    }
}
