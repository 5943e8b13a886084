package io.otp4j.bench.pekko;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * supervisor_restart: a child under {@code Behaviors.supervise(...).onFailure(...,
 * SupervisorStrategy.restart())} (no restart limit; failure logging off, or the n failures would
 * be logged). A driver actor, n times: tells the child Crash (the child throws), then a Ping with
 * its own ref, and waits for the Pong; the Ping is queued behind the Crash, so it is answered by
 * the restarted behavior. Timed per restart from the Crash tell to the Pong's arrival; reported as
 * n / total time, and the median of those n times in microseconds.
 *
 * <p>Pekko typed restarts in place: the actor, its ref and its mailbox stay, the supervised
 * behavior is created anew (its setup runs again). Check: each Pong carries the incarnation that
 * answered (counted by the setup), which must be exactly one more after each crash.
 */
final class SupervisorRestartBench implements PekkoBench.Workload {

  sealed interface ChildMsg {}

  record Crash() implements ChildMsg {}

  record Ping(ActorRef<Pong> replyTo) implements ChildMsg {}

  sealed interface DriverMsg {}

  record Pong(long incarnation) implements DriverMsg {}

  record Start(CompletableFuture<long[]> samples) implements DriverMsg {}

  static final class CrashRequested extends RuntimeException {
    CrashRequested() {
      super("crash requested");
    }
  }

  private static final Crash CRASH = new Crash();

  private final int n;

  SupervisorRestartBench(int n) {
    Harness.check(n >= 1, "n must be >= 1");
    this.n = n;
  }

  @Override
  public List<PekkoBench.Metric> metrics() {
    return List.of(
        new PekkoBench.Metric("supervisor_restart", "restarts/s"),
        new PekkoBench.Metric("supervisor_restart_median", "us"));
  }

  /** The supervised child; {@code incarnations} counts how often its behavior was created. */
  static Behavior<ChildMsg> child(AtomicLong incarnations) {
    Behavior<ChildMsg> worker = Behaviors.setup(context -> {
      long incarnation = incarnations.getAndIncrement();
      return Behaviors.receive(ChildMsg.class)
          .onMessage(Crash.class, crash -> {
            throw new CrashRequested();
          })
          .onMessage(Ping.class, ping -> {
            ping.replyTo().tell(new Pong(incarnation));
            return Behaviors.same();
          })
          .build();
    });
    return Behaviors.supervise(worker)
        .onFailure(CrashRequested.class, SupervisorStrategy.restart().withLoggingEnabled(false));
  }

  /** Crashes the child n times, timing each crash-to-answer. */
  static final class Driver extends AbstractBehavior<DriverMsg> {
    private final ActorRef<ChildMsg> child;
    private final ActorRef<Pong> self;
    private final long[] samples;
    private CompletableFuture<long[]> result;
    private int done;
    private long crashedAt;

    static Behavior<DriverMsg> create(ActorRef<ChildMsg> child, int n) {
      return Behaviors.setup(context -> new Driver(context, child, n));
    }

    private Driver(ActorContext<DriverMsg> context, ActorRef<ChildMsg> child, int n) {
      super(context);
      this.child = child;
      this.self = context.getSelf().narrow();
      this.samples = new long[n];
    }

    @Override
    public Receive<DriverMsg> createReceive() {
      return newReceiveBuilder()
          .onMessage(Start.class, start -> {
            result = start.samples();
            crash();
            return this;
          })
          .onMessage(Pong.class, this::onPong)
          .build();
    }

    private void crash() {
      crashedAt = System.nanoTime();
      child.tell(CRASH);
      child.tell(new Ping(self));
    }

    private Behavior<DriverMsg> onPong(Pong pong) {
      samples[done] = System.nanoTime() - crashedAt;
      done++;
      if (pong.incarnation() != done) {
        result.completeExceptionally(new BenchFailure(
            "after crash " + done + " the answer came from incarnation " + pong.incarnation()));
      } else if (done < samples.length) {
        crash();
      } else {
        result.complete(samples);
      }
      return this;
    }
  }

  @Override
  public double[] pass(Harness harness) {
    AtomicLong incarnations = new AtomicLong();
    CountDownLatch started = new CountDownLatch(2);
    ActorRef<ChildMsg> child = harness.spawn(Harness.signalStarted(started, child(incarnations)));
    ActorRef<DriverMsg> driver = harness.spawn(
        Harness.signalStarted(started, Driver.create(child, n)));
    Harness.await(started, "child and driver to start");

    CompletableFuture<long[]> result = new CompletableFuture<>();
    long t0 = System.nanoTime();
    driver.tell(new Start(result));
    long[] samples = Harness.await(result, "the restarts");
    long nanos = System.nanoTime() - t0;

    harness.stop(driver, child);
    Harness.check(incarnations.get() == n + 1L,
        "child was created " + incarnations.get() + " times, expected " + (n + 1));
    return new double[] {n / Harness.seconds(nanos), Harness.medianOf(samples) / 1e3};
  }
}
