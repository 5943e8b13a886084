package io.otp4j.dist.internal;

import java.io.Closeable;
import java.io.IOException;

/** What the distribution layer's sockets share. */
public final class Sockets {
    private Sockets() {
    }

    /** Closes {@code c} (null allowed), ignoring a failure: the socket is being given up. */
    public static void closeQuietly(Closeable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
