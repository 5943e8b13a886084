package io.otp4j.observer;

import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Tuple;
import io.otp4j.behaviour.Application;
import io.otp4j.behaviour.ChildSpec;
import io.otp4j.behaviour.DynamicSupervisor;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartOptions;
import io.otp4j.behaviour.Supervisor;
import io.otp4j.tables.Access;
import io.otp4j.tables.Ets;
import io.otp4j.tables.EtsTable;
import io.otp4j.tables.TableOptions;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The application the observer's tests look at: a top supervisor ({@code shop_sup}) over a
 * table-owning server ({@code store}), a worker GenServer ({@code clerk}, registered as
 * {@code shop_clerk}) and a dynamic supervisor ({@code jobs}) with two jobs.
 *
 * <pre>
 * shop_sup (Supervisor, one_for_one)
 * ├── store  (GenServer, owns the public ETS table shop_prices: 3 rows)
 * ├── clerk  (GenServer, state Stock[items=7])
 * └── jobs   (DynamicSupervisor, registered shop_jobs)
 *     ├── Job
 *     └── Job
 * </pre>
 */
final class Shop {
    static final String APP = "shop";
    static final String TABLE = "shop_prices";

    private Shop() {
    }

    /** Starts a node (messages checked) with the shop application running. */
    static Node startNode(String name) throws Exception {
        Node node = Node.start(Node.Options.named(name).withCheckMessages(true));
        node.run(() -> {
            Application.load(spec());
            Application.start(APP, Application.Type.TEMPORARY);
            return null;
        });
        return node;
    }

    static Application.Spec spec() {
        return new Application.Spec(APP, "1.2.0", "a shop to observe", List.of(), Map.of(), env -> {
            // the tests kill and crash the clerk many times in a row
            Supervisor.Flags flags = Supervisor.Flags.oneForOne().withIntensity(1000, Duration.ofSeconds(5));
            ServerRef<?> top = Supervisor.startLink(flags, List.of(
                    ChildSpec.worker("store", () -> GenServer.startLink(new Store())),
                    ChildSpec.worker("clerk", () -> GenServer.startLink(new Clerk(), StartOptions.named("shop_clerk"))),
                    ChildSpec.supervisor("jobs", () -> DynamicSupervisor.startLink(DynamicSupervisor.Options.DEFAULT,
                            StartOptions.named("shop_jobs")))), StartOptions.named("shop_sup"));
            for (int i = 0; i < 2; i++) {
                DynamicSupervisor.startChild(ServerRef.named("shop_jobs"),
                        ChildSpec.worker("job", () -> GenServer.startLink(new Job())).withRestart(ChildSpec.Restart.TEMPORARY));
            }
            return top;
        });
    }

    /** The clerk's state. */
    record Stock(int items) {
    }

    /** The worker: counts stock; can be made to crash, or to block in a callback until told. */
    static final class Clerk implements GenServer<Stock, Clerk.Msg> {
        sealed interface Msg {
        }

        record Count() implements Msg {
        }

        record Crash(String why) implements Msg {
        }

        /** Blocks the server in handleCast until it receives {@code "unblock"}: a busy process. */
        record Block() implements Msg {
        }

        @Override
        public Init<Stock> init() {
            return new Init.Ok<>(new Stock(7));
        }

        @Override
        public CallResult<Stock> handleCall(Msg msg, From from, Stock s) {
            return switch (msg) {
                case Count() -> new Reply<>(s.items(), s);
                default -> throw new IllegalArgumentException("not a call: " + msg);
            };
        }

        @Override
        public CastResult<Stock> handleCast(Msg msg, Stock s) {
            return switch (msg) {
                case Crash(String why) -> throw new IllegalStateException(why);
                case Block() -> {
                    Proc.receive(m -> "unblock".equals(m) ? m : null);
                    yield new NoReply<>(s);
                }
                default -> new NoReply<>(s);
            };
        }
    }

    /** Owns the shop's public table, which dies and comes back with it. */
    static final class Store implements GenServer<String, Object> {
        @Override
        public Init<String> init() {
            EtsTable<Object, Tuple> prices = Ets.newTable(TableOptions.tuples().named(TABLE).access(Access.PUBLIC));
            prices.insert(Tuple.of("apple", 3));
            prices.insert(Tuple.of("pear", 4));
            prices.insert(Tuple.of("plum", 5));
            return new Init.Ok<>(TABLE);
        }
    }

    /** A job under the dynamic supervisor. */
    static final class Job implements GenServer<String, Object> {
        @Override
        public Init<String> init() {
            return new Init.Ok<>("idle");
        }
    }

    /**
     * A job whose init waits for {@code "go"}: while it waits, the dynamic supervisor starting it
     * is busy and answers nothing. The future gets the job's pid once it is waiting.
     */
    static final class SlowJob implements GenServer<String, Object> {
        private final CompletableFuture<Pid> waiting;

        SlowJob(CompletableFuture<Pid> waiting) {
            this.waiting = waiting;
        }

        @Override
        public Init<String> init() {
            waiting.complete(Proc.self());
            Proc.receive(m -> "go".equals(m) ? m : null);
            return new Init.Ok<>("slow");
        }
    }
}
