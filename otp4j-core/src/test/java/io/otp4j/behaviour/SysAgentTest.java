package io.otp4j.behaviour;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** sys on an Agent: its state is the agent's value. */
class SysAgentTest extends SysContract {

    @Override
    ServerRef<?> start() {
        return Agent.<List<Integer>>start(List::of).ref();
    }

    @Override
    void poke(ServerRef<?> target, int i) {
        Agent.<List<Integer>>of(target).cast(l -> {
            List<Integer> next = new ArrayList<>(l);
            next.add(i);
            return List.copyOf(next);
        });
    }

    @Override
    List<Integer> pokes(ServerRef<?> target) {
        return Agent.<List<Integer>>of(target).get(l -> l);
    }

    @Override
    @SuppressWarnings("unchecked")
    List<Integer> pokesIn(Object sysState) {
        return (List<Integer>) sysState;
    }

    @Override
    Object withPokes(Object shown, List<Integer> pokes) {
        return pokes;
    }

    @Override
    Optional<String> behaviour() {
        return Optional.of("Agent");
    }

    @Override
    String module() {
        return Agent.class.getName();
    }

    @Test
    void theAgentsValueIsItsState() throws Exception {
        inProcess(() -> {
            Agent<String> a = Agent.start(() -> "hello");
            assertThat(Sys.getState(a.ref())).isEqualTo("hello");
            Sys.replaceState(a.ref(), s -> s + ", world");
            String now = a.get(s -> s);
            assertThat(now).isEqualTo("hello, world");
        });
    }
}
