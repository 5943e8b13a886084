package io.otp4j.bench.pekko;

import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * spawn_1m, spawn_1m_mem, spawn_1m_teardown.
 *
 * <p>One parent actor spawns all n children in a loop inside one message handler
 * ({@code spawnAnonymous}); this is the quickest idiomatic way (spawning from the main thread would
 * need a request to a spawning actor per child). Spawning in Pekko is asynchronous: the child starts
 * later on the dispatcher. The spawn time therefore runs until every child has started (its setup
 * counted a latch down), i.e. until all n are idle in their receive.
 *
 * <p>Memory: Java heap after full GCs with the n idle children alive, minus the same before the
 * spawn, divided by n. It includes what the parent keeps per child (Pekko's children container, and
 * the ActorRef array this parent holds to stop them). Pekko actors keep nothing off-heap.
 *
 * <p>Teardown: the parent tells each child a Stop message; each child stops and its PostStop signal
 * counts a latch down; the time runs until the latch reaches zero.
 */
final class SpawnBench implements PekkoBench.Workload {

  /** The only message of an idle child. */
  record Stop() {}

  private static final Stop STOP = new Stop();

  sealed interface ParentMsg {}

  record SpawnAll(int n, Behavior<Stop> child) implements ParentMsg {}

  record StopAll() implements ParentMsg {}

  private final int n;

  SpawnBench(int n) {
    Harness.check(n >= 1, "n must be >= 1");
    this.n = n;
  }

  @Override
  public List<PekkoBench.Metric> metrics() {
    return List.of(
        new PekkoBench.Metric("spawn_1m", "procs/s"),
        new PekkoBench.Metric("spawn_1m_mem", "bytes/proc"),
        new PekkoBench.Metric("spawn_1m_teardown", "ms"));
  }

  /** An idle child: waits for Stop. One immutable behavior value is shared by all n children. */
  static Behavior<Stop> idleChild(CountDownLatch started, CountDownLatch stopped) {
    Behavior<Stop> waiting = Behaviors.receive(Stop.class)
        .onMessage(Stop.class, stop -> Behaviors.stopped())
        .onSignal(PostStop.class, signal -> {
          stopped.countDown();
          return Behaviors.same();
        })
        .build();
    return Harness.signalStarted(started, waiting);
  }

  /** Spawns the children on request and keeps their refs to stop them later. */
  static final class Parent extends AbstractBehavior<ParentMsg> {
    private ActorRef<Stop>[] children;

    static Behavior<ParentMsg> create() {
      return Behaviors.setup(Parent::new);
    }

    private Parent(ActorContext<ParentMsg> context) {
      super(context);
    }

    @Override
    public Receive<ParentMsg> createReceive() {
      return newReceiveBuilder()
          .onMessage(SpawnAll.class, this::onSpawnAll)
          .onMessage(StopAll.class, this::onStopAll)
          .build();
    }

    private Behavior<ParentMsg> onSpawnAll(SpawnAll msg) {
      @SuppressWarnings("unchecked")
      ActorRef<Stop>[] refs = (ActorRef<Stop>[]) new ActorRef<?>[msg.n()];
      for (int i = 0; i < refs.length; i++) {
        refs[i] = getContext().spawnAnonymous(msg.child());
      }
      children = refs;
      return this;
    }

    private Behavior<ParentMsg> onStopAll(StopAll msg) {
      for (ActorRef<Stop> child : children) {
        child.tell(STOP);
      }
      children = null;
      return this;
    }
  }

  @Override
  public double[] pass(Harness harness) throws Exception {
    CountDownLatch started = new CountDownLatch(n);
    CountDownLatch stopped = new CountDownLatch(n);
    Behavior<Stop> child = idleChild(started, stopped);
    ActorRef<ParentMsg> parent = harness.spawn(Parent.create());

    long heapBefore = Harness.heapUsedAfterGc();
    long t0 = System.nanoTime();
    parent.tell(new SpawnAll(n, child));
    Harness.await(started, "children to start");
    long spawnNanos = System.nanoTime() - t0;

    long heapAfter = Harness.heapUsedAfterGc();
    Harness.check(stopped.getCount() == n, "a child stopped before it was told to");

    long t1 = System.nanoTime();
    parent.tell(new StopAll());
    Harness.await(stopped, "children to stop");
    long teardownNanos = System.nanoTime() - t1;

    harness.stop(parent);
    return new double[] {
        n / Harness.seconds(spawnNanos),
        (double) (heapAfter - heapBefore) / n,
        teardownNanos / 1e6
    };
  }
}
