package io.otp4j.dist;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Tests against a real Erlang node: a foreground {@code epmd} on a free port, {@code erl}
 * subprocesses that use it, and the two EPMD requests the tests need (PORT_PLEASE2 and ALIVE2),
 * written out here, small and separate from the node's own EPMD client.
 */
final class DistErlTestSupport {
    private DistErlTestSupport() {}

    static final Path ERL = Path.of("/usr/bin/erl");
    static final Path EPMD = Path.of("/usr/bin/epmd");

    /** True when erl and epmd are installed. */
    static boolean erlangInstalled() {
        return Files.isExecutable(ERL) && Files.isExecutable(EPMD);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    // ------------------------------------------------------------------ epmd

    /** A foreground epmd on 127.0.0.1 and a free port, ended by {@link #close}. */
    static final class Epmd implements AutoCloseable {
        final int port;
        final Process process;

        private Epmd(int port, Process process) {
            this.port = port;
            this.process = process;
        }

        static Epmd start() throws Exception {
            int port = freePort();
            return new Epmd(port, EpmdTestSupport.startRealEpmd(port).process());
        }

        /** PORT_PLEASE2: the distribution port of {@code alive}, or -1 when it is not registered. */
        int portPlease(String alive) throws IOException {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(5000);
                byte[] name = alive.getBytes(ISO_8859_1);
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeShort(1 + name.length);
                out.writeByte(122); // PORT_PLEASE2_REQ
                out.write(name);
                out.flush();
                DataInputStream in = new DataInputStream(s.getInputStream());
                int tag = in.readUnsignedByte();
                if (tag != 119) throw new IOException("PORT2_RESP expected, got " + tag);
                int result = in.readUnsignedByte();
                if (result != 0) return -1;
                return in.readUnsignedShort();
            }
        }

        /**
         * ALIVE2: registers {@code alive} at {@code port} as a normal node of version 6; the
         * registration lasts while the returned socket is open.
         */
        Registration register(String alive, int distPort) throws IOException {
            Socket s = new Socket("127.0.0.1", port);
            try {
                s.setSoTimeout(5000);
                byte[] name = alive.getBytes(ISO_8859_1);
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeShort(13 + name.length);
                out.writeByte(120); // ALIVE2_REQ
                out.writeShort(distPort);
                out.writeByte(77); // normal node
                out.writeByte(0); // TCP/IPv4
                out.writeShort(6); // highest version
                out.writeShort(6); // lowest version
                out.writeShort(name.length);
                out.write(name);
                out.writeShort(0); // no extra
                out.flush();
                DataInputStream in = new DataInputStream(s.getInputStream());
                int tag = in.readUnsignedByte();
                int result = in.readUnsignedByte();
                if (result != 0) throw new IOException("ALIVE2 of " + alive + " refused: result " + result);
                int creation = switch (tag) {
                    case 118 -> in.readInt(); // ALIVE2_X_RESP
                    case 121 -> in.readUnsignedShort(); // ALIVE2_RESP
                    default -> throw new IOException("ALIVE2 response expected, got " + tag);
                };
                return new Registration(s, creation);
            } catch (IOException e) {
                s.close();
                throw e;
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** An EPMD registration, undone by closing its socket. */
    record Registration(Socket socket, int creation) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    // ------------------------------------------------------------------ erl

    /**
     * The Erlang side of the tests: reports node ups and downs ({@code nodeup N}, {@code nodedown N},
     * for hidden nodes too), prints what its registered process {@code printer} receives ({@code got
     * M}), and runs commands read from its standard input, one a line: {@code connect Node} (prints
     * {@code connect Node Result}), {@code ping Node} (prints {@code ping Node Result}) and {@code send Node Name Atom} (sends the atom to {@code {Name, Node}}).
     * It stops when its input ends.
     */
    static final String SCRIPT = """
            Self = self(),
            spawn(fun() ->
                ok = net_kernel:monitor_nodes(true, [{node_type, all}]),
                Self ! monitoring,
                (fun L() ->
                    receive
                        {nodeup, N, _} -> io:format("nodeup ~s~n", [N]), L();
                        {nodedown, N, _} -> io:format("nodedown ~s~n", [N]), L()
                    end
                 end)()
            end),
            register(printer, spawn(fun() -> (fun L() -> receive M -> io:format("got ~p~n", [M]), L() end end)() end)),
            receive monitoring -> ok end,
            io:format("ready ~s~n", [node()]),
            (fun Loop() ->
                case io:get_line("") of
                    eof -> init:stop();
                    Line ->
                        case string:lexemes(string:trim(Line), " ") of
                            ["connect", N] ->
                                io:format("connect ~s ~p~n", [N, net_kernel:connect_node(list_to_atom(N))]);
                            ["ping", N] ->
                                io:format("ping ~s ~p~n", [N, net_adm:ping(list_to_atom(N))]);
                            ["send", N, To, Msg] ->
                                {list_to_atom(To), list_to_atom(N)} ! list_to_atom(Msg),
                                io:format("sent ~s~n", [Msg]);
                            _ ->
                                io:format("unknown command~n")
                        end,
                        Loop()
                end
             end)().
            """;

    /** An {@code erl} node running {@link #SCRIPT}; its output lines are kept for {@link #await}. */
    static final class ErlNode implements AutoCloseable {
        final String name;
        final Process process;
        private final OutputStream stdin;
        private final List<String> lines = new ArrayList<>();
        private final Thread pump;

        private ErlNode(String name, Process process) {
            this.name = name;
            this.process = process;
            this.stdin = process.getOutputStream();
            this.pump = Thread.ofVirtual().name("erl-stdout-" + name).start(this::pump);
        }

        /** Starts {@code erl -sname sname -setcookie cookie -noshell -kernel net_ticktime tick} on epmd. */
        static ErlNode start(String sname, String cookie, int tickTimeSeconds, Epmd epmd)
                throws IOException, InterruptedException {
            ProcessBuilder pb = new ProcessBuilder(ERL.toString(), "-sname", sname, "-setcookie", cookie,
                    "-noshell", "-kernel", "net_ticktime", String.valueOf(tickTimeSeconds), "-eval", SCRIPT)
                    .redirectErrorStream(true);
            pb.environment().put("ERL_EPMD_PORT", String.valueOf(epmd.port));
            ErlNode node = new ErlNode(sname, pb.start());
            try {
                node.await(l -> l.startsWith("ready "), Duration.ofSeconds(30));
            } catch (AssertionError e) {
                node.close();
                throw e;
            }
            return node;
        }

        private void pump() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(l);
                        lines.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }

        /** Sends one command line. */
        void command(String line) {
            try {
                stdin.write((line + "\n").getBytes(UTF_8));
                stdin.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Waits for an output line that matches; fails with the whole output if none comes in time. */
        String await(Predicate<String> p, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (lines) {
                while (true) {
                    for (String l : lines) {
                        if (p.test(l)) return l;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) throw new AssertionError("erl " + name + " did not print the line; output:\n" + output());
                    TimeUnit.NANOSECONDS.timedWait(lines, left);
                }
            }
        }

        /** Waits for a line equal to {@code line}. */
        String await(String line, Duration timeout) throws InterruptedException {
            return await(line::equals, timeout);
        }

        boolean printed(Predicate<String> p) {
            synchronized (lines) {
                return lines.stream().anyMatch(p);
            }
        }

        String output() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }

        @Override
        public void close() throws InterruptedException {
            try {
                stdin.close(); // the script stops at the end of its input
            } catch (IOException ignored) {
                // already gone
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
            pump.join(Duration.ofSeconds(5));
        }
    }
}
