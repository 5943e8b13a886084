package io.otp4j.bench.pekko;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * User guardian of the benchmark's ActorSystem. The harness thread (main) asks it to spawn the
 * top-level actors of a pass and, at the end of the pass, to stop them; it watches each child, so a
 * stop request completes only when the child and its whole subtree have terminated.
 *
 * <p>The harness talks to it with {@link CompletableFuture}s carried in the messages; this is
 * harness plumbing, outside every measured message flow.
 */
final class Guardian extends AbstractBehavior<Guardian.Command> {

  sealed interface Command {}

  /** Spawn an anonymous child and hand its ref back. */
  record Spawn<T>(Behavior<T> behavior, CompletableFuture<ActorRef<T>> reply) implements Command {}

  /** Stop a child; {@code done} completes when it (and everything under it) has terminated. */
  record Stop(ActorRef<?> child, CompletableFuture<Void> done) implements Command {}

  private record ChildTerminated(ActorRef<?> child) implements Command {}

  static Behavior<Command> create() {
    return Behaviors.setup(Guardian::new);
  }

  private final Map<ActorRef<?>, CompletableFuture<Void>> stopping = new HashMap<>();
  /** Children that ended on their own before anyone asked to stop them. */
  private final Set<ActorRef<?>> alreadyTerminated = new HashSet<>();

  private Guardian(ActorContext<Command> context) {
    super(context);
  }

  @SuppressWarnings("unchecked")
  private static final Class<Spawn<?>> SPAWN = (Class<Spawn<?>>) (Class<?>) Spawn.class;

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(SPAWN, this::onSpawn)
        .onMessage(Stop.class, this::onStop)
        .onMessage(ChildTerminated.class, this::onChildTerminated)
        .build();
  }

  private Behavior<Command> onSpawn(Spawn<?> spawn) {
    spawnChild(spawn);
    return this;
  }

  private <T> void spawnChild(Spawn<T> spawn) {
    ActorRef<T> child = getContext().spawnAnonymous(spawn.behavior());
    getContext().watchWith(child, new ChildTerminated(child));
    spawn.reply().complete(child);
  }

  private Behavior<Command> onStop(Stop stop) {
    if (alreadyTerminated.remove(stop.child())) {
      stop.done().complete(null);
    } else {
      stopping.put(stop.child(), stop.done());
      getContext().stop(stop.child());
    }
    return this;
  }

  private Behavior<Command> onChildTerminated(ChildTerminated terminated) {
    CompletableFuture<Void> done = stopping.remove(terminated.child());
    if (done != null) {
      done.complete(null);
    } else {
      alreadyTerminated.add(terminated.child());
    }
    return this;
  }
}
