package io.otp4j.bench.pekko;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * What the benchmark thread (main) uses to drive a pass: spawn and stop top-level actors through
 * the {@link Guardian}, wait for completion signals, check answers.
 */
final class Harness {

  /** The call timeout of the ask-based workloads: the 5 s default of gen_server:call. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

  /** Upper bound for any single wait of the harness; the watchdog bounds the whole run. */
  private static final long WAIT_MINUTES = 5;

  private final ActorSystem<Guardian.Command> system;

  Harness(ActorSystem<Guardian.Command> system) {
    this.system = system;
  }

  ActorSystem<Guardian.Command> system() {
    return system;
  }

  /** Spawns a top-level actor of the pass (a child of the guardian). */
  <T> ActorRef<T> spawn(Behavior<T> behavior) {
    CompletableFuture<ActorRef<T>> ref = new CompletableFuture<>();
    system.tell(new Guardian.Spawn<>(behavior, ref));
    return await(ref, "spawn");
  }

  /** Stops top-level actors and returns once each has terminated together with its children. */
  void stop(ActorRef<?>... refs) {
    CompletableFuture<?>[] done = new CompletableFuture<?>[refs.length];
    for (int i = 0; i < refs.length; i++) {
      done[i] = new CompletableFuture<Void>();
      @SuppressWarnings("unchecked")
      CompletableFuture<Void> d = (CompletableFuture<Void>) done[i];
      system.tell(new Guardian.Stop(refs[i], d));
    }
    await(CompletableFuture.allOf(done), "actors to stop");
  }

  /** Request-reply from the harness thread, with the 5 s call timeout. */
  <Req, Res> Res ask(ActorRef<Req> target, Function<ActorRef<Res>, Req> request, String what) {
    CompletionStage<Res> reply =
        AskPattern.ask(target, request::apply, CALL_TIMEOUT, system.scheduler());
    return await(reply.toCompletableFuture(), what);
  }

  static <T> T await(CompletableFuture<T> future, String what) {
    try {
      return future.get(WAIT_MINUTES, TimeUnit.MINUTES);
    } catch (TimeoutException e) {
      throw new BenchFailure("timed out waiting for " + what);
    } catch (ExecutionException e) {
      throw new BenchFailure(what + " failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchFailure("interrupted waiting for " + what);
    }
  }

  static void await(CountDownLatch latch, String what) {
    try {
      if (!latch.await(WAIT_MINUTES, TimeUnit.MINUTES)) {
        throw new BenchFailure("timed out waiting for " + what + " (" + latch.getCount() + " left)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchFailure("interrupted waiting for " + what);
    }
  }

  static void check(boolean ok, String reason) {
    if (!ok) {
      throw new BenchFailure(reason);
    }
  }

  /**
   * Wraps a behavior so that the actor counts {@code started} down when it starts; the harness
   * waits for that before it starts the clock, so actor start-up is not part of a measurement
   * (except in spawn_1m and skynet, where it is the point).
   */
  static <T> Behavior<T> signalStarted(CountDownLatch started, Behavior<T> behavior) {
    return Behaviors.setup(context -> {
      started.countDown();
      return behavior;
    });
  }

  static double seconds(long nanos) {
    return nanos / 1e9;
  }

  /** Nearest-rank percentile of sorted samples, p in (0, 1]. */
  static long percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static long medianOf(long[] samples) {
    long[] sorted = samples.clone();
    Arrays.sort(sorted);
    return percentile(sorted, 0.5);
  }

  /** Java heap in use after a few full collections (ParallelGC: System.gc() is a full GC). */
  static long heapUsedAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
