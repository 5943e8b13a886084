package io.otp4j.dist.internal.epmd;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What EPMD knows of a registered node ({@code PORT2_RESP}).
 *
 * @param port           the node's distribution port
 * @param nodeType       77 for a normal node, 72 for a hidden one (see {@link NodeType})
 * @param protocol       0: TCP/IPv4
 * @param highestVersion the highest distribution version the node speaks
 * @param lowestVersion  the lowest
 * @param name           the node's alive name
 * @param extra          the extra field of its registration (usually empty); copied in and out
 */
public record PortInfo(int port, int nodeType, int protocol, int highestVersion, int lowestVersion, String name,
                       byte[] extra) {
    public PortInfo {
        Objects.requireNonNull(name, "name");
        extra = extra == null ? new byte[0] : extra.clone();
    }

    @Override
    public byte[] extra() {
        return extra.clone();
    }

    /** True when the node registered as hidden (type 72). */
    public boolean hidden() {
        return nodeType == NodeType.HIDDEN.code();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PortInfo p && port == p.port && nodeType == p.nodeType && protocol == p.protocol
                && highestVersion == p.highestVersion && lowestVersion == p.lowestVersion && name.equals(p.name)
                && Arrays.equals(extra, p.extra);
    }

    @Override
    public int hashCode() {
        return Objects.hash(port, nodeType, protocol, highestVersion, lowestVersion, name) * 31 + Arrays.hashCode(extra);
    }

    @Override
    public String toString() {
        return "PortInfo[name=" + name + ", port=" + port + ", nodeType=" + nodeType + ", protocol=" + protocol
                + ", versions=" + lowestVersion + ".." + highestVersion + ", extra=" + HexFormat.of().formatHex(extra) + "]";
    }
}
