package io.otp4j;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Registered names: unique, one per process, released at exit. */
class NamesTest extends NodeTestSupport {

    @Test
    void registerWhereisSendUnregister() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Pid p = Proc.spawn(() -> Proc.send(me, "got " + Proc.receive()));
            Proc.register("echo", p);
            assertThat(Proc.whereis("echo")).contains(p);
            assertThat(Proc.registered()).contains("echo");
            assertThat(Proc.info(p).orElseThrow().registeredName()).contains("echo");
            Proc.send("echo", "hello");
            assertThat(await()).isEqualTo("got hello");
            awaitExit(p);
            assertThat(Proc.whereis("echo")).isEmpty();
            assertThat(Proc.registered()).doesNotContain("echo");
        });
    }

    @Test
    void namesAreUniqueAndAProcessHasOne() throws Exception {
        inProcess(() -> {
            Pid a = Proc.spawn(idle());
            Pid b = Proc.spawn(idle());
            Proc.register("unique", a);
            assertThatThrownBy(() -> Proc.register("unique", b))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("taken by " + a);
            assertThatThrownBy(() -> Proc.register("second", a))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already registered as 'unique'");
            Proc.unregister("unique");
            assertThat(Proc.whereis("unique")).isEmpty();
            Proc.register("unique", b);
            assertThat(Proc.whereis("unique")).contains(b);
            assertThatThrownBy(() -> Proc.unregister("never")).isInstanceOf(IllegalArgumentException.class);
            Proc.exit(a, ExitReason.KILL);
            Proc.exit(b, ExitReason.KILL);
        });
    }

    @Test
    void aNameIsReleasedBeforeMonitorsHearOfTheExit() throws Exception {
        inProcess(() -> {
            for (int i = 0; i < 200; i++) {
                Pid p = Proc.spawn(idle());
                Proc.register("reused", p);
                Ref ref = Proc.monitor(p);
                Proc.exit(p, ExitReason.KILL);
                await(m -> m instanceof Down d && d.ref().equals(ref) ? d : null);
                // the name is free the moment the Down arrives: re-registering never meets 'taken'
                Pid q = Proc.spawn(idle());
                Proc.register("reused", q);
                Proc.unregister("reused");
                Proc.exit(q, ExitReason.KILL);
            }
        });
    }

    @Test
    void deadProcessesCannotBeRegistered() throws Exception {
        inProcess(() -> {
            Pid p = Proc.spawn(() -> { });
            awaitExit(p);
            assertThatThrownBy(() -> Proc.register("ghost", p))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not alive");
        });
    }
}
