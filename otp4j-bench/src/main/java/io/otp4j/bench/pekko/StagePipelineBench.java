package io.otp4j.bench.pekko;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletionStage;

import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RunnableGraph;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * stage_pipeline: events through a three-stage pipeline with back-pressure, on Pekko Streams (Java
 * DSL).
 *
 * <pre>
 * java -cp ... io.otp4j.bench.pekko.PekkoBench stage_pipeline [n=10000000] [passes=3]
 * </pre>
 *
 * <p>The pipeline is {@code Source.fromIterator} (the longs 1..n, boxed) {@code -> map(x -> 2x) ->
 * Sink.fold(0L, +)}, with an {@code async()} boundary after the source and after the map, so that
 * the three stages are three actors (three fused islands, each run by its own
 * ActorGraphInterpreter), as the three stages of GenStage are three processes. Every boundary's
 * input buffer is 1024 elements, set with {@code Attributes.inputBuffer(1024, 1024)} on the whole
 * graph (Pekko wants a power of two; the otp4j side asks for max_demand 1000), instead of Pekko's
 * default of 16: each downstream stage requests up to 1024 elements from its upstream and refills
 * as it drains. The stream is materialized by the system-wide Materializer of the benchmark's typed
 * ActorSystem, so its actors run on the default dispatcher like the other Pekko workloads.
 *
 * <p>A pass is timed from just before materialization until the fold's CompletionStage completes
 * (materializing three actors costs well under a millisecond beside the run itself). Check: the sum
 * is n(n+1).
 */
final class StagePipelineBench implements PekkoBench.Workload {

  /** Elements each async boundary buffers and requests at a time. */
  static final int INPUT_BUFFER = 1024;

  private final long n;

  StagePipelineBench(int n) {
    Harness.check(n >= 1, "n must be >= 1");
    this.n = n;
  }

  @Override
  public List<PekkoBench.Metric> metrics() {
    return List.of(new PekkoBench.Metric("stage_pipeline", "events/s"));
  }

  @Override
  public double[] pass(Harness harness) {
    Materializer materializer = Materializer.matFromSystem(harness.system());
    long last = n;
    RunnableGraph<CompletionStage<Long>> pipeline = Source.fromIterator(() -> new Counter(last))
        .async()
        .map(x -> 2 * x)
        .async()
        .toMat(Sink.fold(0L, (Long sum, Long x) -> sum + x), Keep.right())
        .addAttributes(Attributes.inputBuffer(INPUT_BUFFER, INPUT_BUFFER));

    long t0 = System.nanoTime();
    CompletionStage<Long> done = pipeline.run(materializer);
    long sum = Harness.await(done.toCompletableFuture(), "the pipeline to complete");
    long nanos = System.nanoTime() - t0;

    Harness.check(sum == n * (n + 1), "sink summed " + sum + ", expected " + n * (n + 1));
    return new double[] {n / Harness.seconds(nanos)};
  }

  /** The source's elements: 1, 2, ..., last. */
  private static final class Counter implements Iterator<Long> {
    private final long last;
    private long next = 1;

    Counter(long last) {
      this.last = last;
    }

    @Override
    public boolean hasNext() {
      return next <= last;
    }

    @Override
    public Long next() {
      if (next > last) {
        throw new NoSuchElementException();
      }
      return next++;
    }
  }
}
