package io.otp4j.bench.pekko;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.PoisonPill;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * dist_pingpong and dist_throughput on Pekko: two ActorSystems in two JVMs on this machine,
 * remoting with Artery over TCP on 127.0.0.1 (pekko-remote, no Aeron), classic actors.
 *
 * <p>This JVM's system ({@code pekko-bench}, the one {@link PekkoBench} starts, with {@link #CONFIG}
 * over its settings) is A; the first pass starts B: another JVM with this one's flags and class path
 * running {@link DistPeer} ({@code pekko-bench-peer}), which prints its Artery port; B is stopped
 * (its standard input closed, then destroy and waitFor) by {@link #close()} at the end of the run,
 * also when it fails. Both listen on 127.0.0.1, a free port each; everything else is Pekko's
 * defaults (Artery's own dispatcher, the default serializers, the default outbound queue of 3,072
 * messages per association).
 *
 * <ul>
 *   <li>dist_pingpong: an actor on A sends a {@code Long} sequence number to the {@code ponger}
 *       actor on B (the sender's ref travels in Artery's envelope, as {@code {ping, self()}}); the
 *       ponger sends it back to the sender; {@code n} round trips in sequence, each reply checked.
 *   <li>dist_throughput: an actor on A sends {@code n} {@code Long}s 1..n (the {@code {msg, N}} of
 *       WORKLOADS.md) to the {@code sink} actor on B, which counts them, checks their order and,
 *       once it has all, answers with the count. Artery drops messages when an association's
 *       outbound queue is full (at most once delivery), so the sender keeps at most {@code window}
 *       (3,000) messages unacknowledged: the sink acknowledges every {@code ack_every} (1,000)-th
 *       message. That is the flow control an application on Pekko needs to send a million
 *       messages without loss; with it, no message is dropped (the sink's count is checked).
 * </ul>
 */
final class DistBench implements PekkoBench.Workload {

  /** Remoting: Artery over TCP on 127.0.0.1, any free port. */
  static final String CONFIG = """
      pekko.actor.provider = remote
      pekko.remote.artery.transport = tcp
      pekko.remote.artery.canonical.hostname = "127.0.0.1"
      pekko.remote.artery.canonical.port = 0
      pekko.remote.warn-about-direct-use = off
      """;

  static final String PONGER = "ponger";
  static final String SINK = "sink";

  private final boolean pingpong;
  private final int n;
  private final int window;
  private final int ackEvery;
  private Peer peer;
  private ActorRef remote;

  private DistBench(boolean pingpong, int n, int window, int ackEvery) {
    Harness.check(n >= 1, "need n >= 1");
    Harness.check(ackEvery >= 1 && window >= ackEvery, "need 1 <= ack_every <= window");
    this.pingpong = pingpong;
    this.n = n;
    this.window = window;
    this.ackEvery = ackEvery;
  }

  static DistBench pingpong(int n) {
    return new DistBench(true, n, 1, 1);
  }

  static DistBench throughput(int n, int window, int ackEvery) {
    return new DistBench(false, n, window, ackEvery);
  }

  @Override
  public String config() {
    return CONFIG;
  }

  @Override
  public List<PekkoBench.Metric> metrics() {
    return List.of(pingpong ? new PekkoBench.Metric("dist_pingpong", "roundtrips/s")
        : new PekkoBench.Metric("dist_throughput", "msgs/s"));
  }

  @Override
  public double[] pass(Harness harness) throws Exception {
    ExtendedActorSystem classic = (ExtendedActorSystem) Adapter.toClassic(harness.system());
    if (peer == null) {
      peer = Peer.start();
      String address = "pekko://" + DistPeer.SYSTEM + "@127.0.0.1:" + peer.port + "/user/";
      remote = Harness.await(classic.actorSelection(address + (pingpong ? PONGER : SINK))
          .resolveOne(Duration.ofSeconds(30)).toCompletableFuture(), "the peer's actor");
    }
    CompletableFuture<long[]> done = new CompletableFuture<>();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Props props = pingpong
        ? Props.create(Pinger.class, () -> new Pinger(remote, n, done))
        : Props.create(Sender.class, () -> new Sender(remote, n, window, ackEvery, ready, done));
    ActorRef driver = classic.systemActorOf(props, "dist-driver-" + System.nanoTime());
    try {
      if (!pingpong) Harness.await(ready, "the sink to start");
      long t0 = System.nanoTime();
      driver.tell("go", ActorRef.noSender());
      long[] result = Harness.await(done, pingpong ? "the round trips" : "the sink's count");
      long nanos = System.nanoTime() - t0;
      Harness.check(result[0] == n, (pingpong ? "round trips " : "messages received ") + result[0] + ", expected " + n);
      Harness.check(result[1] == 0, result[1] + (pingpong ? " replies" : " messages") + " out of sequence");
      return new double[] {n / Harness.seconds(nanos)};
    } finally {
      driver.tell(PoisonPill.getInstance(), ActorRef.noSender());
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (peer != null) peer.close();
  }

  /** Sends the next sequence number when the previous one comes back. */
  static final class Pinger extends AbstractActor {
    private final ActorRef ponger;
    private final long rounds;
    private final CompletableFuture<long[]> done;
    private long completed;
    private long outOfSequence;

    Pinger(ActorRef ponger, long rounds, CompletableFuture<long[]> done) {
      this.ponger = ponger;
      this.rounds = rounds;
      this.done = done;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .matchEquals("go", go -> ponger.tell(1L, getSelf()))
          .match(Long.class, seq -> {
            completed++;
            if (seq != completed) outOfSequence++;
            if (completed == rounds) done.complete(new long[] {completed, outOfSequence});
            else ponger.tell(completed + 1, getSelf());
          })
          .build();
    }
  }

  /**
   * Sends 1..n to the sink, at most {@code window} unacknowledged. On start it tells the sink how
   * many to expect; the sink's {@code "started"} completes {@code ready}.
   */
  static final class Sender extends AbstractActor {
    private final ActorRef sink;
    private final long n;
    private final long window;
    private final int ackEvery;
    private final CompletableFuture<Void> ready;
    private final CompletableFuture<long[]> done;
    private long sent;
    private long acked;

    Sender(ActorRef sink, long n, int window, int ackEvery, CompletableFuture<Void> ready,
        CompletableFuture<long[]> done) {
      this.sink = sink;
      this.n = n;
      this.window = window;
      this.ackEvery = ackEvery;
      this.ready = ready;
      this.done = done;
    }

    @Override
    public void preStart() {
      sink.tell("start " + n + " " + ackEvery, getSelf());
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .matchEquals("started", s -> ready.complete(null))
          .matchEquals("go", go -> fill())
          .match(Long.class, ack -> {
            acked = ack;
            fill();
          })
          .match(String.class, s -> s.startsWith("received "), s -> {
            String[] f = s.split(" ");
            done.complete(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
          })
          .build();
    }

    private void fill() {
      while (sent < n && sent - acked < window) {
        sink.tell(++sent, getSelf());
      }
    }
  }

  /** B's JVM: started, its port read from its first line; closed: stdin, destroy, waitFor. */
  static final class Peer implements AutoCloseable {
    final Process process;
    final int port;

    private Peer(Process process, int port) {
      this.process = process;
      this.port = port;
    }

    static Peer start() throws Exception {
      String java = ProcessHandle.current().info().command()
          .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      List<String> cmd = new ArrayList<>(List.of(java));
      for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
        if (a.startsWith("-XX:StartFlightRecording") || a.startsWith("-XX:FlightRecorderOptions")
            || a.startsWith("-agentlib") || a.startsWith("-agentpath") || a.startsWith("-javaagent")) {
          continue;
        }
        cmd.add(a);
      }
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DistPeer.class.getName()));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          for (String l; (l = r.readLine()) != null; ) lines.add(l);
        } catch (IOException ignored) {
          // the process ended
        }
      }, "pekko-peer-output");
      reader.setDaemon(true);
      reader.start();
      Peer peer = new Peer(p, -1);
      Deque<String> seen = new ArrayDeque<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      try {
        while (System.nanoTime() < deadline) {
          String l = lines.poll(100, TimeUnit.MILLISECONDS);
          if (l == null) {
            if (!p.isAlive() && lines.isEmpty()) break;
            continue;
          }
          if (l.startsWith("ready ")) return new Peer(p, Integer.parseInt(l.substring(6).strip()));
          seen.add(l);
          if (seen.size() > 30) seen.removeFirst();
        }
      } catch (RuntimeException | InterruptedException e) {
        peer.close();
        throw e;
      }
      peer.close();
      throw new BenchFailure("the peer JVM did not start; it printed: " + seen);
    }

    @Override
    public void close() throws InterruptedException {
      try {
        process.getOutputStream().close();
      } catch (IOException ignored) {
        // already gone
      }
      process.waitFor(10, TimeUnit.SECONDS); // it terminates its ActorSystem and exits
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
