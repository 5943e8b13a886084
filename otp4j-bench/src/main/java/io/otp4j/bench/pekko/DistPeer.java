package io.otp4j.bench.pekko;

import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Props;

/**
 * System B of the Pekko distribution workloads ({@link DistBench}), a JVM started by the bench
 * with its flags and class path: an ActorSystem {@code pekko-bench-peer} with Artery TCP on a free
 * port of 127.0.0.1 ({@link DistBench#CONFIG}) and two classic actors, {@code /user/ponger} and
 * {@code /user/sink}. It prints {@code ready <port>} and runs until its standard input closes.
 */
public final class DistPeer {
  static final String SYSTEM = "pekko-bench-peer";

  private DistPeer() {}

  public static void main(String[] args) throws Exception {
    String key = "org.slf4j.simpleLogger.log.org.apache.pekko";
    if (System.getProperty(key) == null) System.setProperty(key, "warn");
    Config config = ConfigFactory.parseString(PekkoBench.LOGGING_CONFIG + DistBench.CONFIG)
        .withFallback(ConfigFactory.load());
    ActorSystem system = ActorSystem.create(SYSTEM, config);
    system.actorOf(Props.create(Ponger.class, Ponger::new), DistBench.PONGER);
    system.actorOf(Props.create(Sink.class, Sink::new), DistBench.SINK);
    int port = ((ExtendedActorSystem) system).provider().getDefaultAddress().getPort().orElseThrow();
    System.out.println("ready " + port);
    System.out.flush();
    while (System.in.read() >= 0) {
      // nothing is sent; the end of the stream is the signal to stop
    }
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
    System.exit(0);
  }

  /** Sends every sequence number back to its sender. */
  static final class Ponger extends AbstractActor {
    @Override
    public Receive createReceive() {
      return receiveBuilder().match(Long.class, seq -> getSender().tell(seq, getSelf())).build();
    }
  }

  /**
   * {@code "start N ACK_EVERY"} starts a count (answered {@code "started"}); then each Long is
   * counted and checked against its place; every ACK_EVERY-th is acknowledged with the count, and
   * the N-th with {@code "received COUNT OUT_OF_ORDER"}.
   */
  static final class Sink extends AbstractActor {
    private long expected;
    private long ackEvery = 1;
    private long count;
    private long outOfOrder;

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(String.class, s -> s.startsWith("start "), s -> {
            String[] f = s.split(" ");
            expected = Long.parseLong(f[1]);
            ackEvery = Long.parseLong(f[2]);
            count = 0;
            outOfOrder = 0;
            getSender().tell("started", getSelf());
          })
          .match(Long.class, i -> {
            count++;
            if (i != count) outOfOrder++;
            if (count == expected) getSender().tell("received " + count + " " + outOfOrder, getSelf());
            else if (count % ackEvery == 0) getSender().tell(count, getSelf());
          })
          .build();
    }
  }
}
