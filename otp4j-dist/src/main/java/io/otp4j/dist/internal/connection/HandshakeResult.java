package io.otp4j.dist.internal.connection;

import io.otp4j.dist.NodeName;

/**
 * A completed handshake.
 *
 * @param peer         the other node
 * @param peerCreation the other node's creation (32 bits, unsigned)
 * @param peerFlags    the flags the other node offered ({@linkplain DistFlags#expand expanded})
 * @param ourFlags     the flags this node offered
 * @param flags        the flags of the connection: those both offered
 * @param initiated    true when this node started the connection
 */
public record HandshakeResult(NodeName peer, int peerCreation, long peerFlags, long ourFlags, long flags,
                              boolean initiated) {

    /** True when the connection is hidden (one of the two nodes did not set {@link DistFlags#PUBLISHED}). */
    public boolean hidden() {
        return (flags & DistFlags.PUBLISHED) == 0;
    }

    /** True when messages travel with the distribution header; see {@link DistFlags#usesDistHeader}. */
    public boolean usesDistHeader() {
        return DistFlags.usesDistHeader(flags);
    }

    @Override
    public String toString() {
        return "HandshakeResult[peer=" + peer + ", creation=" + Integer.toUnsignedString(peerCreation)
                + ", " + (initiated ? "initiated" : "accepted") + ", flags=" + DistFlags.toString(flags) + "]";
    }
}
