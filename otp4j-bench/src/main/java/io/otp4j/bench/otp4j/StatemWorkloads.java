package io.otp4j.bench.otp4j;

import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.GenStatem;
import io.otp4j.behaviour.GenStatem.Action;
import io.otp4j.behaviour.GenStatem.Event;
import io.otp4j.behaviour.GenStatem.Result;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.internal.NodeRuntime;

import java.util.ArrayList;
import java.util.List;

import static io.otp4j.bench.BenchSupport.check;

/**
 * statem_call on otp4j: genserver_call's clients (100 processes sharing n calls, the default 5 s
 * timeout in force) calling a {@link GenStatem} with two states, {@code A} and {@code B}, in
 * {@code STATE_FUNCTIONS} mode; every {@code Flip} call moves to the other state and is answered
 * with the number of flips so far. The same machine as the BEAM's {@code otp4j_bench_statem}.
 */
final class StatemWorkloads {
    private StatemWorkloads() {
    }

    sealed interface Msg {
    }

    record Flip() implements Msg {
    }

    record GetState() implements Msg {
    }

    static final Flip FLIP = new Flip();

    /** The two states; each handles its own events. */
    enum Side implements GenStatem.StateFunction<Side, Long, Msg> {
        A, B;

        @Override
        public Result<Side, Long> handle(Event<Msg> event, Long n) {
            if (event instanceof Event.Call<Msg>(Msg m, From from)) {
                return switch (m) {
                    case Flip f -> Result.next(this == A ? B : A, n + 1, Action.reply(from, n + 1));
                    case GetState g -> Result.keepStateAndData(Action.reply(from, List.of(name(), n)));
                };
            }
            return Result.keepStateAndData();
        }
    }

    record FlipFlop() implements GenStatem<Side, Long, Msg> {
        @Override
        public Init<Side, Long> init() {
            return new Init.Ok<>(Side.A, 0L);
        }

        @Override
        public CallbackMode callbackMode() {
            return CallbackMode.stateFunctions();
        }
    }

    static double[] call(NodeRuntime node, int clients, int n) throws Exception {
        return node.run(() -> {
            ServerRef<Msg> server = GenStatem.start(new FlipFlop());
            Pid me = Proc.self();
            int each = n / clients;
            List<Pid> cs = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                cs.add(Proc.spawn(() -> {
                    Proc.receive(); // start
                    long last = 0;
                    for (int k = 0; k < each; k++) {
                        long count = GenStatem.<Long, Msg>call(server, FLIP); // the default 5 s timeout
                        check(count > last, "counts must increase for a client: " + count + " after " + last);
                        last = count;
                    }
                    Proc.send(me, "done");
                }));
            }
            long t0 = System.nanoTime();
            for (Pid c : cs) Proc.send(c, "go");
            for (int i = 0; i < clients; i++) Proc.receive();
            long t1 = System.nanoTime();
            List<?> end = GenStatem.call(server, new GetState());
            long total = (long) each * clients;
            check(end.equals(List.of(total % 2 == 0 ? "A" : "B", total)), "final state " + end + " after " + total + " calls");
            GenStatem.stop(server);
            return new double[] {(double) total / ((t1 - t0) / 1e9)};
        });
    }
}
