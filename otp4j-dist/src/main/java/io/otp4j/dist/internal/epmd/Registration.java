package io.otp4j.dist.internal.epmd;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;

/**
 * A node's registration with EPMD. EPMD keeps a name registered as long as the connection that
 * registered it stays open: closing this object (or losing the connection) unregisters the name.
 *
 * <p>A virtual thread watches the connection; {@link #ended()} completes when the registration
 * ends: normally after {@link #close()}, exceptionally (an {@link EpmdException} of kind
 * {@link EpmdException.Kind#CLOSED CLOSED}) when EPMD dropped it first.
 */
public final class Registration implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Registration.class);

    private final Socket socket;
    private final String alive;
    private final int port;
    private final NodeType nodeType;
    private final int creation;
    private final boolean extendedCreation;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile boolean closing;

    Registration(Socket socket, String alive, int port, NodeType nodeType, int creation, boolean extendedCreation) {
        this.socket = socket;
        this.alive = alive;
        this.port = port;
        this.nodeType = nodeType;
        this.creation = creation;
        this.extendedCreation = extendedCreation;
        Thread.ofVirtual().name("epmd-registration-" + alive).start(this::watch);
    }

    /** The registered alive name. */
    public String alive() {
        return alive;
    }

    /** The distribution port registered. */
    public int port() {
        return port;
    }

    public NodeType nodeType() {
        return nodeType;
    }

    /**
     * The creation EPMD assigned: the 32 bits of {@code ALIVE2_X_RESP} (read them as unsigned), or
     * 1 to 3 when EPMD answered the old {@code ALIVE2_RESP}.
     */
    public int creation() {
        return creation;
    }

    /** True when EPMD answered {@code ALIVE2_X_RESP} (a 32-bit creation). */
    public boolean extendedCreation() {
        return extendedCreation;
    }

    /** True until closed or until EPMD drops the connection. */
    public boolean isActive() {
        return !ended.isDone();
    }

    /**
     * Completes when the registration ends: normally after {@link #close()}, exceptionally with an
     * {@link EpmdException} when EPMD closed the connection (EPMD stopped, or forgot the name).
     */
    public CompletableFuture<Void> ended() {
        return ended.copy();
    }

    /** Unregisters: closes the connection to EPMD. Idempotent. */
    @Override
    public void close() {
        closing = true;
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("closing the EPMD registration of {}", alive, e);
        }
        ended.complete(null);
    }

    private void watch() {
        try {
            socket.setSoTimeout(0);
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[64];
            int n = in.read(buf);
            if (n >= 0 && !closing) {
                // EPMD never sends anything on a registration's connection.
                log.warn("EPMD sent unexpected data on the registration of {}; unregistering", alive);
            }
        } catch (IOException e) {
            if (!closing) log.debug("the EPMD registration connection of {} failed", alive, e);
        }
        boolean lost = !closing;
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
        if (lost) {
            log.warn("EPMD dropped the registration of {}", alive);
            ended.completeExceptionally(new EpmdException(EpmdException.Kind.CLOSED,
                    "EPMD closed the connection registering " + alive + "; the name is no longer registered"));
        } else {
            ended.complete(null);
        }
    }

    @Override
    public String toString() {
        return "Registration[" + alive + " at port " + port + ", creation " + Integer.toUnsignedString(creation)
                + (isActive() ? "" : ", ended") + "]";
    }
}
