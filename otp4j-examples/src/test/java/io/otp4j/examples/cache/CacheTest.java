package io.otp4j.examples.cache;

import io.otp4j.Down;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.behaviour.ChildSpec;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.Supervisor;
import io.otp4j.tables.Ets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class CacheTest {
    static Node node;

    @BeforeAll
    static void start() {
        node = Node.start(Node.Options.named("cache_test@localhost"));
    }

    @AfterAll
    static void stop() {
        node.stop();
    }

    record Swept(long n) {
    }

    record Fetched(Object value) {
    }

    @Test
    void callersReadAndWriteTheTableThemselves() throws Exception {
        node.run(() -> {
            Cache.Handle cache = Cache.startLink(Cache.Options.named("direct"));
            cache.put("k", "v", Duration.ofMinutes(1));
            Pid me = Proc.self();
            for (int i = 0; i < 10; i++) {
                int n = i;
                Proc.spawn(() -> {
                    Cache.Handle c = Cache.named("direct");
                    c.put("key" + n, n, Duration.ofMinutes(1));
                    Proc.send(me, new Fetched(c.fetch("k").orElse("missing")));
                });
            }
            for (int i = 0; i < 10; i++) {
                Object got = Proc.receive(m -> m instanceof Fetched f ? f.value() : null);
                assertThat(got).isEqualTo("v");
            }
            assertThat(cache.size()).isEqualTo(11);
            assertThat(cache.fetch("key7")).contains(7);
            cache.evict("key7");
            assertThat(cache.fetch("key7")).isEmpty();
            GenServer.stop(cache.server());
            return null;
        });
    }

    @Test
    void expiredEntriesAreNeverReturnedAndSweepsRemoveThem() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        node.run(() -> {
            Pid me = Proc.self();
            Cache.Handle cache = Cache.startLink(Cache.Options.named("sweeping")
                    .sweepEvery(Duration.ofMillis(20))
                    .clock(now::get)
                    .onSweep(n -> Proc.send(me, new Swept(n))));
            cache.put("short", 1, Duration.ofSeconds(10));
            cache.put("long", 2, Duration.ofSeconds(100));
            assertThat(cache.fetch("short")).contains(1);
            now.addAndGet(Duration.ofSeconds(11).toNanos());
            assertThat(cache.fetch("short")).as("expired, swept or not").isEmpty();
            assertThat(cache.fetch("long")).contains(2);
            // the interval timer's sweeps: wait for the one that removes the expired entry
            long removed = 0;
            while (removed == 0) removed = Proc.receive(m -> m instanceof Swept s ? s.n() : null);
            assertThat(removed).isEqualTo(1);
            assertThat(cache.size()).isEqualTo(1);
            assertThat(cache.fetch("long")).contains(2);
            GenServer.stop(cache.server());
            return null;
        });
    }

    record Started(Pid pid) {
    }

    @Test
    void theTableLivesAndDiesWithTheServer() throws Exception {
        node.run(() -> {
            Pid me = Proc.self();
            var sup = Supervisor.start(Supervisor.Flags.oneForOne(),
                    List.of(ChildSpec.worker("cache", () -> {
                        Cache.startLink(Cache.Options.named("supervised"));
                        Pid pid = Proc.whereis("supervised").orElseThrow();
                        Proc.send(me, new Started(pid));
                        return pid;
                    })));
            Pid first = Proc.receive(m -> m instanceof Started s ? s.pid() : null);
            Cache.Handle cache = Cache.named("supervised");
            cache.put("k", "v", Duration.ofMinutes(1));
            Ref mon = Proc.monitor(first);
            Proc.exit(first, io.otp4j.ExitReason.KILL);
            Proc.receive(m -> m instanceof Down d && d.ref().equals(mon) ? d : null);
            // restarted from init: a new, empty table under the same name
            Pid second = Proc.receive(m -> m instanceof Started s ? s.pid() : null);
            assertThat(second).isNotEqualTo(first);
            assertThat(Ets.whereis("supervised")).isPresent();
            assertThat(cache.fetch("k")).isEmpty();
            GenServer.stop(sup);
            assertThat(Ets.whereis("supervised")).isEmpty();
            return null;
        });
    }
}
