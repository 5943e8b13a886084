package io.otp4j.dist;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * TLS for distribution, as {@code erl -proto_dist inet_tls}: the listener is a TLS server socket,
 * every outgoing connection a TLS client socket, and the distribution handshake (the cookie's
 * challenge) and all traffic after it run inside TLS. Turned on with {@link DistOptions#withTls}.
 *
 * <pre>{@code
 * DistOptions.cookie(secret).withTls(TlsOptions.of(Path.of("j1.p12"), password, Path.of("ca.p12")))
 * }</pre>
 *
 * <p>Every node of the cluster needs a certificate signed by a CA the others trust. By default
 * both ends verify each other, as erl's {@code verify_peer} with {@code fail_if_no_peer_cert}: a
 * node without a certificate, or with one no trusted CA signed, is refused, and only that
 * connection closes (the reason is logged: "the peer's certificate is not trusted", "the peer sent
 * no certificate", ...). The matching erl options, in a file given to {@code -ssl_dist_optfile}:
 *
 * <pre>{@code
 * [{server, [{certfile, "e1.pem"}, {keyfile, "e1.key"}, {cacertfile, "ca.pem"},
 *            {verify, verify_peer}, {fail_if_no_peer_cert, true}]},
 *  {client, [{certfile, "e1.pem"}, {keyfile, "e1.key"}, {cacertfile, "ca.pem"},
 *            {verify, verify_peer}]}].
 * }</pre>
 *
 * <p>Key stores are PKCS#12 (or JKS) files, as {@code keytool} writes them; a PEM certificate and
 * key become one with {@code openssl pkcs12 -export -in e1.pem -inkey e1.key -certfile ca.pem -out
 * e1.p12}, and a CA's PEM certificate a trust store with {@code keytool -importcert -file ca.pem
 * -keystore ca.p12}. The stores are read when distribution starts; a missing file, a wrong password
 * or a store without a key or certificate stops {@link Distribution#start} with the reason.
 *
 * @param keyStore           this node's private key and certificate chain (the chain up to the CA,
 *                           so that the peer can verify it): erl's {@code certfile} and {@code keyfile}.
 *                           One key entry: of several, the JDK would pick one by key type and the CAs
 *                           the peer names
 * @param keyStorePassword   the password of the key store and of its key
 * @param trustStore         the certificates of the CAs whose nodes are trusted: erl's {@code
 *                           cacertfile}. Only these: the JDK's own CAs are not trusted
 * @param trustStorePassword the password of the trust store
 * @param verifyPeer         true (the default): a node connecting to this one must present a
 *                           certificate signed by a trusted CA (erl's server {@code verify_peer} and
 *                           {@code fail_if_no_peer_cert true}). False: the listener asks for no
 *                           certificate (erl's server {@code verify_none}): the traffic is encrypted,
 *                           but any node with the cookie may connect. Outgoing connections verify the
 *                           other node's certificate either way: an otp4j node never connects to a
 *                           node it cannot authenticate
 * @param verifyHostname     true (the default): when connecting, the other node's certificate must name
 *                           the host of its node name ({@code localhost} of {@code e1@localhost}) in its
 *                           subject alternative names, a DNS name or an IP address, as erl checks
 *                           through {@code server_name_indication}. False: any certificate signed by a
 *                           trusted CA will do
 * @param protocols          the TLS versions offered, of {@code "TLSv1.3"} and {@code "TLSv1.2"}
 *                           (both by default; erl's distribution offers only TLS 1.2 unless its
 *                           {@code versions} option says otherwise)
 */
public record TlsOptions(Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword,
                         boolean verifyPeer, boolean verifyHostname, List<String> protocols) {

    /** The TLS versions otp4j's distribution can use; older ones are insecure. */
    public static final List<String> SUPPORTED_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    public TlsOptions {
        Objects.requireNonNull(keyStore, "keyStore (this node's key and certificate)");
        Objects.requireNonNull(keyStorePassword, "keyStorePassword");
        Objects.requireNonNull(trustStore, "trustStore (the trusted CAs' certificates)");
        Objects.requireNonNull(trustStorePassword, "trustStorePassword");
        Objects.requireNonNull(protocols, "protocols");
        if (protocols.isEmpty()) throw new IllegalArgumentException("no TLS protocol: give TLSv1.3, TLSv1.2 or both");
        Set<String> seen = new HashSet<>();
        for (String p : protocols) {
            if (!SUPPORTED_PROTOCOLS.contains(p)) {
                throw new IllegalArgumentException("unsupported TLS protocol " + p + ": give " + SUPPORTED_PROTOCOLS);
            }
            if (!seen.add(p)) throw new IllegalArgumentException("TLS protocol " + p + " given twice");
        }
        protocols = List.copyOf(protocols);
    }

    /**
     * TLS with the defaults: both ends verified, host names checked, TLS 1.3 and 1.2.
     *
     * @param keyStore   this node's key and certificate chain
     * @param password   the password of both stores (and of the key)
     * @param trustStore the trusted CAs' certificates
     */
    public static TlsOptions of(Path keyStore, String password, Path trustStore) {
        return new TlsOptions(keyStore, password, trustStore, password, true, true, SUPPORTED_PROTOCOLS);
    }

    /** The trust store's own password, when it is not the key store's. */
    public TlsOptions withTrustStorePassword(String password) {
        return new TlsOptions(keyStore, keyStorePassword, trustStore, password, verifyPeer, verifyHostname, protocols);
    }

    /** Whether nodes connecting to this one must present a trusted certificate (see {@link #verifyPeer()}). */
    public TlsOptions withVerifyPeer(boolean on) {
        return new TlsOptions(keyStore, keyStorePassword, trustStore, trustStorePassword, on, verifyHostname,
                protocols);
    }

    /** Whether the certificate of a node connected to must name its host (see {@link #verifyHostname()}). */
    public TlsOptions withVerifyHostname(boolean on) {
        return new TlsOptions(keyStore, keyStorePassword, trustStore, trustStorePassword, verifyPeer, on, protocols);
    }

    /** The TLS versions offered, of {@code "TLSv1.3"} and {@code "TLSv1.2"}. */
    public TlsOptions withProtocols(String... protocols) {
        return new TlsOptions(keyStore, keyStorePassword, trustStore, trustStorePassword, verifyPeer, verifyHostname,
                List.of(protocols));
    }

    @Override
    public String toString() {
        return "TlsOptions[keyStore=" + keyStore + ", trustStore=" + trustStore + ", passwords=(hidden), verifyPeer="
                + verifyPeer + ", verifyHostname=" + verifyHostname + ", protocols=" + protocols + "]";
    }
}
