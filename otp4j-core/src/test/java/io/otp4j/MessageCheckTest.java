package io.otp4j;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The checking mode rejects visibly mutable messages (the test nodes run with it on). */
class MessageCheckTest extends NodeTestSupport {

    record Order(String id, List<String> items, Map<String, Integer> qty) {
    }

    static final class Holder {
        int value;
    }

    static final class Frozen {
        final String name;

        Frozen(String name) {
            this.name = name;
        }
    }

    enum Color { RED }

    @Test
    void immutableMessagesPass() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Object[] ok = {
                    "s", 1, 2L, 3.0, true, 'c', BigInteger.TEN, Color.RED, me, Proc.makeRef(), Instant.now(),
                    new Order("o1", List.of("a", "b"), Map.of("a", 1)), Optional.of("x"), List.of(), new Frozen("f"),
                    ExitReason.NORMAL, new Exit(me, ExitReason.SHUTDOWN), java.util.Collections.unmodifiableList(List.of(1))
            };
            for (Object m : ok) {
                Proc.send(me, m);
                assertThat(Proc.receive()).isEqualTo(m);
            }
        });
    }

    @Test
    void visiblyMutableMessagesAreRejectedWithAHint() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            assertThatThrownBy(() -> Proc.send(me, new ArrayList<>(List.of(1))))
                    .isInstanceOf(MutableMessageException.class)
                    .hasMessageContaining("java.util.ArrayList").hasMessageContaining("List.copyOf");
            assertThatThrownBy(() -> Proc.send(me, new Order("o", new ArrayList<>(), Map.of())))
                    .isInstanceOf(MutableMessageException.class).hasMessageStartingWith("message.items ");
            assertThatThrownBy(() -> Proc.send(me, new Order("o", List.of(), new HashMap<>())))
                    .hasMessageStartingWith("message.qty ");
            assertThatThrownBy(() -> Proc.send(me, new int[]{1})).hasMessageContaining("array");
            assertThatThrownBy(() -> Proc.send(me, new Holder())).hasMessageContaining("non-final field 'value'");
            assertThatThrownBy(() -> Proc.send(me, new AtomicInteger())).hasMessageContaining("mutable number");
            assertThatThrownBy(() -> Proc.send(me, List.of(new Holder()))).hasMessageStartingWith("message[0] ");
            assertThat(Proc.receive(java.time.Duration.ZERO)).isEmpty(); // nothing was sent
        });
    }

    @Test
    void checkingIsOffByDefault() throws Exception {
        try (Node plain = Node.start(Node.Options.named("unchecked@localhost"))) {
            plain.run(() -> {
                Proc.send(Proc.self(), new ArrayList<>());
                return Proc.receive();
            });
        }
    }
}
