package io.otp4j.examples;

import io.otp4j.Pid;
import io.otp4j.Report;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoTest {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void theDemoTellsTheStoryThenRunsTheExamplesWithTheObserverOpen() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (HttpClient http = HttpClient.newHttpClient();
             Demo demo = Demo.start(OptionalInt.of(0), new PrintStream(buf, true, UTF_8))) {
            String out = buf.toString(UTF_8);
            // the opening act
            assertThat(out)
                    .contains("counter value: 3")
                    .containsPattern("counter <0\\.\\d+\\.\\d+> died: \\{java.lang.IllegalArgumentException: counter cannot handle it}")
                    .contains("in a known good state: value 0")
                    .contains("supervisor stopped; counter alive? false");
            // where to look
            URI url = demo.observerUri();
            Pid counter = demo.node().whereis(Demo.COUNTER).orElseThrow();
            assertThat(out)
                    .contains("Observer: " + url)
                    .contains(url + "#process/" + bare(counter))
                    .contains("curl -s " + url + "api/apps");

            HttpResponse<String> apps = get(http, url.resolve("api/apps"));
            assertThat(apps.statusCode()).isEqualTo(200);
            assertThat(apps.body()).contains(
                    "\"name\":\"counters\"", "\"name\":\"counter_sup\"", "\"pid\":\"" + bare(counter) + "\"",
                    "\"name\":\"misiva\"", "\"name\":\"misiva_connections\"", "\"name\":\"apns3\"",
                    "\"name\":\"infosys\"", "\"name\":\"infosys_sup\"", "\"name\":\"infosys_cache\"",
                    "\"name\":\"demo\"", "\"name\":\"event_log\"", "\"name\":\"door_lock\"", "\"name\":\"demo_traffic\"");
        }
        assertThat(buf.toString(UTF_8)).endsWith("demo node stopped" + System.lineSeparator());
    }

    /** What the demo tells its users to try: Kill on the counter's page brings a new counter under the same supervisor. */
    @Test
    void killingTheCounterFromTheObserverStartsANewOneUnderTheSameSupervisor() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient();
             Demo demo = Demo.start(OptionalInt.of(0), new PrintStream(new ByteArrayOutputStream(), true, UTF_8))) {
            URI url = demo.observerUri();
            Pid old = demo.node().whereis(Demo.COUNTER).orElseThrow();
            CompletableFuture<Pid> restarted = new CompletableFuture<>();
            AutoCloseable listener = demo.node().addReportListener(r -> {
                if (r instanceof Report.Progress p && p.childId().equals(Demo.COUNTER)) restarted.complete(p.childPid());
            });
            try {
                HttpResponse<String> kill = http.send(HttpRequest.newBuilder(url.resolve("api/processes/" + bare(old) + "/kill"))
                        .header("X-Otp4j-Observer", "1").POST(HttpRequest.BodyPublishers.noBody()).timeout(TIMEOUT).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(kill.body()).contains("\"result\":\"killed\"");
                Pid again = restarted.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertThat(again).isNotEqualTo(old);

                String sup = counterSupervisor(get(http, url.resolve("api/apps")).body());
                assertThat(sup).contains("\"pid\":\"" + bare(again) + "\"").doesNotContain("\"pid\":\"" + bare(old) + "\"");
            } finally {
                listener.close();
            }
        }
    }

    @Test
    void onceStartsEverythingThenStopsIt() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // whoever holds the default port (this test, or something else), the demo takes another
        ServerSocket held = holdDefaultPort();
        try {
            int status = Demo.run(new String[] {"--once"}, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
            assertThat(status).isZero();
        } finally {
            if (held != null) held.close();
        }
        String text = out.toString(UTF_8);
        assertThat(text)
                .contains("supervisor stopped; counter alive? false")
                .contains("(port " + Demo.DEFAULT_PORT + " is taken: the Observer takes a free port)")
                .contains("--once: stopping the node")
                .endsWith("demo node stopped" + System.lineSeparator());
        Matcher m = Pattern.compile("Observer: (http://127\\.0\\.0\\.1:(\\d+)/)").matcher(text);
        assertThat(m.find()).as("the Observer's address in:%n%s", text).isTrue();
        int port = Integer.parseInt(m.group(2));
        assertThat(port).isNotEqualTo(Demo.DEFAULT_PORT);
        // stopped: nobody listens there any more
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void badArgumentsGetTheUsage() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Demo.run(new String[] {"--port", "eighty"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, UTF_8));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(UTF_8)).contains("--port takes a port number (0 to 65535), not 'eighty'").contains(Demo.USAGE);
    }

    private static HttpResponse<String> get(HttpClient http, URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The JSON of counter_sup's tree in /api/apps: from its name to the next application. */
    private static String counterSupervisor(String apps) {
        int at = apps.indexOf("\"name\":\"counter_sup\"");
        assertThat(at).as("counter_sup in %s", apps).isNotNegative();
        int next = apps.indexOf("\"name\":\"misiva\"", at);
        return next < 0 ? apps.substring(at) : apps.substring(at, next);
    }

    /** Binds the demo's default port, or null if another program has it already. */
    private static ServerSocket holdDefaultPort() throws IOException {
        try {
            return new ServerSocket(Demo.DEFAULT_PORT, 50, InetAddress.getLoopbackAddress());
        } catch (BindException taken) {
            return null;
        }
    }

    private static String bare(Pid pid) {
        String s = pid.toString();
        return s.substring(1, s.length() - 1);
    }
}
