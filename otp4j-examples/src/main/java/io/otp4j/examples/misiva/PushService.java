package io.otp4j.examples.misiva;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A stand-in for Apple's push notification service: a TCP server on 127.0.0.1 that takes
 * notifications for devices and acknowledges each one. It is the outside world of the
 * {@link Misiva} application, so it is plain Java (a {@link ServerSocket} and a virtual thread
 * per connection), not otp4j processes.
 *
 * <p>The protocol is one line of UTF-8 text each way:
 * <pre>
 *   service, on connecting:   READY
 *   client:                   PUSH &lt;id&gt; &lt;device token&gt; &lt;message&gt;
 *   service:                  ACK &lt;id&gt;                   delivered
 *                             ERR &lt;id&gt; BadDeviceToken    the token is not hex digits
 * </pre>
 * A client may send many notifications before reading their answers; they are answered in
 * order. Anything else closes the connection.
 *
 * <p>For the example's failures: {@link #dropConnections()} is the service restarting (every open
 * connection is closed, new ones are welcome) and {@link #close()} is the service going down.
 */
public final class PushService implements AutoCloseable {
    private static final Pattern DEVICE_TOKEN = Pattern.compile("[0-9a-f]+");

    private final ServerSocket listener;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();

    private final Thread acceptor;

    private PushService(ServerSocket listener) {
        this.listener = listener;
        this.acceptor = start(this::accept);
    }

    /** Starts a service on 127.0.0.1, on a port the system picks. */
    public static PushService start() throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new PushService(s);
    }

    /** Where clients connect. */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** Notifications acknowledged so far. */
    public long delivered() {
        return delivered.get();
    }

    /** Connections accepted so far. */
    public long accepted() {
        return accepted.get();
    }

    /** Connections open now. */
    public int open() {
        return connections.size();
    }

    /**
     * Waits until exactly {@code n} connections are open (for instance 0, once every client has
     * hung up); false if that did not happen within {@code timeout}.
     */
    public boolean awaitOpen(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (connections) {
            while (connections.size() != n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                TimeUnit.NANOSECONDS.timedWait(connections, left);
            }
        }
        return true;
    }

    /**
     * The service restarts: closes every open connection (clients see their connection closed)
     * and keeps accepting new ones.
     */
    public void dropConnections() throws IOException {
        for (Socket s : List.copyOf(connections)) s.close();
    }

    /** The service goes down: stops listening, closes every connection, and waits for its threads to end. */
    @Override
    public void close() throws IOException {
        listener.close();
        try {
            acceptor.join(); // no connection is accepted from now on
            dropConnections();
            while (!threads.isEmpty()) {
                for (Thread t : List.copyOf(threads)) t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // asked to stop waiting: the sockets are closed, the threads are ending
            dropConnections();
        }
    }

    private Thread start(Runnable r) {
        Thread t = Thread.ofVirtual().unstarted(() -> {
            try {
                r.run();
            } finally {
                threads.remove(Thread.currentThread());
            }
        });
        threads.add(t);
        t.start();
        return t;
    }

    private void accept() {
        try {
            while (true) {
                Socket s = listener.accept();
                s.setTcpNoDelay(true); // small lines: send each at once
                accepted.incrementAndGet();
                opened(s);
                start(() -> serve(s));
            }
        } catch (IOException closed) {
            // close() closed the listener: the service is down
        }
    }

    /** One connection: greet, then answer each line, flushing whenever the client waits. */
    private void serve(Socket socket) {
        try (socket;
             BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
             Writer out = new BufferedWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8))) {
            out.write("READY\n");
            out.flush();
            for (String line; (line = in.readLine()) != null; ) {
                String[] f = line.split(" ", 4);
                if (f.length < 4 || !f[0].equals("PUSH")) return; // not our protocol: hang up
                if (DEVICE_TOKEN.matcher(f[2]).matches()) {
                    delivered.incrementAndGet();
                    out.write("ACK " + f[1] + "\n");
                } else {
                    out.write("ERR " + f[1] + " BadDeviceToken\n");
                }
                if (!in.ready()) out.flush(); // answer in batches while the client keeps sending
            }
        } catch (IOException e) {
            // the connection was closed, by the client or by dropConnections()
        } finally {
            closed(socket);
        }
    }

    private void opened(Socket s) {
        synchronized (connections) {
            connections.add(s);
            connections.notifyAll();
        }
    }

    private void closed(Socket s) {
        synchronized (connections) {
            connections.remove(s);
            connections.notifyAll();
        }
    }
}
