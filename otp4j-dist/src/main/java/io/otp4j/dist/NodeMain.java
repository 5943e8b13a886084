package io.otp4j.dist;

import io.otp4j.Node;
import io.otp4j.behaviour.Application;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * {@code ./otp4j node}: starts a named, distributed node and keeps it up until it is stopped.
 * SIGTERM (or Ctrl-C) stops it cleanly: applications in the reverse order of their start, then
 * distribution, then the node.
 *
 * <pre>
 * ./otp4j node --sname j1 --cookie secret [--main my.Main] [--app my.AppSpec] [--port 9100]
 *              [--tls-keystore j1.p12 --tls-truststore ca.p12 --tls-password PASS]
 * </pre>
 */
@Command(name = "otp4j node", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Starts a named otp4j node that Erlang, Elixir and otp4j nodes can connect to.")
public final class NodeMain implements Callable<Integer> {

    @Option(names = "--sname", description = "short node name: NAME or NAME@HOST (host without dots)")
    String sname;

    @Option(names = "--name", description = "long node name: NAME@HOST (a fully qualified host or an address)")
    String name;

    @Option(names = "--cookie", description = "the cluster's cookie (default: ~/.erlang.cookie, as erl reads it)")
    String cookie;

    @Option(names = "--main", description = "a class whose static main(String[]) runs in a process of the node")
    String main;

    @Option(names = "--app", description = "a class implementing Supplier<Application.Spec>: the application is "
            + "loaded and started (with its dependencies, if their specs are given too); repeatable")
    List<String> apps = new ArrayList<>();

    @Option(names = "--port", description = "the distribution port (default: any free port)")
    int port;

    @Option(names = "--epmd-port", description = "EPMD's port (default: 4369 or ERL_EPMD_PORT)")
    Integer epmdPort;

    @Option(names = "--hidden", description = "a hidden node, as erl -hidden")
    boolean hidden;

    @Option(names = "--tls-keystore", paramLabel = "FILE", description = "TLS distribution, as erl -proto_dist "
            + "inet_tls: this node's key and certificate chain (PKCS#12 or JKS); needs --tls-truststore")
    Path tlsKeyStore;

    @Option(names = "--tls-truststore", paramLabel = "FILE",
            description = "the certificates of the CAs whose nodes are trusted (PKCS#12 or JKS)")
    Path tlsTrustStore;

    @Option(names = "--tls-password", paramLabel = "PASS", description = "the password of both TLS stores "
            + "(default: the OTP4J_TLS_PASSWORD environment variable, which keeps it out of the process list)")
    String tlsPassword;

    @CommandLine.Parameters(description = "arguments passed to the --main class")
    List<String> args = new ArrayList<>();

    public static void main(String[] argv) {
        System.exit(new CommandLine(new NodeMain()).execute(argv));
    }

    @Override
    public Integer call() throws Exception {
        String full = nodeName();
        String secret = cookie != null ? cookie : defaultCookie();
        DistOptions opts = DistOptions.cookie(secret).withListenPort(port).withHidden(hidden);
        if (epmdPort != null) opts = opts.withEpmdPort(epmdPort);
        if (name != null) opts = opts.withBindAddress(InetAddress.getByName("0.0.0.0"));
        if (tlsKeyStore != null || tlsTrustStore != null) opts = opts.withTls(tlsOptions());
        Node node = Node.start(Node.Options.named(full));
        Distribution dist;
        try {
            dist = Distribution.start(node, opts);
        } catch (IOException e) {
            node.stop();
            System.err.println("otp4j node: distribution could not start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.run(() -> {
                    Application.stopAll(); // reverse start order
                    return null;
                });
            } catch (Exception e) {
                System.err.println("otp4j node: stopping the applications failed: " + e);
            }
            dist.stop();
            node.stop();
            stopped.countDown();
        }, "otp4j-node-stop"));
        List<Application.Spec> specs = new ArrayList<>();
        for (String app : apps) specs.add(spec(app));
        if (!specs.isEmpty()) {
            node.run(() -> {
                for (Application.Spec s : specs) Application.load(s);
                for (Application.Spec s : specs) Application.ensureAllStarted(s.name(), Application.Type.PERMANENT);
                return null;
            });
        }
        System.out.println("node " + dist.name() + " is up (distribution port " + dist.port() + "); stop it with SIGTERM");
        if (main != null) {
            Method m = Class.forName(main).getMethod("main", String[].class);
            if (!Modifier.isStatic(m.getModifiers())) throw new IllegalArgumentException(main + ".main is not static");
            String[] a = args.toArray(String[]::new);
            node.spawn(() -> m.invoke(null, (Object) a));
        }
        stopped.await();
        return 0;
    }

    private String nodeName() throws IOException {
        if ((sname == null) == (name == null)) throw new CommandLine.ParameterException(new CommandLine(this),
                "give one of --sname NAME or --name NAME@HOST");
        if (sname != null) {
            if (sname.contains("@")) return sname;
            String host = InetAddress.getLocalHost().getHostName();
            int dot = host.indexOf('.');
            return sname + "@" + (dot > 0 ? host.substring(0, dot) : host);
        }
        if (!name.contains("@")) return name + "@" + InetAddress.getLocalHost().getCanonicalHostName();
        return name;
    }

    private TlsOptions tlsOptions() {
        if (tlsKeyStore == null || tlsTrustStore == null) throw new CommandLine.ParameterException(
                new CommandLine(this), "TLS needs both --tls-keystore FILE and --tls-truststore FILE");
        String password = tlsPassword != null ? tlsPassword : System.getenv("OTP4J_TLS_PASSWORD");
        if (password == null) throw new CommandLine.ParameterException(new CommandLine(this),
                "TLS needs the stores' password: --tls-password PASS or the OTP4J_TLS_PASSWORD environment variable");
        return TlsOptions.of(tlsKeyStore, password, tlsTrustStore);
    }

    private static String defaultCookie() throws IOException {
        Path file = Path.of(System.getProperty("user.home"), ".erlang.cookie");
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("no --cookie given and no " + file + " to read one from");
        }
        return Files.readString(file).strip();
    }

    @SuppressWarnings("unchecked")
    private static Application.Spec spec(String className) throws ReflectiveOperationException {
        Object o = Class.forName(className).getDeclaredConstructor().newInstance();
        if (!(o instanceof Supplier<?> s) || !(s.get() instanceof Application.Spec spec)) {
            throw new IllegalArgumentException(className + " must implement Supplier<Application.Spec>");
        }
        return spec;
    }
}
