package io.otp4j.observer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;

/** A client of an observer's JSON API for the tests, on the JDK's HttpClient. */
final class Api implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    Api(URI base) {
        this.base = base;
    }

    record Reply(int status, String contentType, String body, java.net.http.HttpHeaders headers) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    /** A GET with the given headers (name, value, name, value...). */
    Reply get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).GET();
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return send(b.build());
    }

    JsonNode json(String path) throws Exception {
        Reply r = get(path);
        if (r.status() != 200) throw new AssertionError("GET " + path + " gave " + r.status() + ": " + r.body());
        return r.json();
    }

    /** A POST with the given headers (name, value, name, value...). */
    Reply post(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return send(b.build());
    }

    private Reply send(HttpRequest req) throws Exception {
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(), r.headers());
    }

    /**
     * A raw HTTP/1.1 request over a socket, for what HttpClient will not send (a Host header of
     * another site); returns the status code.
     */
    int rawStatus(String method, String path, String host) throws IOException {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = s.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nX-Otp4j-Observer: 1\r\n"
                    + "Content-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String status = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    /** An open {@code /api/events} stream, read event by event. */
    final class Events implements AutoCloseable {
        private final HttpResponse<InputStream> response;
        private final java.io.BufferedReader reader;

        Events() throws Exception {
            response = http.send(HttpRequest.newBuilder(base.resolve("/api/events")).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            reader = new java.io.BufferedReader(new java.io.InputStreamReader(response.body(), StandardCharsets.UTF_8));
        }

        int status() {
            return response.statusCode();
        }

        String contentType() {
            return response.headers().firstValue("Content-Type").orElse("");
        }

        record Event(String id, String name, JsonNode data) {
        }

        /** The next event with data, or empty when the stream has ended. */
        Optional<Event> next() throws IOException {
            String id = null;
            String name = "message";
            StringBuilder data = null;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isEmpty()) {
                    if (data != null) return Optional.of(new Event(id, name, JSON.readTree(data.toString())));
                    continue; // a block without data (the retry setting)
                }
                if (line.startsWith("id: ")) id = line.substring(4);
                else if (line.startsWith("event: ")) name = line.substring(7);
                else if (line.startsWith("data: ")) {
                    if (data == null) data = new StringBuilder();
                    else data.append('\n');
                    data.append(line.substring(6));
                }
            }
            return Optional.empty();
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }

    Events events() throws Exception {
        return new Events();
    }

    // ------------------------------------------------------------------ reading the JSON

    static List<JsonNode> list(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).toList();
    }

    /** The tree node with child id {@code id} among the children of {@code parent}. */
    static JsonNode child(JsonNode parent, String id) {
        return list(parent.get("children")).stream().filter(c -> id.equals(c.get("id").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no child " + id + " in " + parent));
    }

    static JsonNode app(JsonNode apps, String name) {
        return list(apps.get("applications")).stream().filter(a -> name.equals(a.get("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no application " + name + " in " + apps));
    }

    static List<String> ids(JsonNode tree) {
        List<String> out = new ArrayList<>();
        for (JsonNode c : tree.get("children")) out.add(c.get("id").asText());
        return out;
    }

    @Override
    public void close() {
        http.close();
    }
}
