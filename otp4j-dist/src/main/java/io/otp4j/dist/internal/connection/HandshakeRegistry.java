package io.otp4j.dist.internal.connection;

import io.otp4j.dist.NodeName;

/**
 * What the handshake asks of the node's table of connections, so that two nodes connecting to
 * each other at the same time end up with one connection, and a node that restarted can replace
 * its old connection.
 *
 * <p>The node marks a peer pending before it {@linkplain Handshake#initiate initiates} a
 * connection to it, and marks it up (or forgets it) when the handshake ends.
 */
public interface HandshakeRegistry {

    /** The accepting side's answer to a node that asks to connect; the status the handshake sends. */
    enum Pending {
        /** No connection to that node, none pending: go on ({@code ok}). */
        OK,
        /**
         * This node is connecting to the peer too and the peer's connection wins: this node gives
         * up its own attempt and goes on with this one ({@code ok_simultaneous}).
         */
        OK_SIMULTANEOUS,
        /** This node is connecting to the peer too and its own connection wins: refuse ({@code nok}). */
        NOK,
        /**
         * A connection to that node is up: ask the peer whether it really wants a new one
         * ({@code alive}); if it does, {@link #replace} ends the old one.
         */
        ALIVE,
    }

    /**
     * The accepting side: {@code peer} asks to connect. Marks it pending unless the answer is {@link
     * Pending#NOK}. On {@link Pending#OK_SIMULTANEOUS} this node's own attempt to {@code peer} is to be
     * aborted (its handshake fails with a closed stream, or it was refused with {@code nok}).
     */
    Pending acceptPending(NodeName peer);

    /**
     * The initiating side, after the peer answered {@code alive}: true when this node still wants
     * this connection (the peer then drops its old one), false to give it up.
     */
    boolean isPending(NodeName peer);

    /** The accepting side, after the peer confirmed {@code alive}: end the old connection to {@code peer}. */
    default void replace(NodeName peer) {}

    /**
     * How two simultaneous connection attempts are decided, as Erlang decides them: the attempt
     * started by the node with the greater name ({@code alive@host}, compared as text) goes on.
     *
     * @return true when the attempt {@code self} started to {@code peer} wins
     */
    static boolean ownAttemptWins(NodeName self, NodeName peer) {
        return self.toString().compareTo(peer.toString()) > 0;
    }

    /** A registry that lets every connection through: for a single connection, or tests. */
    HandshakeRegistry ACCEPT_ALL = new HandshakeRegistry() {
        @Override
        public Pending acceptPending(NodeName peer) {
            return Pending.OK;
        }

        @Override
        public boolean isPending(NodeName peer) {
            return true;
        }
    };
}
