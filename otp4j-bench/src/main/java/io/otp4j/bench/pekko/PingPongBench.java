package io.otp4j.bench.pekko;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * pingpong (one pair, n round trips) and pairs (many pairs at once, n round trips each). A pinger
 * sends {@code Ping(seq, self)}, its ponger answers {@code Pong(seq)}, the pinger checks the
 * sequence number and sends the next ping. The same pairs, with no round-trip limit, are the
 * background load of call_latency_under_load.
 */
final class PingPongBench implements PekkoBench.Workload {

  /** Unlimited rounds: the pair runs until it is stopped. */
  static final long FOREVER = Long.MAX_VALUE;

  record Ping(long seq, ActorRef<Pong> replyTo) {}

  sealed interface PingerMsg {}

  record Go() implements PingerMsg {}

  record Pong(long seq) implements PingerMsg {}

  static final Go GO = new Go();

  /** Sent once every pair has made its first round trip (wanted by the background load). */
  record AllRunning() {}

  /**
   * Shared counters the harness reads: pairs finished, round trips made, replies out of sequence;
   * and who to tell once every pair has made a round trip (null: nobody).
   */
  record Tally(CountDownLatch finished, LongAdder roundTrips, LongAdder outOfSequence,
      AtomicInteger notYetRunning, ActorRef<AllRunning> whenAllRunning) {
    static Tally of(int pairs) {
      return load(pairs, null);
    }

    static Tally load(int pairs, ActorRef<AllRunning> whenAllRunning) {
      return new Tally(new CountDownLatch(pairs), new LongAdder(), new LongAdder(),
          new AtomicInteger(pairs), whenAllRunning);
    }
  }

  static Behavior<Ping> ponger() {
    return Behaviors.receive(Ping.class)
        .onMessage(Ping.class, ping -> {
          ping.replyTo().tell(new Pong(ping.seq()));
          return Behaviors.same();
        })
        .build();
  }

  static final class Pinger extends AbstractBehavior<PingerMsg> {
    private final ActorRef<Ping> ponger;
    private final ActorRef<Pong> self;
    private final long rounds;
    private final Tally tally;
    private long completed;
    private boolean reported;

    static Behavior<PingerMsg> create(ActorRef<Ping> ponger, long rounds, Tally tally) {
      return Behaviors.setup(context -> new Pinger(context, ponger, rounds, tally));
    }

    private Pinger(ActorContext<PingerMsg> context, ActorRef<Ping> ponger, long rounds,
        Tally tally) {
      super(context);
      this.ponger = ponger;
      this.self = context.getSelf().narrow();
      this.rounds = rounds;
      this.tally = tally;
    }

    @Override
    public Receive<PingerMsg> createReceive() {
      return newReceiveBuilder()
          .onMessage(Go.class, go -> {
            if (rounds == 0) {
              finish();
            } else {
              ponger.tell(new Ping(1, self));
            }
            return this;
          })
          .onMessage(Pong.class, this::onPong)
          .onSignal(PostStop.class, signal -> {
            finish();
            return this;
          })
          .build();
    }

    private Behavior<PingerMsg> onPong(Pong pong) {
      completed++;
      if (pong.seq() != completed) {
        tally.outOfSequence().increment();
      }
      if (completed == 1 && tally.notYetRunning().decrementAndGet() == 0
          && tally.whenAllRunning() != null) {
        tally.whenAllRunning().tell(new AllRunning());
      }
      if (completed == rounds) {
        finish();
      } else {
        ponger.tell(new Ping(completed + 1, self));
      }
      return this;
    }

    private void finish() {
      if (!reported) {
        reported = true;
        tally.roundTrips().add(completed);
        tally.finished().countDown();
      }
    }
  }

  /** Parent of {@code pairs} ping-pong pairs; Go starts them all. */
  static Behavior<Go> pairs(int pairs, long rounds, Tally tally, CountDownLatch started) {
    return Behaviors.setup(context -> {
      List<ActorRef<PingerMsg>> pingers = new ArrayList<>(pairs);
      for (int i = 0; i < pairs; i++) {
        ActorRef<Ping> ponger = context.spawnAnonymous(Harness.signalStarted(started, ponger()));
        pingers.add(context.spawnAnonymous(
            Harness.signalStarted(started, Pinger.create(ponger, rounds, tally))));
      }
      started.countDown();
      return Behaviors.receive(Go.class)
          .onMessage(Go.class, go -> {
            for (ActorRef<PingerMsg> pinger : pingers) {
              pinger.tell(GO);
            }
            return Behaviors.same();
          })
          .build();
    });
  }

  /** Actors started by {@link #pairs}: two per pair plus the parent. */
  static int actorCount(int pairs) {
    return 2 * pairs + 1;
  }

  static PingPongBench pingpong(int n) {
    return new PingPongBench("pingpong", 1, n);
  }

  static PingPongBench pairs(int pairs, int n) {
    return new PingPongBench("pairs", pairs, n);
  }

  private final String bench;
  private final int pairs;
  private final int n;

  private PingPongBench(String bench, int pairs, int n) {
    Harness.check(pairs >= 1 && n >= 1, "need pairs >= 1 and n >= 1");
    this.bench = bench;
    this.pairs = pairs;
    this.n = n;
  }

  @Override
  public List<PekkoBench.Metric> metrics() {
    return List.of(new PekkoBench.Metric(bench, "roundtrips/s"));
  }

  @Override
  public double[] pass(Harness harness) {
    Tally tally = Tally.of(pairs);
    CountDownLatch started = new CountDownLatch(actorCount(pairs));
    ActorRef<Go> parent = harness.spawn(pairs(pairs, n, tally, started));
    Harness.await(started, "pairs to start");

    long t0 = System.nanoTime();
    parent.tell(GO);
    Harness.await(tally.finished(), "pairs to finish");
    long nanos = System.nanoTime() - t0;

    harness.stop(parent);
    long expected = (long) pairs * n;
    Harness.check(tally.roundTrips().sum() == expected,
        "round trips " + tally.roundTrips().sum() + ", expected " + expected);
    Harness.check(tally.outOfSequence().sum() == 0,
        tally.outOfSequence().sum() + " replies out of sequence");
    return new double[] {expected / Harness.seconds(nanos)};
  }
}
