package io.otp4j.bench.pekko;

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
 * ring: {@code procs} actors in a ring, one token passed {@code hops} times. The token carries the
 * number of hops still to go; whoever receives it at 0 reports its position. Node 0 is the
 * coordinator, which spawns nodes procs-1 .. 1 (each created with its successor's ref, the last one
 * pointing back to node 0). Check: the token ends at node {@code hops % procs}, which holds only if
 * it made exactly {@code hops} hops.
 */
final class RingBench implements PekkoBench.Workload {

  sealed interface RingMsg {}

  /** The token, with the hops still to go. */
  record Token(long remaining) implements RingMsg {}

  record Start(long hops, CompletableFuture<Integer> endedAt) implements RingMsg {}

  record Finished(int node) implements RingMsg {}

  private final int procs;
  private final int hops;

  RingBench(int procs, int hops) {
    Harness.check(procs >= 1 && hops >= 0, "need procs >= 1 and hops >= 0");
    this.procs = procs;
    this.hops = hops;
  }

  @Override
  public List<PekkoBench.Metric> metrics() {
    return List.of(new PekkoBench.Metric("ring", "hops/s"));
  }

  static Behavior<Token> node(int index, ActorRef<Token> next, ActorRef<Finished> coordinator) {
    return Behaviors.receive(Token.class)
        .onMessage(Token.class, token -> {
          if (token.remaining() == 0) {
            coordinator.tell(new Finished(index));
          } else {
            next.tell(new Token(token.remaining() - 1));
          }
          return Behaviors.same();
        })
        .build();
  }

  /** Node 0 of the ring; builds the rest of the ring and reports where the token ended. */
  static final class Coordinator extends AbstractBehavior<RingMsg> {
    private final ActorRef<Token> next;
    private CompletableFuture<Integer> endedAt;

    static Behavior<RingMsg> create(int procs, CountDownLatch started) {
      return Behaviors.setup(context -> new Coordinator(context, procs, started));
    }

    private Coordinator(ActorContext<RingMsg> context, int procs, CountDownLatch started) {
      super(context);
      ActorRef<Finished> self = context.getSelf().narrow();
      ActorRef<Token> successor = context.getSelf().narrow();
      for (int i = procs - 1; i >= 1; i--) {
        successor = context.spawnAnonymous(Harness.signalStarted(started, node(i, successor, self)));
      }
      next = successor;
      started.countDown();
    }

    @Override
    public Receive<RingMsg> createReceive() {
      return newReceiveBuilder()
          .onMessage(Start.class, start -> {
            endedAt = start.endedAt();
            return onToken(new Token(start.hops()));
          })
          .onMessage(Token.class, this::onToken)
          .onMessage(Finished.class, finished -> {
            endedAt.complete(finished.node());
            return this;
          })
          .build();
    }

    private Behavior<RingMsg> onToken(Token token) {
      if (token.remaining() == 0) {
        endedAt.complete(0);
      } else {
        next.tell(new Token(token.remaining() - 1));
      }
      return this;
    }
  }

  @Override
  public double[] pass(Harness harness) {
    CountDownLatch started = new CountDownLatch(procs);
    ActorRef<RingMsg> ring = harness.spawn(Coordinator.create(procs, started));
    Harness.await(started, "ring nodes to start");

    CompletableFuture<Integer> endedAt = new CompletableFuture<>();
    long t0 = System.nanoTime();
    ring.tell(new Start(hops, endedAt));
    int node = Harness.await(endedAt, "the token");
    long nanos = System.nanoTime() - t0;

    harness.stop(ring);
    Harness.check(node == hops % procs,
        "token ended at node " + node + ", expected " + (hops % procs));
    return new double[] {hops / Harness.seconds(nanos)};
  }
}
