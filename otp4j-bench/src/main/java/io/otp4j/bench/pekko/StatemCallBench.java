package io.otp4j.bench.pekko;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * statem_call: genserver_call with a state machine as the server.
 *
 * <pre>
 * java -cp ... io.otp4j.bench.pekko.PekkoBench statem_call [clients=100] [n=1000000] [passes=3]
 * </pre>
 *
 * <p>The machine has two states, {@code a} and {@code b}, written the way Pekko writes a finite
 * state machine: one {@code Behavior} per state, and a message handler returns the behavior of the
 * next state. Every {@code Flip} moves a -> b or b -> a and is answered with the number of flips
 * handled so far. The two state behaviors are built once, when the actor starts, and the count is
 * the actor's data beside them (like gen_statem's state_functions: a function per state, the data
 * apart), so a transition returns an existing behavior instead of building a new one.
 *
 * <p>The clients are those of genserver_call: {@code clients} client actors share {@code n} calls
 * evenly; each makes one call at a time with {@code ActorContext.ask} and the 5 s timeout, and makes
 * the next when the adapted reply arrives.
 *
 * <p>Checks: no call failed; each client saw strictly increasing counts and got all its replies;
 * afterwards the machine reports a count of n and the state that n flips from {@code a} lead to.
 */
final class StatemCallBench implements PekkoBench.Workload {

  // ---- the state machine ----

  sealed interface MachineMsg {}

  /** Flip the state; the reply is the count of flips so far. */
  record Flip(ActorRef<Flipped> replyTo) implements MachineMsg {}

  /** The machine's state and count, without changing either. */
  record GetState(ActorRef<StateReport> replyTo) implements MachineMsg {}

  record StateReport(String state, long count) {}

  static final class Machine {
    // assigned once, in the constructor; not final because each state's handler names the other
    private Behavior<MachineMsg> a;
    private Behavior<MachineMsg> b;
    private long count;

    static Behavior<MachineMsg> create() {
      return Behaviors.setup(context -> new Machine().a);
    }

    private Machine() {
      a = Behaviors.receive((ActorContext<MachineMsg> context, MachineMsg msg) -> switch (msg) {
        case Flip flip -> flip(flip, b);
        case GetState get -> report(get, "a");
      });
      b = Behaviors.receive((ActorContext<MachineMsg> context, MachineMsg msg) -> switch (msg) {
        case Flip flip -> flip(flip, a);
        case GetState get -> report(get, "b");
      });
    }

    private Behavior<MachineMsg> flip(Flip flip, Behavior<MachineMsg> next) {
      count++;
      flip.replyTo().tell(new Flipped(count));
      return next;
    }

    private Behavior<MachineMsg> report(GetState get, String state) {
      get.replyTo().tell(new StateReport(state, count));
      return Behaviors.same();
    }
  }

  // ---- the clients ----

  sealed interface ClientMsg {}

  record Go() implements ClientMsg {}

  static final Go GO = new Go();

  /** The machine's answer to a Flip: its count after the flip. */
  record Flipped(long count) implements ClientMsg {}

  /** An ask that failed (timed out). */
  record CallFailed(Throwable cause) implements ClientMsg {}

  /** A client making {@code quota} sequential calls with ask (and its timeout). */
  static final class Client {
    private final ActorContext<ClientMsg> context;
    private final ActorRef<MachineMsg> machine;
    private final long quota;
    private final GenServerBench.Tally tally;
    private long done;
    private long lastCount;

    static Behavior<ClientMsg> create(ActorRef<MachineMsg> machine, long quota,
        GenServerBench.Tally tally) {
      return Behaviors.setup(context -> new Client(context, machine, quota, tally).behavior());
    }

    private Client(ActorContext<ClientMsg> context, ActorRef<MachineMsg> machine, long quota,
        GenServerBench.Tally tally) {
      this.context = context;
      this.machine = machine;
      this.quota = quota;
      this.tally = tally;
    }

    private Behavior<ClientMsg> behavior() {
      return Behaviors.receive((ActorContext<ClientMsg> ctx, ClientMsg msg) -> switch (msg) {
        case Go go -> callNext();
        case Flipped flipped -> {
          if (flipped.count() > lastCount) {
            tally.replies().increment();
          } else {
            tally.failures().increment();
          }
          lastCount = flipped.count();
          done++;
          yield callNext();
        }
        case CallFailed failed -> {
          tally.failures().increment();
          tally.finished().countDown();
          yield Behaviors.same();
        }
      });
    }

    private Behavior<ClientMsg> callNext() {
      if (done == quota) {
        tally.finished().countDown();
      } else {
        context.ask(Flipped.class, machine, Harness.CALL_TIMEOUT, Flip::new,
            (reply, failure) -> reply != null ? reply : new CallFailed(failure));
      }
      return Behaviors.same();
    }
  }

  /** Parent of the clients; Go starts them all. */
  static Behavior<Go> clients(ActorRef<MachineMsg> machine, int clients, long n,
      GenServerBench.Tally tally, CountDownLatch started) {
    return Behaviors.setup(context -> {
      List<ActorRef<ClientMsg>> refs = new ArrayList<>(clients);
      for (int i = 0; i < clients; i++) {
        long quota = n / clients + (i < n % clients ? 1 : 0);
        refs.add(context.spawnAnonymous(
            Harness.signalStarted(started, Client.create(machine, quota, tally))));
      }
      return Behaviors.receive(Go.class)
          .onMessage(Go.class, go -> {
            refs.forEach(client -> client.tell(GO));
            return Behaviors.same();
          })
          .build();
    });
  }

  // ---- the run ----

  private final int clients;
  private final long n;

  StatemCallBench(int clients, int n) {
    Harness.check(clients >= 1 && n >= 0, "need clients >= 1 and n >= 0");
    this.clients = clients;
    this.n = n;
  }

  @Override
  public List<PekkoBench.Metric> metrics() {
    return List.of(new PekkoBench.Metric("statem_call", "calls/s"));
  }

  @Override
  public double[] pass(Harness harness) {
    GenServerBench.Tally tally = GenServerBench.Tally.of(clients);
    CountDownLatch started = new CountDownLatch(clients + 1);
    ActorRef<MachineMsg> machine = harness.spawn(Harness.signalStarted(started, Machine.create()));
    ActorRef<Go> parent = harness.spawn(clients(machine, clients, n, tally, started));
    Harness.await(started, "machine and clients to start");

    long t0 = System.nanoTime();
    parent.tell(GO);
    Harness.await(tally.finished(), "clients to finish");
    long nanos = System.nanoTime() - t0;

    StateReport report = harness.ask(machine, GetState::new, "the machine's state");
    harness.stop(parent, machine);
    Harness.check(tally.failures().sum() == 0,
        tally.failures().sum() + " calls failed or got a count that did not increase");
    Harness.check(tally.replies().sum() == n,
        "clients got " + tally.replies().sum() + " replies, expected " + n);
    Harness.check(report.count() == n, "machine counted " + report.count() + " calls, expected " + n);
    String expected = n % 2 == 0 ? "a" : "b";
    Harness.check(report.state().equals(expected),
        "machine ended in state " + report.state() + " after " + n + " flips, expected " + expected);
    return new double[] {n / Harness.seconds(nanos)};
  }
}
