package io.otp4j.dist;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How a node takes part in distribution.
 *
 * @param cookie      the shared secret of the cluster (Erlang's {@code -setcookie}); a peer with
 *                    another cookie is refused
 * @param listenPort  the port other nodes connect to (0: any free port, registered with EPMD)
 * @param bindAddress the address to listen on (the loopback address by default: reachable from
 *                    this machine only)
 * @param epmdPort    the port of EPMD (4369, or the {@code ERL_EPMD_PORT} environment variable)
 * @param startEpmd   start an embedded EPMD when none answers on {@code epmdPort}
 * @param hidden      a hidden node: its connections are not transitive and it is not in
 *                    {@code nodes()} of its peers ({@code -hidden})
 * @param tickTime    {@code net_ticktime}: a peer silent this long is declared down (60 s)
 * @param setupTime   how long a connection's handshake may take ({@code net_setuptime}, 7 s)
 * @param remoteSpawn whether other nodes may run this node's registered functions (remote spawn,
 *                    erpc and rpc); on by default: only functions registered with
 *                    {@link Distribution#register} can be run at all
 * @param tls         TLS for every connection ({@code -proto_dist inet_tls}), or null for plain TCP (the
 *                    default)
 */
public record DistOptions(String cookie, int listenPort, InetAddress bindAddress, int epmdPort, boolean startEpmd,
                          boolean hidden, Duration tickTime, Duration setupTime, boolean remoteSpawn, TlsOptions tls) {

    public DistOptions {
        Objects.requireNonNull(cookie, "cookie");
        if (cookie.isEmpty()) throw new IllegalArgumentException("the cookie cannot be empty");
        if (listenPort < 0 || listenPort > 65535) throw new IllegalArgumentException("bad listen port " + listenPort);
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (epmdPort <= 0 || epmdPort > 65535) throw new IllegalArgumentException("bad EPMD port " + epmdPort);
        Objects.requireNonNull(tickTime, "tickTime");
        Objects.requireNonNull(setupTime, "setupTime");
    }

    /** The defaults with {@code cookie}: any port on the loopback address, EPMD on its usual port (started if absent). */
    public static DistOptions cookie(String cookie) {
        return new DistOptions(cookie, 0, InetAddress.getLoopbackAddress(), defaultEpmdPort(), true, false,
                Duration.ofSeconds(60), Duration.ofSeconds(7), true, null);
    }

    /** 4369, or {@code ERL_EPMD_PORT} when set, as {@code erl} does. */
    public static int defaultEpmdPort() {
        String env = System.getenv("ERL_EPMD_PORT");
        if (env != null) {
            try {
                return Integer.parseInt(env.trim());
            } catch (NumberFormatException ignored) {
                // as erl: a bad value is ignored
            }
        }
        return 4369;
    }

    public DistOptions withListenPort(int port) {
        return new DistOptions(cookie, port, bindAddress, epmdPort, startEpmd, hidden, tickTime, setupTime,
                remoteSpawn, tls);
    }

    public DistOptions withBindAddress(InetAddress a) {
        return new DistOptions(cookie, listenPort, a, epmdPort, startEpmd, hidden, tickTime, setupTime,
                remoteSpawn, tls);
    }

    public DistOptions withEpmdPort(int port) {
        return new DistOptions(cookie, listenPort, bindAddress, port, startEpmd, hidden, tickTime, setupTime,
                remoteSpawn, tls);
    }

    public DistOptions withStartEpmd(boolean on) {
        return new DistOptions(cookie, listenPort, bindAddress, epmdPort, on, hidden, tickTime, setupTime,
                remoteSpawn, tls);
    }

    public DistOptions withHidden(boolean on) {
        return new DistOptions(cookie, listenPort, bindAddress, epmdPort, startEpmd, on, tickTime, setupTime,
                remoteSpawn, tls);
    }

    public DistOptions withTickTime(Duration t) {
        return new DistOptions(cookie, listenPort, bindAddress, epmdPort, startEpmd, hidden, t, setupTime,
                remoteSpawn, tls);
    }

    public DistOptions withSetupTime(Duration t) {
        return new DistOptions(cookie, listenPort, bindAddress, epmdPort, startEpmd, hidden, tickTime, t,
                remoteSpawn, tls);
    }

    /** Allows or refuses remote spawn, erpc and rpc into this node. */
    public DistOptions withRemoteSpawn(boolean on) {
        return new DistOptions(cookie, listenPort, bindAddress, epmdPort, startEpmd, hidden, tickTime, setupTime, on,
                tls);
    }

    /**
     * Runs every connection over TLS, as {@code erl -proto_dist inet_tls}: the listener is a TLS
     * server socket and connections to other nodes are TLS client sockets; null turns TLS off.
     */
    public DistOptions withTls(TlsOptions t) {
        return new DistOptions(cookie, listenPort, bindAddress, epmdPort, startEpmd, hidden, tickTime, setupTime,
                remoteSpawn, t);
    }

    @Override
    public String toString() {
        return "DistOptions[cookie=(hidden), listenPort=" + listenPort + ", bindAddress=" + bindAddress + ", epmdPort="
                + epmdPort + ", startEpmd=" + startEpmd + ", hidden=" + hidden + ", tickTime=" + tickTime + ", tls="
                + tls + "]";
    }
}
