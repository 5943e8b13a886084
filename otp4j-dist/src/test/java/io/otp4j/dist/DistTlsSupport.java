package io.otp4j.dist;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What the TLS distribution tests need: certificates made at test time with the running JDK's
 * {@code keytool} (nothing else: no openssl), in the shapes both sides read (PKCS#12 stores for
 * otp4j, PEM files and an {@code -ssl_dist_optfile} for erl); an erl node with TLS distribution;
 * and a copy of what the nodes log.
 */
final class DistTlsSupport {
    static final String PASSWORD = "otp4j-test";

    private DistTlsSupport() {
    }

    /**
     * A test PKI in {@code dir}: a CA and the certificates it signed for otp4j nodes and erl nodes
     * (EC P-256, valid two days, naming {@code localhost} and {@code 127.0.0.1}), and a rogue CA
     * that nobody trusts with a certificate of its own.
     *
     * @param javaKeys   this otp4j node's key and chain (signed by the CA)
     * @param rogueKeys  an otp4j node's key and chain signed by the rogue CA
     * @param trust      the trust store of the cluster: the CA's certificate
     * @param erlOpts    an erl node's {@code -ssl_dist_optfile}: its PEM certificate and key signed by the
     *                   CA, the CA's PEM certificate, verify_peer both ways
     * @param erlOpts13  the same, TLS 1.3 only
     * @param rogueErlOpts the same for an erl node whose certificate the rogue CA signed (it trusts the CA)
     * @param otherHostKeys an otp4j node's key and chain signed by the CA for another host ({@code elsewhere})
     */
    record Pki(Path javaKeys, Path rogueKeys, Path trust, Path erlOpts, Path erlOpts13, Path rogueErlOpts,
               Path otherHostKeys) {

        static Pki create(Path dir) throws Exception {
            // the two CAs, then (each in a copy of its CA's store, so that keytool runs side by side)
            // the certificates they sign
            Path good = dir.resolve("ca.p12");
            Path rogue = dir.resolve("rogue-ca.p12");
            parallel(
                    () -> keytool("-genkeypair", "-keystore", good, "-alias", "ca", "-dname", "CN=otp4j test CA",
                            "-ext", "bc:c", "-ext", "ku:c=keyCertSign,cRLSign"),
                    () -> keytool("-genkeypair", "-keystore", rogue, "-alias", "ca", "-dname", "CN=rogue CA",
                            "-ext", "bc:c", "-ext", "ku:c=keyCertSign,cRLSign"));
            Path java = Files.copy(good, dir.resolve("java-signed.p12"));
            Path erl = Files.copy(good, dir.resolve("erl-signed.p12"));
            Path other = Files.copy(good, dir.resolve("other-signed.p12"));
            Path rogueNode = Files.copy(rogue, dir.resolve("rogue-signed.p12"));
            parallel(
                    () -> sign(java, "CN=otp4j test node", "dns:localhost,ip:127.0.0.1"),
                    () -> sign(erl, "CN=erl test node", "dns:localhost,ip:127.0.0.1"),
                    () -> sign(other, "CN=otp4j node elsewhere", "dns:elsewhere"),
                    () -> sign(rogueNode, "CN=rogue node", "dns:localhost,ip:127.0.0.1"));

            KeyStore goodStore = KeyStore.getInstance(good.toFile(), PASSWORD.toCharArray());
            KeyStore javaStore = KeyStore.getInstance(java.toFile(), PASSWORD.toCharArray());
            KeyStore erlStore = KeyStore.getInstance(erl.toFile(), PASSWORD.toCharArray());
            KeyStore rogueStore = KeyStore.getInstance(rogueNode.toFile(), PASSWORD.toCharArray());
            Certificate ca = goodStore.getCertificate("ca");

            Path javaKeys = keyStore(dir.resolve("java.p12"), javaStore);
            Path rogueKeys = keyStore(dir.resolve("rogue.p12"), rogueStore);
            Path otherHostKeys = keyStore(dir.resolve("other.p12"),
                    KeyStore.getInstance(other.toFile(), PASSWORD.toCharArray()));
            Path trust = dir.resolve("trust.p12");
            KeyStore t = KeyStore.getInstance("PKCS12");
            t.load(null, null);
            t.setCertificateEntry("ca", ca);
            try (OutputStream out = Files.newOutputStream(trust)) {
                t.store(out, PASSWORD.toCharArray());
            }

            Path caPem = pem(dir.resolve("ca.pem"), "CERTIFICATE", ca.getEncoded());
            Path erlOpts = erlOptions(dir, "erl", erlStore, caPem, "");
            Path erlOpts13 = erlOptions(dir, "erl", erlStore, caPem, "tlsv1.3");
            Path rogueErlOpts = erlOptions(dir, "rogue", rogueStore, caPem, "");
            return new Pki(javaKeys, rogueKeys, trust, erlOpts, erlOpts13, rogueErlOpts, otherHostKeys);
        }

        /** TLS options for an otp4j node with the CA's certificate. */
        TlsOptions tls() {
            return TlsOptions.of(javaKeys, PASSWORD, trust);
        }

        /** TLS options for an otp4j node whose certificate names another host (it trusts the CA). */
        TlsOptions otherHostTls() {
            return TlsOptions.of(otherHostKeys, PASSWORD, trust);
        }

        /** TLS options for an otp4j node with the rogue CA's certificate (it trusts the CA). */
        TlsOptions rogueTls() {
            return TlsOptions.of(rogueKeys, PASSWORD, trust);
        }
    }

    /** A node certificate in {@code store}, alias {@code node}, signed by its CA (alias {@code ca}). */
    private static void sign(Path store, String dname, String san) {
        keytool("-genkeypair", "-keystore", store, "-alias", "node", "-signer", "ca", "-dname", dname,
                "-ext", "san=" + san, "-ext", "eku=serverAuth,clientAuth", "-ext", "ku=digitalSignature");
    }

    private static void parallel(Runnable... tasks) {
        CompletableFuture<?>[] all = new CompletableFuture<?>[tasks.length];
        for (int i = 0; i < tasks.length; i++) {
            all[i] = CompletableFuture.runAsync(tasks[i], Thread::startVirtualThread);
        }
        CompletableFuture.allOf(all).join();
    }

    /** Runs the running JDK's keytool on a PKCS#12 store with the test password; EC P-256 keys. */
    static void keytool(Object... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.add("-J-XX:TieredStopAtLevel=1");
        for (Object a : args) cmd.add(a.toString());
        if (cmd.contains("-genkeypair")) {
            cmd.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2"));
        }
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD));
        if (cmd.contains("-signer")) cmd.addAll(List.of("-signerkeypass", PASSWORD));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool did not finish: " + cmd);
            }
            if (p.exitValue() != 0) throw new IllegalStateException("keytool failed: " + cmd + "\n" + out);
        } catch (IOException e) {
            throw new IllegalStateException("keytool could not run: " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A PKCS#12 store holding only the key and chain of {@code from}'s {@code node}. */
    private static Path keyStore(Path file, KeyStore from) throws Exception {
        String alias = "node";
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        Key key = from.getKey(alias, PASSWORD.toCharArray());
        Certificate[] chain = from.getCertificateChain(alias);
        if (chain.length < 2) throw new IllegalStateException("keytool gave " + alias + " no chain to its CA");
        ks.setKeyEntry("node", key, PASSWORD.toCharArray(), chain);
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, PASSWORD.toCharArray());
        }
        return file;
    }

    /**
     * An erl node's PEM certificate and key ({@code alias} of {@code from}) and its -ssl_dist_optfile;
     * with {@code version}, that TLS version only (erl's distribution offers TLS 1.2 by default).
     */
    private static Path erlOptions(Path dir, String alias, KeyStore from, Path caPem, String version)
            throws Exception {
        Path cert = pem(dir.resolve(alias + ".pem"), "CERTIFICATE", from.getCertificate("node").getEncoded());
        PrivateKey key = (PrivateKey) from.getKey("node", PASSWORD.toCharArray());
        Path keyFile = pem(dir.resolve(alias + ".key"), "PRIVATE KEY", key.getEncoded()); // PKCS#8
        String common = "{certfile, \"" + cert + "\"}, {keyfile, \"" + keyFile + "\"}, {cacertfile, \"" + caPem
                + "\"}, {verify, verify_peer}" + (version.isEmpty() ? "" : ", {versions, ['" + version + "']}");
        Path opts = dir.resolve(alias + (version.isEmpty() ? "" : "-" + version) + "-ssl-dist.conf");
        Files.writeString(opts, "[{server, [" + common + ", {fail_if_no_peer_cert, true}]},\n {client, [" + common
                + "]}].\n");
        return opts;
    }

    private static Path pem(Path file, String type, byte[] der) throws IOException {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        Files.writeString(file, "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n");
        return file;
    }

    /**
     * An erl node with TLS distribution: {@code erl ... -proto_dist inet_tls -ssl_dist_optfile FILE},
     * using the EPMD on {@code epmdPort}.
     */
    static ErlNode tlsErl(String sname, String cookie, int epmdPort, Path optFile, String code) throws IOException {
        return new ErlNode(sname, cookie, epmdPort, List.of("-proto_dist", "inet_tls", "-ssl_dist_optfile",
                optFile.toString()), code);
    }

    /**
     * A copy of what is written to {@code System.err} (where the test logger writes) while it is
     * open; it still reaches the real {@code System.err}.
     */
    static final class LogCapture implements AutoCloseable {
        private final PrintStream original = System.err;
        private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

        LogCapture() {
            OutputStream tee = new OutputStream() {
                @Override
                public void write(int b) {
                    original.write(b);
                    synchronized (copy) {
                        copy.write(b);
                        copy.notifyAll();
                    }
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    original.write(b, off, len);
                    synchronized (copy) {
                        copy.write(b, off, len);
                        copy.notifyAll();
                    }
                }
            };
            System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
        }

        String text() {
            synchronized (copy) {
                return copy.toString(StandardCharsets.UTF_8);
            }
        }

        /** Waits for a logged line that contains every one of {@code parts}; the line. */
        String await(Duration timeout, String... parts) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (copy) {
                for (;;) {
                    for (String line : text().split("\n")) {
                        boolean all = true;
                        for (String p : parts) all &= line.contains(p);
                        if (all) return line;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("no log line with " + List.of(parts) + " within " + timeout
                                + "; logged:\n" + text());
                    }
                    TimeUnit.NANOSECONDS.timedWait(copy, left); // woken by each write
                }
            }
        }

        @Override
        public void close() {
            System.setErr(original);
        }
    }
}
