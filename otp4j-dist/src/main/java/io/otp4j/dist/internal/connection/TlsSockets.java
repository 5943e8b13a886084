package io.otp4j.dist.internal.connection;

import io.otp4j.dist.TlsOptions;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS for distribution connections, on the JDK's {@link SSLSocket}: blocking reads and writes suit
 * a connection's reader and writer threads (virtual threads) as a plain socket does, and the JDK's
 * TLS socket reads and writes at the same time. Each side turns a connected TCP socket into TLS,
 * as erl's {@code inet_tls_dist} does: {@link #client} for a connection this node makes, {@link
 * #server} for one its listener accepted; both run the TLS handshake at once (within the setup
 * time), so that a peer that fails it is refused before a byte of the distribution handshake, with
 * the reason in a sentence ({@link TlsException}).
 *
 * <p>The stores are read once, when distribution starts ({@link #of}).
 */
public final class TlsSockets {
    private static final Logger LOG = LoggerFactory.getLogger("io.otp4j.dist");

    private final TlsOptions options;
    private final SSLSocketFactory factory;

    private TlsSockets(TlsOptions options, SSLContext context) {
        this.options = options;
        this.factory = context.getSocketFactory();
    }

    /**
     * Reads the key and trust stores.
     *
     * @throws IOException with the reason when a store is missing, unreadable, has another password,
     *     or holds no key (the key store) or no certificate (the trust store)
     */
    public static TlsSockets of(TlsOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        KeyStore keys = load("key store", options.keyStore(), options.keyStorePassword());
        KeyStore trusted = load("trust store", options.trustStore(), options.trustStorePassword());
        try {
            if (Collections.list(keys.aliases()).stream().noneMatch(a -> isKey(keys, a))) {
                throw new IOException("the TLS key store " + options.keyStore()
                        + " holds no private key (this node's key and certificate)");
            }
            if (Collections.list(trusted.aliases()).stream().noneMatch(a -> isCertificate(trusted, a))) {
                throw new IOException("the TLS trust store " + options.trustStore()
                        + " holds no certificate (the trusted CAs' certificates)");
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
            kmf.init(keys, options.keyStorePassword().toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return new TlsSockets(options, context);
        } catch (UnrecoverableKeyException e) {
            throw new IOException("the key of the TLS key store " + options.keyStore()
                    + " cannot be read with its password: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS cannot be set up with " + options + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore load(String what, Path file, String password) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("the TLS " + what + " " + file + " does not exist");
        try {
            return KeyStore.getInstance(file.toFile(), password.toCharArray());
        } catch (IOException e) {
            String why = e.getCause() instanceof UnrecoverableKeyException ? "wrong password" : e.getMessage();
            throw new IOException("the TLS " + what + " " + file + " cannot be read: " + why, e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("the TLS " + what + " " + file + " is not a PKCS#12 or JKS key store: "
                    + e.getMessage(), e);
        }
    }

    private static boolean isKey(KeyStore ks, String alias) {
        try {
            return ks.isKeyEntry(alias);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean isCertificate(KeyStore ks, String alias) {
        try {
            return ks.isCertificateEntry(alias);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * The client side of a connection to a node on {@code host}: TLS over the connected {@code tcp}
     * socket, its handshake done within {@code timeout}. With {@link TlsOptions#verifyHostname()},
     * the other node's certificate must name {@code host}.
     *
     * @throws TlsException when the handshake fails (the socket is closed)
     */
    public DistStream client(Socket tcp, String host, Duration timeout) throws IOException {
        SSLSocket ssl = (SSLSocket) factory.createSocket(tcp, host, tcp.getPort(), true);
        SSLParameters p = ssl.getSSLParameters();
        p.setProtocols(options.protocols().toArray(String[]::new));
        if (options.verifyHostname()) p.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(p);
        ssl.setUseClientMode(true);
        return handshake(ssl, tcp, timeout);
    }

    /**
     * The server side of a connection the listener accepted: TLS over {@code tcp}, its handshake done
     * within {@code timeout}. With {@link TlsOptions#verifyPeer()}, the other node must present a
     * certificate a trusted CA signed.
     *
     * @throws TlsException when the handshake fails (the socket is closed)
     */
    public DistStream server(Socket tcp, Duration timeout) throws IOException {
        SSLSocket ssl = (SSLSocket) factory.createSocket(tcp, null, true);
        SSLParameters p = ssl.getSSLParameters();
        p.setProtocols(options.protocols().toArray(String[]::new));
        p.setNeedClientAuth(options.verifyPeer());
        ssl.setSSLParameters(p);
        ssl.setUseClientMode(false);
        return handshake(ssl, tcp, timeout);
    }

    private static DistStream handshake(SSLSocket ssl, Socket tcp, Duration timeout) throws IOException {
        String remote = String.valueOf(tcp.getRemoteSocketAddress());
        try {
            ssl.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            ssl.startHandshake();
            ssl.setSoTimeout(0);
            TlsDistStream stream = new TlsDistStream(ssl, tcp);
            if (LOG.isDebugEnabled()) LOG.debug("TLS with {}: {}", remote, stream.describe());
            return stream;
        } catch (IOException | RuntimeException e) {
            try {
                tcp.close();
                ssl.close();
            } catch (IOException ignored) {
                // closing
            }
            throw new TlsException("TLS handshake failed: " + reason(e, timeout), e);
        }
    }

    /** Why a TLS handshake failed, in a sentence. */
    static String reason(Throwable e, Duration timeout) {
        // the JDK's messages start with the alert it sends: "(certificate_required) Empty client certificate chain"
        String msg = String.valueOf(e.getMessage()).replaceFirst("^\\([a-z_]+\\) ", "");
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof CertPathBuilderException || c instanceof CertPathValidatorException) {
                return "the peer's certificate is not trusted: no CA of the trust store signed it (" + root(e) + ")";
            }
        }
        if (e instanceof SocketTimeoutException) return "no answer within " + timeout.toMillis() + " ms";
        for (Throwable c = e; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage());
            if (c instanceof CertificateException && m.startsWith("No ")
                    && m.toLowerCase(Locale.ROOT).contains("name")) {
                return "the peer's certificate does not name the host of its node (" + m + ")";
            }
        }
        if (msg.contains("Empty client certificate chain") || msg.contains("Empty server certificate chain")) {
            return "the peer sent no certificate, and this node requires one (" + msg + ")";
        }
        int at = msg.indexOf("Received fatal alert: ");
        if (at >= 0) {
            String alert = msg.substring(at + "Received fatal alert: ".length()).strip();
            String hint = switch (alert) {
                case "bad_certificate", "unknown_ca", "certificate_unknown", "unsupported_certificate",
                     "certificate_required" -> " (it does not trust this node's certificate, or needs one)";
                case "handshake_failure", "protocol_version", "insufficient_security" ->
                        " (no TLS version or cipher suite in common, or a certificate is missing)";
                default -> "";
            };
            return "the peer refused the TLS handshake with the alert " + alert + hint;
        }
        if (msg.contains("Unsupported or unrecognized SSL message") || msg.contains("plaintext connection")) {
            return "the peer does not speak TLS (a node without TLS distribution?)";
        }
        if (e instanceof EOFException || e.getCause() instanceof EOFException
                || msg.contains("Remote host terminated the handshake")) {
            return "the peer closed the connection during the TLS handshake (a node without TLS, or one that refused"
                    + " this node's certificate)";
        }
        if (e instanceof SSLException || e.getCause() instanceof SSLException) return msg;
        return e.toString();
    }

    private static String root(Throwable e) {
        Throwable r = e;
        while (r.getCause() != null) r = r.getCause();
        return r.getMessage();
    }

    /** A failed TLS handshake; its {@link #toString} is its message, for the connection's log line. */
    public static final class TlsException extends IOException {
        TlsException(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String toString() {
            return getMessage();
        }
    }
}
