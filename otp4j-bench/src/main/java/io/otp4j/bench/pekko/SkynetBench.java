package io.otp4j.bench.pekko;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * skynet: a 10-ary tree of actors with {@code leaves} leaves (1,111,111 actors for 1,000,000
 * leaves). A node covering numbers [first, first + size) spawns ten children covering a tenth each;
 * a leaf (size 1) sends its number to its parent and stops; a parent sums its children's numbers,
 * sends the sum up and stops. Timed from the request to the root's sum arriving; the check is
 * leaves * (leaves - 1) / 2 (499999500000 for 1,000,000). A leaf count that is not a power of ten
 * is split as evenly as possible.
 */
final class SkynetBench implements PekkoBench.Workload {

  sealed interface CollectorMsg {}

  record Sum(long value) implements CollectorMsg {}

  record Start(CompletableFuture<Long> result) implements CollectorMsg {}

  private final int leaves;

  SkynetBench(int leaves) {
    Harness.check(leaves >= 1, "leaves must be >= 1");
    this.leaves = leaves;
  }

  @Override
  public List<PekkoBench.Metric> metrics() {
    return List.of(new PekkoBench.Metric("skynet", "ms"));
  }

  static Behavior<Sum> node(long first, long size, ActorRef<Sum> parent) {
    return Behaviors.setup(context -> {
      if (size == 1) {
        parent.tell(new Sum(first));
        return Behaviors.stopped();
      }
      int children = 0;
      for (int i = 0; i < 10; i++) {
        long from = first + size * i / 10;
        long to = first + size * (i + 1) / 10;
        if (to > from) {
          context.spawnAnonymous(node(from, to - from, context.getSelf()));
          children++;
        }
      }
      return new Summing(context, children, parent);
    });
  }

  /** An inner node waiting for its children's sums. */
  static final class Summing extends AbstractBehavior<Sum> {
    private final ActorRef<Sum> parent;
    private int pending;
    private long sum;

    Summing(ActorContext<Sum> context, int children, ActorRef<Sum> parent) {
      super(context);
      this.pending = children;
      this.parent = parent;
    }

    @Override
    public Receive<Sum> createReceive() {
      return newReceiveBuilder().onMessage(Sum.class, this::onSum).build();
    }

    private Behavior<Sum> onSum(Sum child) {
      sum += child.value();
      if (--pending > 0) {
        return this;
      }
      parent.tell(new Sum(sum));
      return Behaviors.stopped();
    }
  }

  /** Spawns the root on Start and hands the root's sum to the harness. */
  static final class Collector extends AbstractBehavior<CollectorMsg> {
    private final long leaves;
    private CompletableFuture<Long> result;

    static Behavior<CollectorMsg> create(long leaves) {
      return Behaviors.setup(context -> new Collector(context, leaves));
    }

    private Collector(ActorContext<CollectorMsg> context, long leaves) {
      super(context);
      this.leaves = leaves;
    }

    @Override
    public Receive<CollectorMsg> createReceive() {
      return newReceiveBuilder()
          .onMessage(Start.class, start -> {
            result = start.result();
            getContext().spawnAnonymous(node(0, leaves, getContext().getSelf().narrow()));
            return this;
          })
          .onMessage(Sum.class, sum -> {
            result.complete(sum.value());
            return this;
          })
          .build();
    }
  }

  @Override
  public double[] pass(Harness harness) {
    ActorRef<CollectorMsg> collector = harness.spawn(Collector.create(leaves));
    CompletableFuture<Long> result = new CompletableFuture<>();
    long t0 = System.nanoTime();
    collector.tell(new Start(result));
    long sum = Harness.await(result, "the skynet sum");
    long nanos = System.nanoTime() - t0;

    harness.stop(collector);
    long expected = (long) leaves * (leaves - 1) / 2;
    Harness.check(sum == expected, "sum " + sum + ", expected " + expected);
    return new double[] {nanos / 1e6};
  }
}
