package io.otp4j.bench.pekko;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * call_latency_under_load: {@code procs} actors (procs / 2 ping-pong pairs of
 * {@link PingPongBench}, without a round-trip limit) exchange messages flat out, while one client
 * actor makes up to {@code calls} sequential calls to an otherwise idle
 * {@link GenServerBench.Server}. Each latency is System.nanoTime from the request to the reply's
 * arrival at the client; p50, p99 and p99.9 (nearest rank) are reported in microseconds. The calls
 * start once every pair has made a round trip; the load is stopped right after the last call.
 * Checks: every call answered, in order; the server counted exactly the calls made; the load made
 * progress.
 *
 * <p>The call: by default the request carries a message-adapter ref and the client starts a 5 s
 * single timer per call, cancelled by the reply (a call with a timeout). With {@code ask=1} it is
 * {@code ActorContext.ask} with the 5 s timeout instead; that variant does not complete under this
 * load and ends with the watchdog's FAIL (see below), which is why it is not the default.
 *
 * <p>Observed with the default fork-join dispatcher (on JDK 25 and JDK 17 alike):
 * <ul>
 *   <li>A message told from a thread outside the pool is not processed while the load runs: the
 *       mailbox run is then an external submission, and the pool's workers never run out of local
 *       work to go and look for it. The Java DSL's {@code ActorContext.ask} delivers the reply that
 *       way (Scala's CompletionStage wrapper runs {@code handle} as {@code handleAsync} on the JDK
 *       common pool, which then tells the client), so with {@code ask=1} no reply arrives. Hence
 *       the pass is driven by a coordinator actor, not by the harness thread.</li>
 *   <li>The pairs are all started by one actor, so their mailboxes start in one worker's queue; the
 *       other workers each steal a pair and then keep running it, while the rest (and the client
 *       and server) share the one queue. Calls then take tens of milliseconds each, so 100,000
 *       sequential calls would take over an hour. A pass therefore stops calling after
 *       {@code max_s} seconds (default 60) and reports the percentiles of the calls made; the count
 *       is printed on stderr.</li>
 * </ul>
 */
final class CallLatencyBench implements PekkoBench.Workload {

  // ---- the client ----

  sealed interface ClientMsg {}

  /** Start calling; stop after the last call or once {@code deadline} (nanoTime) has passed. */
  record Start(ActorRef<CallsDone> replyTo, long deadline) implements ClientMsg {}

  /** The server's reply (through a message adapter or the ask), or the ask's failure. */
  record Replied(GenServerBench.Reply reply, Throwable failure) implements ClientMsg {}

  /** The 5 s timer of the call numbered {@code call} ran out. */
  record TimedOut(long call) implements ClientMsg {}

  /**
   * Makes the calls one at a time. With {@code useAsk}: {@code ActorContext.ask} with the 5 s
   * timeout. Without: the request carries a message-adapter ref for the reply, and a 5 s single
   * timer is started per call and cancelled by the reply (a call with a timeout, built from a
   * timer instead of Pekko's ask).
   */
  static final class Client extends AbstractBehavior<ClientMsg> {
    private static final String CALL_TIMER = "call-timeout";

    private final ActorRef<GenServerBench.ServerMsg> server;
    private final boolean useAsk;
    private final TimerScheduler<ClientMsg> timers;
    private final ActorRef<GenServerBench.Reply> replyAdapter;
    private final long[] latencies;
    private ActorRef<CallsDone> replyTo;
    private long deadline;
    private int done;
    private long sentAt;

    static Behavior<ClientMsg> create(ActorRef<GenServerBench.ServerMsg> server, int calls,
        boolean useAsk) {
      return Behaviors.setup(context -> Behaviors.withTimers(
          timers -> new Client(context, timers, server, calls, useAsk)));
    }

    private Client(ActorContext<ClientMsg> context, TimerScheduler<ClientMsg> timers,
        ActorRef<GenServerBench.ServerMsg> server, int calls, boolean useAsk) {
      super(context);
      this.server = server;
      this.useAsk = useAsk;
      this.timers = timers;
      this.replyAdapter = context.messageAdapter(GenServerBench.Reply.class,
          reply -> new Replied(reply, null));
      this.latencies = new long[calls];
    }

    @Override
    public Receive<ClientMsg> createReceive() {
      return newReceiveBuilder()
          .onMessage(Start.class, start -> {
            replyTo = start.replyTo();
            deadline = start.deadline();
            call();
            return this;
          })
          .onMessage(Replied.class, this::onReplied)
          .onMessage(TimedOut.class, timedOut -> {
            if (timedOut.call() == done) {
              replyTo.tell(new CallsDone(null, "call " + done + " timed out"));
            }
            return this;
          })
          .build();
    }

    private void call() {
      long arg = done;
      sentAt = System.nanoTime();
      if (useAsk) {
        getContext().ask(GenServerBench.Reply.class, server, Harness.CALL_TIMEOUT,
            replyTo -> new GenServerBench.Call(arg, replyTo), Replied::new);
      } else {
        server.tell(new GenServerBench.Call(arg, replyAdapter));
        timers.startSingleTimer(CALL_TIMER, new TimedOut(arg), Harness.CALL_TIMEOUT);
      }
    }

    private Behavior<ClientMsg> onReplied(Replied replied) {
      long now = System.nanoTime();
      if (!useAsk) {
        timers.cancel(CALL_TIMER);
      }
      if (replied.reply() == null) {
        replyTo.tell(new CallsDone(null, "call " + done + " failed: " + replied.failure()));
      } else if (replied.reply().arg() != done) {
        replyTo.tell(new CallsDone(null,
            "call " + done + " got the reply to call " + replied.reply().arg()));
      } else {
        latencies[done++] = now - sentAt;
        if (done < latencies.length && now - deadline < 0) {
          call();
        } else {
          replyTo.tell(new CallsDone(Arrays.copyOf(latencies, done), null));
        }
      }
      return this;
    }
  }

  // ---- the coordinator of a pass ----

  sealed interface CoordinatorMsg {}

  record Run(CompletableFuture<Outcome> outcome) implements CoordinatorMsg {}

  private record LoadRunning() implements CoordinatorMsg {}

  /** From the client: the latencies, or why it gave up. */
  record CallsDone(long[] latencies, String failure) implements CoordinatorMsg {}

  private record LoadStopped() implements CoordinatorMsg {}

  private record ServerCount(GenServerBench.Count count) implements CoordinatorMsg {}

  /** A pass's result; the load's figures are final, as the load has stopped. */
  record Outcome(long[] latencies, String failure, long serverCalls, long loadRoundTrips,
      long loadOutOfSequence) {}

  /** Spawns load, server and client; starts the load, then the calls; stops the load. */
  static final class Coordinator extends AbstractBehavior<CoordinatorMsg> {
    private final PingPongBench.Tally tally;
    private final ActorRef<PingPongBench.Go> load;
    private final ActorRef<GenServerBench.ServerMsg> server;
    private final ActorRef<ClientMsg> client;
    private final Duration budget;
    private CompletableFuture<Outcome> outcome;
    private CallsDone callsDone;

    static Behavior<CoordinatorMsg> create(int pairs, int calls, boolean useAsk,
        Duration budget, CountDownLatch started) {
      return Behaviors.setup(
          context -> new Coordinator(context, pairs, calls, useAsk, budget, started));
    }

    private Coordinator(ActorContext<CoordinatorMsg> context, int pairs, int calls,
        boolean useAsk, Duration budget, CountDownLatch started) {
      super(context);
      this.budget = budget;
      ActorRef<PingPongBench.AllRunning> whenRunning =
          context.messageAdapter(PingPongBench.AllRunning.class, running -> new LoadRunning());
      tally = PingPongBench.Tally.load(pairs, whenRunning);
      load = context.spawnAnonymous(
          PingPongBench.pairs(pairs, PingPongBench.FOREVER, tally, started));
      server = context.spawnAnonymous(
          Harness.signalStarted(started, GenServerBench.Server.create()));
      client = context.spawnAnonymous(
          Harness.signalStarted(started, Client.create(server, calls, useAsk)));
    }

    @Override
    public Receive<CoordinatorMsg> createReceive() {
      return newReceiveBuilder()
          .onMessage(Run.class, run -> {
            outcome = run.outcome();
            load.tell(PingPongBench.GO);
            return this;
          })
          .onMessage(LoadRunning.class, running -> {
            client.tell(new Start(getContext().getSelf().narrow(),
                System.nanoTime() + budget.toNanos()));
            return this;
          })
          .onMessage(CallsDone.class, done -> {
            callsDone = done;
            getContext().watchWith(load, new LoadStopped());
            getContext().stop(load);
            return this;
          })
          .onMessage(LoadStopped.class, stopped -> {
            getContext().ask(GenServerBench.Count.class, server, Harness.CALL_TIMEOUT,
                GenServerBench.GetCount::new,
                (count, failure) -> new ServerCount(count));
            return this;
          })
          .onMessage(ServerCount.class, count -> {
            // each pinger added its round trips to the tally when it stopped
            outcome.complete(new Outcome(callsDone.latencies(), callsDone.failure(),
                count.count() == null ? -1 : count.count().calls(),
                tally.roundTrips().sum(), tally.outOfSequence().sum()));
            return this;
          })
          .build();
    }
  }

  private final int pairs;
  private final int calls;
  private final boolean useAsk;
  private final Duration budget;

  CallLatencyBench(int procs, int calls, boolean useAsk, int maxSeconds) {
    Harness.check(procs >= 2 && calls >= 1 && maxSeconds >= 1,
        "need procs >= 2, calls >= 1 and max_s >= 1");
    this.pairs = procs / 2;
    this.calls = calls;
    this.useAsk = useAsk;
    this.budget = Duration.ofSeconds(maxSeconds);
  }

  @Override
  public List<PekkoBench.Metric> metrics() {
    return List.of(
        new PekkoBench.Metric("call_latency_under_load_p50", "us"),
        new PekkoBench.Metric("call_latency_under_load_p99", "us"),
        new PekkoBench.Metric("call_latency_under_load_p999", "us"));
  }

  @Override
  public double[] pass(Harness harness) {
    CountDownLatch started = new CountDownLatch(PingPongBench.actorCount(pairs) + 2);
    ActorRef<CoordinatorMsg> coordinator =
        harness.spawn(Coordinator.create(pairs, calls, useAsk, budget, started));
    Harness.await(started, "load, server and client to start");

    CompletableFuture<Outcome> result = new CompletableFuture<>();
    coordinator.tell(new Run(result));
    Outcome outcome = Harness.await(result, "the calls");
    harness.stop(coordinator);

    Harness.check(outcome.failure() == null, String.valueOf(outcome.failure()));
    int made = outcome.latencies().length;
    Harness.check(made >= 1, "no call completed");
    Harness.check(outcome.serverCalls() == made,
        "server counted " + outcome.serverCalls() + " calls, the client made " + made);
    Harness.check(outcome.loadRoundTrips() > pairs,
        "load made only " + outcome.loadRoundTrips() + " round trips");
    Harness.check(outcome.loadOutOfSequence() == 0, "load replies out of sequence");
    System.err.println("# " + made + " of " + calls + " calls made"
        + (made < calls ? " (time budget of " + budget.toSeconds() + " s reached)" : "")
        + "; load: " + outcome.loadRoundTrips() + " round trips by " + pairs + " pairs");

    long[] sorted = outcome.latencies().clone();
    Arrays.sort(sorted);
    return new double[] {
        Harness.percentile(sorted, 0.50) / 1e3,
        Harness.percentile(sorted, 0.99) / 1e3,
        Harness.percentile(sorted, 0.999) / 1e3
    };
  }
}
