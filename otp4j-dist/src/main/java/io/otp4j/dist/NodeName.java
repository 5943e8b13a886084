package io.otp4j.dist;

import java.util.Objects;

/**
 * A node's name, {@code alive@host}: {@code alive} is what EPMD registers, {@code host} where the
 * node runs. A short name ({@code -sname}) has a host without dots, a long name ({@code -name}) a
 * fully qualified host or an address; nodes of the two kinds do not talk to each other.
 *
 * @param alive the part before {@code @}
 * @param host  the part after it
 */
public record NodeName(String alive, String host) {
    public NodeName {
        Objects.requireNonNull(alive, "alive");
        Objects.requireNonNull(host, "host");
        if (alive.isEmpty() || alive.contains("@")) {
            throw new IllegalArgumentException("a node name is alive@host, with a non-empty alive part: " + alive);
        }
        if (host.isEmpty()) throw new IllegalArgumentException("a node name needs a host: " + alive + "@");
    }

    /** Parses {@code alive@host}. */
    public static NodeName parse(String full) {
        int at = full.indexOf('@');
        if (at <= 0 || at == full.length() - 1 || full.indexOf('@', at + 1) >= 0) {
            throw new IllegalArgumentException("a node name is alive@host, got: " + full);
        }
        return new NodeName(full.substring(0, at), full.substring(at + 1));
    }

    /** True for a long name (a host with dots, or an address). */
    public boolean isLong() {
        return host.contains(".") || host.contains(":");
    }

    @Override
    public String toString() {
        return alive + "@" + host;
    }
}
