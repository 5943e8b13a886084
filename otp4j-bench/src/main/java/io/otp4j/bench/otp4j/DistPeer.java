package io.otp4j.bench.otp4j;

import io.otp4j.Node;
import io.otp4j.dist.DistOptions;
import io.otp4j.dist.Distribution;
import io.otp4j.internal.NodeRuntime;

import java.net.InetAddress;

/**
 * Node B of the otp4j&lt;-&gt;otp4j distribution workloads ({@link DistWorkloads}), a JVM started by
 * the bench with its flags and class path:
 * <pre>
 *   java ... io.otp4j.bench.otp4j.DistPeer NAME@localhost COOKIE EPMD_PORT
 * </pre>
 * It starts the named node with distribution (registering with the EPMD already on {@code
 * EPMD_PORT}, the bench's embedded one), registers the servers {@code bench_pong} and {@code
 * bench_sink}, prints {@code ready}, and exits when its standard input closes (the bench closes it
 * at the end of the run; it closes too when the bench dies).
 */
public final class DistPeer {
    private DistPeer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: DistPeer NAME@HOST COOKIE EPMD_PORT");
            System.exit(2);
        }
        System.setProperty("org.slf4j.simpleLogger.log.io.otp4j.report", "off");
        NodeRuntime node = (NodeRuntime) Node.start(Node.Options.named(args[0]));
        Distribution dist = Distribution.start(node, DistOptions.cookie(args[1]).withEpmdPort(Integer.parseInt(args[2]))
                .withStartEpmd(false).withBindAddress(InetAddress.getLoopbackAddress()));
        DistWorkloads.serve(node);
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // nothing is sent; the end of the stream is the signal to stop
        }
        dist.stop();
        node.stop();
        System.exit(0);
    }
}
