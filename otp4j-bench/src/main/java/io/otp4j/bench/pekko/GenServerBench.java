package io.otp4j.bench.pekko;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * genserver_call, genserver_call_noask and genserver_cast. The "GenServer" is a counting actor.
 *
 * <p>genserver_call: {@code clients} client actors, {@code n} calls in total split evenly. Each
 * client makes one call at a time and waits for its answer before the next, like a process blocked
 * in gen_server:call: it uses {@code ActorContext.ask} with the 5 s timeout (Pekko's ask pattern
 * from inside an actor: a temporary reply ref plus a scheduled timeout per call), and its next call
 * is made when the adapted reply arrives. A client is an actor rather than a thread blocked on a
 * CompletionStage because the workload is about processes. (In the Java DSL of Pekko 1.1 that
 * reply reaches the client through the JDK's common pool: the ask's CompletionStage is Scala's
 * wrapper, whose {@code handle} runs as {@code handleAsync}.) genserver_call_noask: the same
 * clients with a plain request-reply, the client's own ref in the request and no timeout.
 *
 * <p>genserver_cast: one client tells the server {@code n} casts in a loop, then makes one ask (5 s
 * timeout) for the server's count, which is queued behind the casts.
 *
 * <p>Checks: every client got all its replies (no timeouts), and the server's count equals n.
 */
final class GenServerBench implements PekkoBench.Workload {

  // ---- the server ----

  sealed interface ServerMsg {}

  record Call(long arg, ActorRef<Reply> replyTo) implements ServerMsg {}

  record Cast(long arg) implements ServerMsg {}

  record GetCount(ActorRef<Count> replyTo) implements ServerMsg {}

  record Count(long calls, long casts) {}

  static final class Server extends AbstractBehavior<ServerMsg> {
    private long calls;
    private long casts;

    static Behavior<ServerMsg> create() {
      return Behaviors.setup(Server::new);
    }

    private Server(ActorContext<ServerMsg> context) {
      super(context);
    }

    @Override
    public Receive<ServerMsg> createReceive() {
      return newReceiveBuilder()
          .onMessage(Call.class, call -> {
            calls++;
            call.replyTo().tell(new Reply(call.arg()));
            return this;
          })
          .onMessage(Cast.class, cast -> {
            casts++;
            return this;
          })
          .onMessage(GetCount.class, get -> {
            get.replyTo().tell(new Count(calls, casts));
            return this;
          })
          .build();
    }
  }

  // ---- call clients ----

  /** Messages of both kinds of call client. */
  sealed interface ClientMsg {}

  record Go() implements ClientMsg {}

  static final Go GO = new Go();

  /** The server's answer; the no-ask client receives it directly. */
  record Reply(long arg) implements ClientMsg {}

  /** An ask that failed (timed out). */
  record CallFailed(Throwable cause) implements ClientMsg {}

  /** Shared counters: clients finished, replies received, failed calls. */
  record Tally(CountDownLatch finished, LongAdder replies, LongAdder failures) {
    static Tally of(int clients) {
      return new Tally(new CountDownLatch(clients), new LongAdder(), new LongAdder());
    }
  }

  /** A client making {@code quota} sequential calls, with ask (and timeout) or without. */
  static final class Client extends AbstractBehavior<ClientMsg> {
    private final ActorRef<ServerMsg> server;
    private final ActorRef<Reply> self;
    private final boolean useAsk;
    private final long quota;
    private final Tally tally;
    private long done;

    static Behavior<ClientMsg> create(ActorRef<ServerMsg> server, boolean useAsk, long quota,
        Tally tally) {
      return Behaviors.setup(context -> new Client(context, server, useAsk, quota, tally));
    }

    private Client(ActorContext<ClientMsg> context, ActorRef<ServerMsg> server, boolean useAsk,
        long quota, Tally tally) {
      super(context);
      this.server = server;
      this.self = context.getSelf().narrow();
      this.useAsk = useAsk;
      this.quota = quota;
      this.tally = tally;
    }

    @Override
    public Receive<ClientMsg> createReceive() {
      return newReceiveBuilder()
          .onMessage(Go.class, go -> callNext())
          .onMessage(Reply.class, reply -> {
            if (reply.arg() == done) {
              tally.replies().increment();
            } else {
              tally.failures().increment();
            }
            done++;
            return callNext();
          })
          .onMessage(CallFailed.class, failed -> {
            tally.failures().increment();
            tally.finished().countDown();
            return this;
          })
          .build();
    }

    private Behavior<ClientMsg> callNext() {
      if (done == quota) {
        tally.finished().countDown();
      } else if (useAsk) {
        long arg = done;
        getContext().ask(Reply.class, server, Harness.CALL_TIMEOUT,
            replyTo -> new Call(arg, replyTo),
            (reply, failure) -> reply != null ? reply : new CallFailed(failure));
      } else {
        server.tell(new Call(done, self));
      }
      return this;
    }
  }

  /** Parent of the call clients; Go starts them all. */
  static Behavior<Go> clients(ActorRef<ServerMsg> server, boolean useAsk, int clients, long n,
      Tally tally, CountDownLatch started) {
    return Behaviors.setup(context -> {
      List<ActorRef<ClientMsg>> refs = new ArrayList<>(clients);
      for (int i = 0; i < clients; i++) {
        long quota = n / clients + (i < n % clients ? 1 : 0);
        refs.add(context.spawnAnonymous(
            Harness.signalStarted(started, Client.create(server, useAsk, quota, tally))));
      }
      return Behaviors.receive(Go.class)
          .onMessage(Go.class, go -> {
            refs.forEach(client -> client.tell(GO));
            return Behaviors.same();
          })
          .build();
    });
  }

  // ---- the cast client ----

  sealed interface CasterMsg {}

  record CastAll(CompletableFuture<Count> synced) implements CasterMsg {}

  record Synced(Count count, Throwable failure) implements CasterMsg {}

  /** Tells the server n casts, then asks for its count. */
  static final class Caster extends AbstractBehavior<CasterMsg> {
    private final ActorRef<ServerMsg> server;
    private final long n;
    private CompletableFuture<Count> synced;

    static Behavior<CasterMsg> create(ActorRef<ServerMsg> server, long n) {
      return Behaviors.setup(context -> new Caster(context, server, n));
    }

    private Caster(ActorContext<CasterMsg> context, ActorRef<ServerMsg> server, long n) {
      super(context);
      this.server = server;
      this.n = n;
    }

    @Override
    public Receive<CasterMsg> createReceive() {
      return newReceiveBuilder()
          .onMessage(CastAll.class, start -> {
            synced = start.synced();
            for (long i = 0; i < n; i++) {
              server.tell(new Cast(i));
            }
            getContext().ask(Count.class, server, Harness.CALL_TIMEOUT, GetCount::new,
                Synced::new);
            return this;
          })
          .onMessage(Synced.class, reply -> {
            if (reply.count() != null) {
              synced.complete(reply.count());
            } else {
              synced.completeExceptionally(reply.failure());
            }
            return this;
          })
          .build();
    }
  }

  // ---- the runs ----

  static GenServerBench call(int clients, int n) {
    Harness.check(clients >= 1 && n >= 0, "need clients >= 1 and n >= 0");
    return new GenServerBench(true, clients, n);
  }

  static GenServerBench cast(int n) {
    Harness.check(n >= 0, "n must be >= 0");
    return new GenServerBench(false, 1, n);
  }

  private final boolean calls;
  private final int clients;
  private final long n;

  private GenServerBench(boolean calls, int clients, long n) {
    this.calls = calls;
    this.clients = clients;
    this.n = n;
  }

  @Override
  public List<PekkoBench.Metric> metrics() {
    return calls
        ? List.of(new PekkoBench.Metric("genserver_call", "calls/s"),
            new PekkoBench.Metric("genserver_call_noask", "calls/s"))
        : List.of(new PekkoBench.Metric("genserver_cast", "casts/s"));
  }

  @Override
  public double[] pass(Harness harness) {
    return calls
        ? new double[] {callRate(harness, true), callRate(harness, false)}
        : new double[] {castRate(harness)};
  }

  private double callRate(Harness harness, boolean useAsk) {
    String label = useAsk ? "ask" : "no-ask";
    Tally tally = Tally.of(clients);
    CountDownLatch started = new CountDownLatch(clients + 1);
    ActorRef<ServerMsg> server = harness.spawn(Harness.signalStarted(started, Server.create()));
    ActorRef<Go> parent = harness.spawn(clients(server, useAsk, clients, n, tally, started));
    Harness.await(started, "server and clients to start");

    long t0 = System.nanoTime();
    parent.tell(GO);
    Harness.await(tally.finished(), label + " clients to finish");
    long nanos = System.nanoTime() - t0;

    Count count = harness.ask(server, GetCount::new, "the server's count");
    harness.stop(parent, server);
    Harness.check(tally.failures().sum() == 0,
        tally.failures().sum() + " " + label + " calls failed or got a wrong reply");
    Harness.check(tally.replies().sum() == n,
        label + " clients got " + tally.replies().sum() + " replies, expected " + n);
    Harness.check(count.calls() == n,
        "server counted " + count.calls() + " " + label + " calls, expected " + n);
    return n / Harness.seconds(nanos);
  }

  private double castRate(Harness harness) {
    CountDownLatch started = new CountDownLatch(2);
    ActorRef<ServerMsg> server = harness.spawn(Harness.signalStarted(started, Server.create()));
    ActorRef<CasterMsg> client = harness.spawn(Harness.signalStarted(started, Caster.create(server, n)));
    Harness.await(started, "server and client to start");

    CompletableFuture<Count> synced = new CompletableFuture<>();
    long t0 = System.nanoTime();
    client.tell(new CastAll(synced));
    Count count = Harness.await(synced, "the sync call after the casts");
    long nanos = System.nanoTime() - t0;

    harness.stop(client, server);
    Harness.check(count.casts() == n, "server counted " + count.casts() + " casts, expected " + n);
    return n / Harness.seconds(nanos);
  }
}
