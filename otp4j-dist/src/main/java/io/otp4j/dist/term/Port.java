package io.otp4j.dist.term;

import java.util.Objects;

/**
 * An Erlang port identifier, as it arrives from another node: ports cannot be used across nodes,
 * but they travel in terms and come back unchanged.
 *
 * @param node     the name of the node the port belongs to
 * @param id       the port number (64 bits since OTP 24)
 * @param creation the incarnation of that node
 */
public record Port(String node, long id, int creation) {
    public Port {
        Objects.requireNonNull(node, "node");
    }

    /** As Erlang prints it: {@code #Port<node.id>}, here with the node's name. */
    @Override
    public String toString() {
        return "#Port<" + node + "." + Long.toUnsignedString(id) + ">";
    }
}
