package io.otp4j.behaviour;

import java.util.Objects;

/**
 * How a started process is named: {@link #local} in the node's registry of names, or
 * {@link #via} a {@link Registry}. Global names come with distribution.
 */
public sealed interface Name {

    /** A registered name of the node ({@code {local, Name}}). */
    record Local(String name) implements Name {
        public Local {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A key in a {@link Registry} with unique keys ({@code {via, Registry, Key}}). */
    record Via(Registry registry, Object key) implements Name {
        public Via {
            Objects.requireNonNull(registry, "registry");
            Objects.requireNonNull(key, "key");
        }

        @Override
        public String toString() {
            return "{via," + registry.name() + "," + key + "}";
        }
    }

    static Name local(String name) {
        return new Local(name);
    }

    static Name via(Registry registry, Object key) {
        return new Via(registry, key);
    }
}
