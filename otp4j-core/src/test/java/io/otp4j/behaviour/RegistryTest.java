package io.otp4j.behaviour;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryTest extends BehaviourTestSupport {

    record Say(String text) {
    }

    @Test
    void uniqueKeysRegisterLookupUnregister() throws Exception {
        inProcess(() -> {
            Registry r = Registry.start(new Registry.Options("names", Registry.Keys.UNIQUE, 4));
            r.register("me", "value");
            Pid me = Proc.self();
            assertThat(r.lookup("me")).containsExactly(new Registry.Entry(me, "value"));
            assertThat(r.keys(me)).containsExactly("me");
            Pid other = Proc.spawn(() -> {
                try {
                    r.register("me", "other");
                } catch (Registry.AlreadyRegisteredException e) {
                    Proc.send(me, e.holder());
                }
            });
            Pid holder = await(m -> m instanceof Pid p ? p : null);
            assertThat(holder).isEqualTo(me);
            r.unregister("me");
            assertThat(r.lookup("me")).isEmpty();
            assertThat(Registry.named("names")).contains(r);
        });
    }

    @Test
    void entriesGoWhenTheirProcessDies() throws Exception {
        inProcess(() -> {
            Registry r = Registry.start(new Registry.Options("dying", Registry.Keys.DUPLICATE));
            Pid me = Proc.self();
            Proc.Spawned s = Proc.spawnMonitor(() -> {
                r.register("topic", 1);
                r.register("topic", 2);
                Proc.send(me, "registered");
                Proc.receive(x -> "die".equals(x) ? x : null);
            });
            await(m -> "registered".equals(m) ? m : null);
            assertThat(r.lookup("topic")).hasSize(2);
            Proc.send(s.pid(), "die");
            awaitDown(s.monitor());
            assertThat(r.lookup("topic")).isEmpty();
            assertThat(r.count()).isZero();
        });
    }

    @Test
    void duplicateKeysDispatchToEverySubscriber() throws Exception {
        inProcess(() -> {
            Registry rooms = Registry.start(new Registry.Options("rooms", Registry.Keys.DUPLICATE, 2));
            Pid me = Proc.self();
            for (String name : List.of("alice", "bob", "carol")) {
                Proc.spawn(() -> {
                    rooms.register("lobby", name);
                    Proc.send(me, "joined");
                    Say s = Proc.receive(m -> m instanceof Say x ? x : null);
                    Proc.send(me, name + " heard " + s.text());
                    Proc.receive(m -> null); // stays subscribed
                });
            }
            for (int i = 0; i < 3; i++) await(m -> "joined".equals(m) ? m : null);
            AtomicInteger calls = new AtomicInteger();
            rooms.dispatch("lobby", entries -> {
                calls.incrementAndGet();
                entries.forEach(e -> Proc.send(e.pid(), new Say("hi")));
            });
            rooms.dispatch("empty", entries -> calls.incrementAndGet());
            assertThat(calls).hasValue(1);
            List<String> heard = List.of(
                    await(m -> m instanceof String s && s.contains("heard") ? s : null),
                    await(m -> m instanceof String s && s.contains("heard") ? s : null),
                    await(m -> m instanceof String s && s.contains("heard") ? s : null));
            assertThat(heard).containsExactlyInAnyOrder("alice heard hi", "bob heard hi", "carol heard hi");
            assertThat(rooms.match("lobby", v -> ((String) v).startsWith("a"))).hasSize(1);
            assertThat(rooms.countMatch("lobby", v -> true)).isEqualTo(3);
        });
    }

    @Test
    void viaNamesForGenServerAgentAndSupervisor() throws Exception {
        inProcess(() -> {
            Registry reg = Registry.start(new Registry.Options("via", Registry.Keys.UNIQUE));
            ServerRef<GenServerTest.Counter.Msg> c = GenServer.start(new GenServerTest.Counter(5),
                    StartOptions.named(Name.via(reg, "counter:1")));
            ServerRef<GenServerTest.Counter.Msg> byKey = ServerRef.via(reg, "counter:1");
            int v = GenServer.call(byKey, new GenServerTest.Counter.Get());
            assertThat(v).isEqualTo(5);
            assertThatThrownBy(() -> GenServer.start(new GenServerTest.Counter(0), StartOptions.named(Name.via(reg, "counter:1"))))
                    .isInstanceOf(StartException.class).hasMessageContaining("already started");
            Agent<Integer> a = Agent.start(() -> 1, StartOptions.named(Name.via(reg, "agent")));
            int viaAgent = Agent.<Integer>of(ServerRef.via(reg, "agent")).get(x -> x + 1);
            assertThat(viaAgent).isEqualTo(2);
            ServerRef<?> sup = Supervisor.start(Supervisor.Flags.oneForOne(), List.of(), StartOptions.named(Name.via(reg, "sup")));
            assertThat(reg.whereis("sup")).contains(pid(sup));
            Ref mon = Proc.monitor(pid(c));
            GenServer.stop(c);
            awaitDown(mon);
            assertThat(reg.whereis("counter:1")).isEmpty();
            a.stop();
            Supervisor.stop(sup);
        });
    }

    @Test
    void stoppingTheOwnerClosesTheRegistry() throws Exception {
        inProcess(() -> {
            Registry r = Registry.start(new Registry.Options("closing", Registry.Keys.UNIQUE));
            r.register("k", 1);
            GenServer.stop(ServerRef.of(r.owner()));
            assertThat(Registry.named("closing")).isEmpty();
            assertThat(r.lookup("k")).isEmpty();
            assertThatThrownBy(() -> r.register("k", 2)).isInstanceOf(IllegalStateException.class);
        });
    }

    @Test
    void registeringFromOutsideAProcessIsRefused() throws Exception {
        Registry r = inProcess(() -> Registry.start(new Registry.Options("outside", Registry.Keys.UNIQUE)));
        assertThatThrownBy(() -> r.register("k", 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("must be a process");
    }

    @Test
    void viaNamesNeedUniqueKeys() throws Exception {
        inProcess(() -> {
            Registry dup = Registry.start(new Registry.Options("dups", Registry.Keys.DUPLICATE));
            assertThatThrownBy(() -> GenServer.start(new GenServerTest.Counter(0), StartOptions.named(Name.via(dup, "x"))))
                    .isInstanceOf(StartException.class);
            assertThat(ExitReason.NORMAL.isNormal()).isTrue();
        });
    }
}
