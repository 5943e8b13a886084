package io.otp4j.bench.pekko;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * fanin: {@code senders} actors each tell one receiver {@code n} small messages, as fast as they
 * can (a plain loop of tells in one message handler, no flow control); the receiver counts them.
 * Checks: the total, and that each sender's messages arrived in the order sent.
 */
final class FanInBench implements PekkoBench.Workload {

  /** The small message: who sent it and its sequence number. */
  record Item(int sender, long seq) {}

  record Go() {}

  private static final Go GO = new Go();

  /** What the receiver reports once it has counted everything. */
  record Counted(long count, long outOfOrder) {}

  private final int senders;
  private final int n;

  FanInBench(int senders, int n) {
    Harness.check(senders >= 1 && n >= 1, "need senders >= 1 and n >= 1");
    this.senders = senders;
    this.n = n;
  }

  @Override
  public List<PekkoBench.Metric> metrics() {
    return List.of(new PekkoBench.Metric("fanin", "msgs/s"));
  }

  static final class Receiver extends AbstractBehavior<Item> {
    private final long expected;
    private final long[] nextSeq;
    private final CompletableFuture<Counted> done;
    private long count;
    private long outOfOrder;

    private Receiver(ActorContext<Item> context, int senders, long expected,
        CompletableFuture<Counted> done) {
      super(context);
      this.expected = expected;
      this.nextSeq = new long[senders];
      this.done = done;
    }

    @Override
    public Receive<Item> createReceive() {
      return newReceiveBuilder().onMessage(Item.class, this::onItem).build();
    }

    private Behavior<Item> onItem(Item item) {
      if (item.seq() != nextSeq[item.sender()]) {
        outOfOrder++;
      }
      nextSeq[item.sender()] = item.seq() + 1;
      if (++count == expected) {
        done.complete(new Counted(count, outOfOrder));
      }
      return this;
    }
  }

  static Behavior<Go> sender(int index, int n, ActorRef<Item> receiver) {
    return Behaviors.receive(Go.class)
        .onMessage(Go.class, go -> {
          for (int i = 0; i < n; i++) {
            receiver.tell(new Item(index, i));
          }
          return Behaviors.same();
        })
        .build();
  }

  /** Parent of the receiver and the senders; Go starts the senders. */
  static Behavior<Go> parent(int senders, int n, CompletableFuture<Counted> done,
      CountDownLatch started) {
    return Behaviors.setup(context -> {
      ActorRef<Item> receiver = context.spawnAnonymous(Harness.signalStarted(started,
          Behaviors.<Item>setup(c -> new Receiver(c, senders, (long) senders * n, done))));
      List<ActorRef<Go>> senderRefs = new ArrayList<>(senders);
      for (int i = 0; i < senders; i++) {
        senderRefs.add(context.spawnAnonymous(
            Harness.signalStarted(started, sender(i, n, receiver))));
      }
      return Behaviors.receive(Go.class)
          .onMessage(Go.class, go -> {
            senderRefs.forEach(s -> s.tell(GO));
            return Behaviors.same();
          })
          .build();
    });
  }

  @Override
  public double[] pass(Harness harness) {
    CompletableFuture<Counted> done = new CompletableFuture<>();
    CountDownLatch started = new CountDownLatch(senders + 1);
    ActorRef<Go> parent = harness.spawn(parent(senders, n, done, started));
    Harness.await(started, "senders and receiver to start");

    long t0 = System.nanoTime();
    parent.tell(GO);
    Counted counted = Harness.await(done, "the receiver to count everything");
    long nanos = System.nanoTime() - t0;

    harness.stop(parent);
    long expected = (long) senders * n;
    Harness.check(counted.count() == expected,
        "received " + counted.count() + ", expected " + expected);
    Harness.check(counted.outOfOrder() == 0, counted.outOfOrder() + " messages out of order");
    return new double[] {expected / Harness.seconds(nanos)};
  }
}
