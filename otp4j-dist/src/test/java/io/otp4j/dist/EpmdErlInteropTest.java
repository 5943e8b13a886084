package io.otp4j.dist;

import io.otp4j.dist.internal.epmd.EpmdClient;
import io.otp4j.dist.internal.epmd.EpmdServer;
import io.otp4j.dist.internal.epmd.Names;
import io.otp4j.dist.internal.epmd.PortInfo;
import io.otp4j.dist.internal.epmd.Registration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.otp4j.dist.EpmdTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The embedded {@link EpmdServer} and {@link EpmdClient} with Erlang's own tools: {@code erl}
 * registers with the embedded server (found through {@code ERL_EPMD_PORT}) and looks names up
 * there, the {@code epmd} command lists it, and our client reads what {@code erl} registered with the
 * real epmd.
 */
@SuppressWarnings("try") // registrations are held open for the length of a block
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EpmdErlInteropTest {
    private static final Duration ERL_LIMIT = Duration.ofSeconds(60);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void needsErl() {
        assumeTrue(erlInstalled() && epmdInstalled(), "erl and epmd are not installed");
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : processes) stop(p);
        for (AutoCloseable c : toClose.reversed()) c.close();
    }

    /** An erl node started with {@code eval}; its output lines are queued. */
    private final class Erl {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final StringBuilder all = new StringBuilder();

        Erl(int epmdPort, String sname, String eval) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(ERL, "-sname", sname, "-setcookie", "c", "-noshell",
                    "-start_epmd", "false", "-eval", eval).redirectErrorStream(true);
            pb.environment().put("ERL_EPMD_PORT", Integer.toString(epmdPort));
            process = pb.start();
            processes.add(process);
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (all) {
                            all.append(line).append('\n');
                        }
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the process is gone
                }
            });
        }

        /** The first line starting with {@code prefix}, without it. */
        String expect(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + ERL_LIMIT.toNanos();
            while (System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null && line.startsWith(prefix)) return line.substring(prefix.length()).trim();
                if (line == null && !process.isAlive() && lines.isEmpty()) break;
            }
            throw new AssertionError("erl did not print " + prefix + "; its output:\n" + output());
        }

        String output() {
            synchronized (all) {
                return all.toString();
            }
        }

        /** Lets an erl waiting on {@code io:get_line} halt, and waits for its end. */
        int finish() throws Exception {
            try (OutputStream in = process.getOutputStream()) {
                in.write('\n');
            } catch (IOException ignored) {
                // it has gone already
            }
            assertThat(process.waitFor(ERL_LIMIT.toMillis(), TimeUnit.MILLISECONDS)).as("erl halts").isTrue();
            return process.exitValue();
        }
    }

    private EpmdServer server() throws Exception {
        EpmdServer s = EpmdServer.start(EpmdServer.Config.port(freePort()));
        toClose.add(s);
        return s;
    }

    @Test
    void erlRegistersWithTheEmbeddedServerAndLooksUpThere() throws Exception {
        EpmdServer s = server();
        EpmdClient client = new EpmdClient(s.port(), Duration.ofSeconds(5));
        try (Registration j1 = client.register("j1", 41100)) {
            Erl erl = new Erl(s.port(), "t1", """
                    {ok, Ns} = net_adm:names("127.0.0.1"),
                    io:format("NAMES ~p~n", [lists:sort(Ns)]),
                    io:format("PORT ~p~n", [erl_epmd:port_please("j1", {127,0,0,1})]),
                    io:format("MISSING ~p~n", [erl_epmd:port_please("nobody", {127,0,0,1})]),
                    io:format("CREATION ~p~n", [erlang:system_info(creation)]),
                    io:format("READY~n"),
                    io:get_line(""),
                    halt().""");
            String names = erl.expect("NAMES ");
            String port = erl.expect("PORT ");
            String missing = erl.expect("MISSING ");
            long creation = Long.parseLong(erl.expect("CREATION "));
            erl.expect("READY");

            // erl is registered with our server ...
            Names ours = client.names("127.0.0.1");
            int t1Port = ours.find("t1").orElseThrow().port();
            assertThat(t1Port).isPositive();
            PortInfo t1 = client.portPlease("127.0.0.1", "t1").orElseThrow();
            assertThat(t1.port()).isEqualTo(t1Port);
            assertThat(t1.nodeType()).isEqualTo(77);
            assertThat(t1.protocol()).isZero();
            assertThat(t1.highestVersion()).isEqualTo(6);
            assertThat(t1.lowestVersion()).isBetween(5, 6);
            // ... with a 32-bit creation it accepted
            assertThat(creation).isGreaterThanOrEqualTo(4);
            // ... it lists what the server holds, and finds our client's registration there
            assertThat(names).isEqualTo("[{\"j1\",41100},{\"t1\"," + t1Port + "}]");
            assertThat(port).isEqualTo("{port,41100,6}");
            assertThat(missing).isEqualTo("noport");
            // ... and so does the epmd command
            Result listed = run(List.of(EPMD, "-port", Integer.toString(s.port()), "-names"), Map.of(),
                    Duration.ofSeconds(20));
            assertThat(listed.output()).contains("name t1 at port " + t1Port).contains("name j1 at port 41100");

            assertThat(erl.finish()).isZero();
            assertThat(s.awaitNames(n -> n.equals(List.of(new Names.Entry("j1", 41100))), Duration.ofSeconds(10)))
                    .as("t1 unregistered when erl halts").isTrue();
        }
    }

    @Test
    void erlGetsTheNextCreationWhenItComesBack() throws Exception {
        EpmdServer s = server();
        String eval = "io:format(\"CREATION ~p~n\", [erlang:system_info(creation)]), halt().";
        Erl first = new Erl(s.port(), "again", eval);
        long c1 = Long.parseLong(first.expect("CREATION "));
        assertThat(first.finish()).isZero();
        assertThat(s.awaitNames(List::isEmpty, Duration.ofSeconds(10))).as("the name goes").isTrue();
        Erl second = new Erl(s.port(), "again", eval);
        long c2 = Long.parseLong(second.expect("CREATION "));
        assertThat(second.finish()).isZero();
        assertThat(c2).isEqualTo(c1 + 1);
    }

    @Test
    void erlIsRefusedANameTaken() throws Exception {
        EpmdServer s = server();
        try (Registration ignored = new EpmdClient(s.port()).register("t2", 41101)) {
            Erl erl = new Erl(s.port(), "t2", "io:format(\"STARTED~n\"), halt().");
            assertThat(erl.process.waitFor(ERL_LIMIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(erl.process.exitValue()).isNotZero();
            assertThat(erl.output()).contains("in use").doesNotContain("STARTED");
            assertThat(s.names()).containsExactly(new Names.Entry("t2", 41101));
        }
    }

    @Test
    void ourClientReadsWhatErlRegisteredWithTheRealEpmd() throws Exception {
        int port = freePort();
        RealEpmd epmd = startRealEpmd(port);
        processes.add(epmd.process());
        EpmdClient client = new EpmdClient(port, Duration.ofSeconds(5));
        try (Registration ours = client.register("java1", 41102)) {
            Erl erl = new Erl(port, "t3", """
                    io:format("PORT ~p~n", [erl_epmd:port_please("java1", {127,0,0,1})]),
                    io:format("READY~n"),
                    io:get_line(""),
                    halt().""");
            assertThat(erl.expect("PORT ")).isEqualTo("{port,41102,6}");
            erl.expect("READY");
            PortInfo t3 = client.portPlease("127.0.0.1", "t3").orElseThrow();
            assertThat(t3.nodeType()).isEqualTo(77);
            assertThat(t3.highestVersion()).isEqualTo(6);
            assertThat(client.names("127.0.0.1").find("t3").orElseThrow().port()).isEqualTo(t3.port());
            assertThat(erl.finish()).isZero();
            epmd.awaitOutput("unregistering 't3:", Duration.ofSeconds(10));
            assertThat(client.portPlease("127.0.0.1", "t3")).isEmpty();
            assertThat(ours.isActive()).isTrue();
        }
    }
}
