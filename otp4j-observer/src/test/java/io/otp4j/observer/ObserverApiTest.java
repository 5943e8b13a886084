package io.otp4j.observer;

import com.fasterxml.jackson.databind.JsonNode;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Report;
import io.otp4j.behaviour.ChildSpec;
import io.otp4j.behaviour.DynamicSupervisor;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.dist.DistOptions;
import io.otp4j.dist.Distribution;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.otp4j.observer.Api.app;
import static io.otp4j.observer.Api.child;
import static io.otp4j.observer.Api.ids;
import static io.otp4j.observer.Api.list;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The observer's JSON API against a node running the {@link Shop} application. Tests that change
 * the shop (kill, crash, block) wait for its restart on the node's own reports before they end.
 */
class ObserverApiTest {
    static final Duration CALL_TIMEOUT = Duration.ofMillis(300);

    static Node node;
    static Observer observer;
    static Api api;

    @BeforeAll
    static void start() throws Exception {
        node = Shop.startNode("observed@localhost");
        observer = Observer.start(node, Observer.Options.defaults().withCallTimeout(CALL_TIMEOUT)
                .withEventInterval(Duration.ofMillis(100)));
        api = new Api(observer.uri());
    }

    @AfterAll
    static void stop() {
        api.close();
        observer.close();
        node.stop();
    }

    static String text(Pid pid) {
        String s = pid.toString();
        return s.substring(1, s.length() - 1);
    }

    static Pid whereis(String name) {
        return node.whereis(name).orElseThrow(() -> new AssertionError(name + " is not registered"));
    }

    /** Completes with the clerk's new pid when its supervisor has started it again. */
    static CompletableFuture<Pid> nextClerk(Pid old, List<AutoCloseable> listeners) {
        CompletableFuture<Pid> restarted = new CompletableFuture<>();
        listeners.add(node.addReportListener(r -> {
            if (r instanceof Report.Progress p && "clerk".equals(p.childId()) && !p.childPid().equals(old)) {
                restarted.complete(p.childPid());
            }
        }));
        return restarted;
    }

    static Pid await(CompletableFuture<Pid> f) throws Exception {
        return f.get(Api.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------ reading

    @Test
    void nodeSummary() throws Exception {
        JsonNode n = api.json("/api/node");
        assertThat(n.get("name").asText()).isEqualTo("observed@localhost");
        assertThat(n.get("creation").asInt()).isEqualTo(node.creation());
        assertThat(n.get("processCount").asInt()).isGreaterThanOrEqualTo(8);
        assertThat(n.get("uptimeMs").asLong()).isPositive();
        assertThat(n.get("distributed").asBoolean()).isFalse();
        assertThat(n.get("jvm").get("availableProcessors").asInt()).isPositive();

        JsonNode nodes = api.json("/api/nodes");
        assertThat(nodes.get("distributed").asBoolean()).isFalse();
        assertThat(nodes.get("note").asText()).isEqualTo("not distributed");
    }

    @Test
    void processListShowsBehavioursAndCounters() throws Exception {
        Pid clerk = whereis("shop_clerk");
        Pid sup = whereis("shop_sup");
        JsonNode ps = api.json("/api/processes");
        assertThat(ps.get("truncated").asBoolean()).isFalse();
        List<JsonNode> rows = list(ps.get("processes"));
        assertThat(ps.get("count").asInt()).isEqualTo(rows.size());

        JsonNode c = row(rows, clerk);
        assertThat(c.get("name").asText()).isEqualTo("shop_clerk");
        assertThat(c.get("behaviour").asText()).isEqualTo("GenServer");
        assertThat(c.get("module").asText()).isEqualTo(Shop.Clerk.class.getName());
        assertThat(c.get("status").asText()).isEqualTo("waiting");
        assertThat(c.get("messageQueueLen").asInt()).isZero();
        assertThat(c.get("memory").asLong()).isPositive();
        assertThat(c.get("reductions").asLong()).isNotNegative();

        JsonNode s = row(rows, sup);
        assertThat(s.get("behaviour").asText()).isEqualTo("Supervisor");
        assertThat(s.get("trapExit").asBoolean()).isTrue();
    }

    static JsonNode row(List<JsonNode> rows, Pid pid) {
        return rows.stream().filter(r -> text(pid).equals(r.get("pid").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no process " + pid + " in the list"));
    }

    @Test
    void applicationsComeWithTheirSupervisionTrees() throws Exception {
        JsonNode shop = app(api.json("/api/apps"), Shop.APP);
        assertThat(shop.get("version").asText()).isEqualTo("1.2.0");
        assertThat(shop.get("type").asText()).isEqualTo("temporary");

        JsonNode top = shop.get("tree");
        assertThat(top.get("pid").asText()).isEqualTo(text(whereis("shop_sup")));
        assertThat(top.get("name").asText()).isEqualTo("shop_sup");
        assertThat(top.get("behaviour").asText()).isEqualTo("Supervisor");
        assertThat(top.get("type").asText()).isEqualTo("supervisor");
        assertThat(ids(top)).containsExactly("store", "clerk", "jobs");

        JsonNode clerk = child(top, "clerk");
        assertThat(clerk.get("pid").asText()).isEqualTo(text(whereis("shop_clerk")));
        assertThat(clerk.get("type").asText()).isEqualTo("worker");
        assertThat(clerk.get("restart").asText()).isEqualTo("permanent");
        assertThat(clerk.get("childStatus").asText()).isEqualTo("running");
        assertThat(clerk.get("behaviour").asText()).isEqualTo("GenServer");
        assertThat(clerk.get("module").asText()).isEqualTo(Shop.Clerk.class.getName());

        JsonNode jobs = child(top, "jobs");
        assertThat(jobs.get("type").asText()).isEqualTo("supervisor");
        assertThat(jobs.get("behaviour").asText()).isEqualTo("DynamicSupervisor");
        assertThat(jobs.get("error").isNull()).isTrue();
        List<JsonNode> kids = list(jobs.get("children"));
        assertThat(kids).hasSizeGreaterThanOrEqualTo(2);
        for (JsonNode k : kids) {
            assertThat(k.get("module").asText()).isIn(Shop.Job.class.getName(), Shop.SlowJob.class.getName());
            assertThat(k.get("restart").isNull()).isTrue(); // a dynamic supervisor does not say
        }
    }

    @Test
    void tablesWithTheirOwners() throws Exception {
        JsonNode tables = api.json("/api/tables");
        JsonNode prices = list(tables.get("ets")).stream().filter(t -> Shop.TABLE.equals(t.get("name").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no table " + Shop.TABLE + " in " + tables));
        assertThat(prices.get("size").asLong()).isEqualTo(3);
        assertThat(prices.get("type").asText()).isEqualTo("set");
        assertThat(prices.get("access").asText()).isEqualTo("public");
        assertThat(prices.get("memory").asLong()).isPositive();
        String store = child(app(api.json("/api/apps"), Shop.APP).get("tree"), "store").get("pid").asText();
        assertThat(prices.get("owner").asText()).isEqualTo(store);
        assertThat(tables.get("dets").isArray()).isTrue();
    }

    @Test
    void aProcessPageShowsLinksStateAndStatus() throws Exception {
        Pid clerk = whereis("shop_clerk");
        Pid sup = whereis("shop_sup");
        JsonNode p = api.json("/api/processes/" + text(clerk));
        assertThat(p.get("alive").asBoolean()).isTrue();
        assertThat(p.get("name").asText()).isEqualTo("shop_clerk");
        assertThat(p.get("behaviour").asText()).isEqualTo("GenServer");
        assertThat(list(p.get("links"))).anySatisfy(l -> {
            assertThat(l.get("pid").asText()).isEqualTo(text(sup));
            assertThat(l.get("local").asBoolean()).isTrue();
        });
        assertThat(p.get("monitors").isArray()).isTrue();
        assertThat(p.get("monitoredBy").isArray()).isTrue();
        assertThat(p.get("state").get("ok").asBoolean()).as(p.get("state").toString()).isTrue();
        assertThat(p.get("state").get("text").asText()).isEqualTo("Stock[items=7]");
        assertThat(p.get("sysStatus").get("ok").asBoolean()).as(p.get("sysStatus").toString()).isTrue();
        assertThat(p.get("sysStatus").get("text").asText()).contains("Stock[items=7]");
        assertThat(p.get("lastCrash").isNull()).isTrue();

        // the angle-bracketed form is understood too
        assertThat(api.get("/api/processes/%3C" + text(clerk) + "%3E").status()).isEqualTo(200);
        // a plain process has no behaviour state to ask for
        Pid plain = node.spawn(() -> Proc.receive());
        JsonNode pp = api.json("/api/processes/" + text(plain));
        assertThat(pp.get("behaviour").isNull()).isTrue();
        assertThat(pp.get("state").get("ok").asBoolean()).isFalse();
        assertThat(pp.get("status").asText()).isIn("waiting", "running");
        node.send(plain, "done");
    }

    // ------------------------------------------------------------------ acting

    @Test
    void killRestartsTheWorkerUnderTheSameSupervisor() throws Exception {
        Pid old = whereis("shop_clerk");
        Pid sup = whereis("shop_sup");
        List<AutoCloseable> listeners = new java.util.ArrayList<>();
        try {
            CompletableFuture<Pid> restarted = nextClerk(old, listeners);
            Api.Reply r = api.post("/api/processes/" + text(old) + "/kill", "X-Otp4j-Observer", "1");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().get("result").asText()).isEqualTo("killed");
            Pid fresh = await(restarted);

            JsonNode top = app(api.json("/api/apps"), Shop.APP).get("tree");
            assertThat(top.get("pid").asText()).isEqualTo(text(sup));
            JsonNode clerk = child(top, "clerk");
            assertThat(clerk.get("pid").asText()).isEqualTo(text(fresh)).isNotEqualTo(text(old));
            // killed by a signal: no crash report, so the old pid is simply gone
            assertThat(api.get("/api/processes/" + text(old)).status()).isEqualTo(404);
        } finally {
            for (AutoCloseable l : listeners) l.close();
        }
    }

    @Test
    void theLastCrashReportIsKeptForTheProcessPage() throws Exception {
        Pid old = crashClerk("out of plums");
        JsonNode p = api.json("/api/processes/" + text(old));
        assertThat(p.get("alive").asBoolean()).isFalse();
        assertThat(p.get("lastCrash").get("reason").asText()).contains("out of plums");
        assertThat(p.get("lastCrash").get("text").asText()).contains("out of plums");
        assertThat(p.get("lastCrash").get("time").asText()).isNotEmpty();
    }

    @Test
    void crashReportsAreKeptForABoundedNumberOfProcesses() throws Exception {
        try (Observer small = Observer.start(node, Observer.Options.defaults().withCrashReports(1));
             Api client = new Api(small.uri())) {
            Pid first = crashClerk("first");
            Pid second = crashClerk("second");
            assertThat(client.get("/api/processes/" + text(first)).status()).isEqualTo(404); // forgotten
            assertThat(client.json("/api/processes/" + text(second)).get("lastCrash").get("reason").asText())
                    .contains("second");
            // the other observer keeps more
            assertThat(api.json("/api/processes/" + text(first)).get("lastCrash").get("reason").asText())
                    .contains("first");
        }
    }

    /** Makes the clerk crash with {@code why}; returns its pid once it has been restarted. */
    static Pid crashClerk(String why) throws Exception {
        Pid old = whereis("shop_clerk");
        List<AutoCloseable> listeners = new java.util.ArrayList<>();
        try {
            CompletableFuture<Pid> restarted = nextClerk(old, listeners);
            node.run(() -> {
                GenServer.cast(ServerRef.<Shop.Clerk.Msg>of(old), new Shop.Clerk.Crash(why));
                return null;
            });
            await(restarted);
        } finally {
            for (AutoCloseable l : listeners) l.close();
        }
        return old;
    }

    @Test
    void theProcessListIsBoundedButCountsEverything() throws Exception {
        try (Observer small = Observer.start(node, Observer.Options.defaults().withProcessLimit(3));
             Api client = new Api(small.uri())) {
            JsonNode ps = client.json("/api/processes");
            assertThat(ps.get("truncated").asBoolean()).isTrue();
            assertThat(ps.get("processes")).hasSize(3);
            assertThat(ps.get("count").asInt()).isGreaterThan(3);
        }
    }

    @Test
    void crossSitePostsAreRefused() throws Exception {
        Pid clerk = whereis("shop_clerk");
        String kill = "/api/processes/" + text(clerk) + "/kill";

        Api.Reply noHeader = api.post(kill);
        assertThat(noHeader.status()).isEqualTo(403);
        assertThat(noHeader.json().get("error").asText()).contains("X-Otp4j-Observer");

        Api.Reply otherOrigin = api.post(kill, "X-Otp4j-Observer", "1", "Origin", "http://evil.example");
        assertThat(otherOrigin.status()).isEqualTo(403);
        assertThat(otherOrigin.json().get("error").asText()).contains("cross-site");

        // another site's page reading the API (fetch, EventSource) sends its Origin
        assertThat(api.get("/api/processes", "Origin", "http://evil.example").status()).isEqualTo(403);
        assertThat(api.get("/api/events", "Origin", "http://evil.example").status()).isEqualTo(403);
        // the observer's own page may post (browsers send its origin)
        Api.Reply own = api.post("/api/processes/0.99999999.0/kill", "X-Otp4j-Observer", "1",
                "Origin", "http://127.0.0.1:" + observer.port());
        assertThat(own.status()).as(own.body()).isEqualTo(404);

        // DNS rebinding: a page of evil.example resolved to 127.0.0.1 names its own host
        assertThat(api.rawStatus("POST", kill, "evil.example:" + observer.port())).isEqualTo(403);
        assertThat(api.rawStatus("GET", "/api/processes", "evil.example:" + observer.port())).isEqualTo(403);
        assertThat(api.rawStatus("GET", "/api/node", "localhost:" + observer.port())).isEqualTo(200);

        assertThat(node.isAlive(clerk)).isTrue();
        assertThat(api.get(kill).status()).isEqualTo(405);
    }

    @Test
    void unknownPidsAreNotFound() throws Exception {
        assertThat(api.get("/api/processes/0.99999999.0").status()).isEqualTo(404);
        assertThat(api.post("/api/processes/0.99999999.0/kill", "X-Otp4j-Observer", "1").status()).isEqualTo(404);
        Api.Reply bad = api.get("/api/processes/not-a-pid");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("error").asText()).contains("0.123.0");
        assertThat(api.get("/api/processes/5.1.0").status()).isEqualTo(400); // another node's pid
        assertThat(api.get("/api/nothing").status()).isEqualTo(404);
        assertThat(api.rawStatus("GET", "/api/processes/%zz", "127.0.0.1:" + observer.port())).isEqualTo(400);
    }

    // ------------------------------------------------------------------ busy processes

    @Test
    void aBusyProcessTimesOutOnItsOwnPage() throws Exception {
        Pid clerk = whereis("shop_clerk");
        node.run(() -> {
            GenServer.cast(ServerRef.<Shop.Clerk.Msg>of(clerk), new Shop.Clerk.Block());
            return null;
        });
        try {
            JsonNode p = api.json("/api/processes/" + text(clerk));
            assertThat(p.get("alive").asBoolean()).isTrue();
            assertThat(p.get("state").get("ok").asBoolean()).isFalse();
            assertThat(p.get("state").get("error").asText()).containsAnyOf("timed out after 300 ms", "did not answer");
            assertThat(p.get("sysStatus").get("ok").asBoolean()).isFalse();
            assertThat(p.get("sysStatus").get("error").asText()).startsWith("not asked");
            // the rest of the node still reads
            assertThat(child(app(api.json("/api/apps"), Shop.APP).get("tree"), "clerk").get("pid").asText())
                    .isEqualTo(text(clerk));
        } finally {
            node.send(clerk, "unblock");
        }
    }

    @Test
    void aBusySupervisorCostsOnlyItsOwnSubtree() throws Exception {
        CompletableFuture<Pid> waiting = new CompletableFuture<>();
        CompletableFuture<Pid> started = new CompletableFuture<>();
        node.spawn(() -> started.complete(DynamicSupervisor.startChild(ServerRef.named("shop_jobs"),
                ChildSpec.worker("slow", () -> GenServer.startLink(new Shop.SlowJob(waiting)))
                        .withRestart(ChildSpec.Restart.TEMPORARY))));
        Pid slow = waiting.get(Api.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        try {
            JsonNode top = app(api.json("/api/apps"), Shop.APP).get("tree");
            JsonNode jobs = child(top, "jobs");
            assertThat(jobs.get("error").asText()).contains("did not answer within 300 ms");
            assertThat(jobs.get("children")).isEmpty();
            assertThat(child(top, "clerk").get("pid").asText()).isEqualTo(text(whereis("shop_clerk")));
            assertThat(child(top, "store").get("error").isNull()).isTrue();
        } finally {
            node.send(slow, "go");
        }
        assertThat(started.get(Api.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(slow);
        JsonNode jobs = child(app(api.json("/api/apps"), Shop.APP).get("tree"), "jobs");
        assertThat(jobs.get("error").isNull()).isTrue();
        assertThat(list(jobs.get("children"))).anySatisfy(k -> assertThat(k.get("pid").asText()).isEqualTo(text(slow)));
        node.run(() -> {
            DynamicSupervisor.terminateChild(ServerRef.named("shop_jobs"), slow);
            return null;
        });
    }

    // ------------------------------------------------------------------ the page and the stream

    @Test
    void thePageIsServedWithItsScriptAndStyle() throws Exception {
        Api.Reply page = api.get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.body()).contains("otp4j observer").contains("observer.js").contains("observer.css");
        assertThat(page.headers().firstValue("X-Frame-Options")).contains("DENY");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("frame-ancestors 'none'");
        Api.Reply js = api.get("/observer.js");
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.contentType()).startsWith("text/javascript");
        assertThat(js.body()).contains("EventSource");
        assertThat(api.get("/observer.css").contentType()).startsWith("text/css");
        assertThat(api.post("/", "X-Otp4j-Observer", "1").status()).isEqualTo(405);
    }

    @Test
    void theEventStreamPushesSnapshots() throws Exception {
        try (Api.Events events = api.events()) {
            assertThat(events.status()).isEqualTo(200);
            assertThat(events.contentType()).startsWith("text/event-stream");
            Api.Events.Event first = events.next().orElseThrow();
            Api.Events.Event second = events.next().orElseThrow();
            for (Api.Events.Event e : List.of(first, second)) {
                assertThat(e.name()).isEqualTo("snapshot");
                assertThat(e.data().get("node").get("name").asText()).isEqualTo("observed@localhost");
                assertThat(app(e.data().get("apps"), Shop.APP).get("tree").get("name").asText()).isEqualTo("shop_sup");
                assertThat(e.data().get("processes").get("count").asInt()).isPositive();
                assertThat(e.data().get("tables").get("ets").isArray()).isTrue();
                assertThat(e.data().get("nodes").get("distributed").asBoolean()).isFalse();
                assertThat(e.id()).isEqualTo(e.data().get("seq").asText());
            }
            assertThat(second.data().get("seq").asLong()).isGreaterThan(first.data().get("seq").asLong());
        }
    }

    @Test
    void closingEndsTheStreamsAndReleasesThePort() throws Exception {
        Observer second = Observer.start(node, Observer.Options.defaults().withEventInterval(Duration.ofMillis(50)));
        Api client = new Api(second.uri());
        try (Api.Events events = client.events()) {
            assertThat(events.next()).isPresent();
            second.close();
            // the stream ends: no more events, however many were on their way
            Optional<Api.Events.Event> e;
            do {
                e = events.next();
            } while (e.isPresent());
        } finally {
            second.close();
            client.close();
        }
        try (Api gone = new Api(second.uri())) {
            assertThatThrownBy(() -> gone.get("/api/node")).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void aDistributedNodeListsItsConnectedNodes() throws Exception {
        int epmd;
        try (ServerSocket s = new ServerSocket(0)) {
            epmd = s.getLocalPort();
        }
        try (Node a = Node.start(Node.Options.named("obs-a@localhost"));
             Node b = Node.start(Node.Options.named("obs-b@localhost"))) {
            Distribution da = Distribution.start(a, DistOptions.cookie("observer").withEpmdPort(epmd));
            Distribution.start(b, DistOptions.cookie("observer").withEpmdPort(epmd));
            assertThat(da.connect("obs-b@localhost")).isTrue();
            try (Observer withDist = Observer.start(a, Observer.Options.defaults().withDistribution(da));
                 Observer without = Observer.start(b, Observer.Options.defaults());
                 Api ca = new Api(withDist.uri());
                 Api cb = new Api(without.uri())) {
                JsonNode nodes = ca.json("/api/nodes");
                assertThat(nodes.get("distributed").asBoolean()).isTrue();
                assertThat(nodes.get("name").asText()).isEqualTo("obs-a@localhost");
                assertThat(list(nodes.get("connected"))).extracting(JsonNode::asText).containsExactly("obs-b@localhost");
                assertThat(ca.json("/api/node").get("distributed").asBoolean()).isTrue();

                // without the option, the observer finds the node's own distribution
                JsonNode other = cb.json("/api/nodes");
                assertThat(other.get("distributed").asBoolean()).isTrue();
                assertThat(list(other.get("connected"))).extracting(JsonNode::asText).containsExactly("obs-a@localhost");
            }
        }
    }
}
