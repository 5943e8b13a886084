package io.otp4j.dist.internal.epmd;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * EPMD's answer to {@code NAMES_REQ}: the port it listens on and its registered nodes.
 *
 * @param epmdPort the port EPMD says it runs on
 * @param nodes    the registered nodes, in EPMD's order
 */
public record Names(int epmdPort, List<Entry> nodes) {
    public Names {
        nodes = List.copyOf(nodes);
    }

    /** A registered node: its alive name and distribution port. */
    public record Entry(String name, int port) {
        public Entry {
            Objects.requireNonNull(name, "name");
        }
    }

    /** The entry of {@code name}, if registered. */
    public Optional<Entry> find(String name) {
        return nodes.stream().filter(e -> e.name.equals(name)).findFirst();
    }

    /** True when {@code name} is registered. */
    public boolean contains(String name) {
        return find(name).isPresent();
    }
}
