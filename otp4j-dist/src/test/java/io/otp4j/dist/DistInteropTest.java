package io.otp4j.dist;

import io.otp4j.Atom;
import io.otp4j.Down;
import io.otp4j.Exit;
import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.Tuple;
import io.otp4j.behaviour.CallException;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** gen_server calls, links and monitors between an otp4j node and a real Erlang node. */
class DistInteropTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    int epmdPort;
    Node node;
    Distribution dist;

    @BeforeEach
    void start() throws Exception {
        epmdPort = ErlNode.freePort();
        node = Node.start(Node.Options.named("j1@localhost").withCreation(0x1234).withCheckMessages(true));
        dist = Distribution.start(node, DistOptions.cookie("interop").withEpmdPort(epmdPort));
    }

    @AfterEach
    void stop() {
        node.stop();
    }

    /** A Java GenServer adding numbers: {add, N} -> the new total. */
    record Adder() implements GenServer<Integer, Object> {
        @Override
        public Init<Integer> init() {
            return new Init.Ok<>(0);
        }

        @Override
        public CallResult<Integer> handleCall(Object req, From from, Integer total) {
            int n = (Integer) ((Tuple) req).get(1);
            return new Reply<>(total + n, total + n);
        }

        @Override
        public CastResult<Integer> handleCast(Object msg, Integer total) {
            return new NoReply<>(total + (Integer) ((Tuple) msg).get(1));
        }
    }

    @Test
    void erlangCallsAndCastsAJavaGenServer() throws Exception {
        node.run(() -> GenServer.start(new Adder(), StartOptions.named("jcounter")));
        String code = "S = {jcounter, 'j1@localhost'}, R1 = gen_server:call(S, {add, 5}), R2 = gen_server:call(S, {add, 2}), "
                + "io:format(\"replies ~p ~p~n\", [R1, R2]), gen_server:cast(S, {add, 100}), "
                + "R3 = gen_server:call(S, {add, 0}), io:format(\"after cast ~p~n\", [R3]), erlang:halt().";
        try (ErlNode erl = new ErlNode("e3@localhost", "interop", epmdPort, code)) {
            erl.await("replies 5 7", WAIT);
            erl.await("after cast 107", WAIT);
            assertThat(erl.awaitExit(WAIT)).isZero();
        }
    }

    /** Keeps a call unanswered until told {@code go}; then replies and tells the caller {@code done}. */
    record Late() implements GenServer<From, Object> {
        @Override
        public Init<From> init() {
            return new Init.Ok<>(null);
        }

        @Override
        public CallResult<From> handleCall(Object req, From from, From none) {
            return new NoReply<>(from);
        }

        @Override
        public CastResult<From> handleInfo(Object msg, From held) {
            GenServer.reply(held, Atom.of("too_late"));
            Proc.send(held.caller(), Atom.of("done"));
            return new NoReply<>(null);
        }
    }

    @Test
    void aReplyToAnErlangCallerGoesToItsAliasSoALateOneIsDropped() throws Exception {
        node.run(() -> GenServer.start(new Late(), StartOptions.named("late")));
        // the call times out; the Java server replies afterwards (to the caller's alias, which is
        // gone), then sends done to the caller's pid: done must be the first message to arrive
        String code = "S = {late, 'j1@localhost'}, "
                + "{'EXIT', {timeout, _}} = (catch gen_server:call(S, slow, 200)), io:format(\"timed out~n\"), "
                + "S ! go, receive M -> io:format(\"first ~p~n\", [M]) end, erlang:halt().";
        try (ErlNode erl = new ErlNode("e9@localhost", "interop", epmdPort, code)) {
            erl.await("timed out", WAIT);
            erl.await("first done", WAIT);
            assertThat(erl.awaitExit(WAIT)).isZero();
        }
    }

    @Test
    void javaCallsMonitorsAndLinksErlangProcesses() throws Exception {
        String code = "W = spawn(fun() -> receive die -> exit(bye) end end), "
                + "W2 = spawn(fun() -> receive after infinity -> ok end end), "
                + "{inbox, 'j1@localhost'} ! {hello, W, W2, whereis(net_kernel)}, receive after infinity -> ok end.";
        node.run(() -> {
            Proc.register("inbox", Proc.self());
            try (ErlNode erl = new ErlNode("e4@localhost", "interop", epmdPort, code)) {
                Tuple hello = Proc.receive(m -> m instanceof Tuple t && Atom.of("hello").equals(t.get(0)) ? t : null, WAIT)
                        .orElseThrow(() -> new AssertionError("no hello from erl"));
                Pid w = (Pid) hello.get(1);
                Pid w2 = (Pid) hello.get(2);
                Pid netKernel = (Pid) hello.get(3);
                assertThat(w.node()).isEqualTo("e4@localhost");

                // gen_server:call into Erlang's own net_kernel
                Object yes = GenServer.call(ServerRef.of(netKernel), Tuple.of(Atom.of("is_auth"), Atom.of("j1@localhost")));
                assertThat(yes).isEqualTo(Atom.of("yes"));

                // a monitor across the nodes: the Down carries Erlang's exit reason
                Ref mon = Proc.monitor(w);
                Proc.send(w, Atom.of("die"));
                ExitReason why = Proc.receive(m -> m instanceof Down d && d.ref().equals(mon) ? d.reason() : null, WAIT)
                        .orElseThrow(() -> new AssertionError("no Down from erl"));
                assertThat(why).isEqualTo(new ExitReason.Other(Atom.of("bye")));

                // a call to a process that is gone fails at once with noproc
                assertThatThrownBy(() -> GenServer.call(ServerRef.of(w), "anything"))
                        .isInstanceOf(CallException.class).hasMessageContaining("noproc");

                // a link across the nodes: kill -9 of the Erlang node gives noconnection
                Proc.trapExit(true);
                Proc.link(w2);
                erl.kill();
                ExitReason lost = Proc.receive(m -> m instanceof Exit e && e.from().equals(w2) ? e.reason() : null, WAIT)
                        .orElseThrow(() -> new AssertionError("no Exit after the erl node died"));
                assertThat(lost).isEqualTo(ExitReason.NOCONNECTION);
            }
            return null;
        });
    }

    @Test
    void erlangRunsRegisteredJavaFunctionsWithErpcRpcAndSpawnRequest() throws Exception {
        dist.register("jmath", "add", args -> (Integer) args.get(0) + (Integer) args.get(1));
        dist.register("jmath", "fail", args -> {
            throw new IllegalStateException("no way");
        });
        String code = "N = 'j1@localhost', "
                + "io:format(\"erpc ~p~n\", [erpc:call(N, jmath, add, [2, 3])]), "
                + "io:format(\"rpc ~p~n\", [rpc:call(N, jmath, add, [40, 2])]), "
                + "io:format(\"undef ~p~n\", [try erpc:call(N, jmath, nothing, []) catch error:E -> E end]), "
                + "io:format(\"thrown ~p~n\", [try erpc:call(N, jmath, fail, []) catch error:{exception, R, _} -> R end]), "
                + "Req = spawn_request(N, jmath, add, [1, 1], [monitor]), "
                + "receive {spawn_reply, Req, ok, P} -> io:format(\"spawned ~p~n\", [node(P)]) end, "
                + "receive {'DOWN', Req, process, _, Why} -> io:format(\"spawned ended ~p~n\", [Why]) end, "
                + "erlang:halt().";
        try (ErlNode erl = new ErlNode("e5@localhost", "interop", epmdPort, code)) {
            erl.await("erpc 5", WAIT);
            erl.await("rpc 42", WAIT);
            erl.await("undef {exception,undef,[]}", WAIT);
            erl.await("thrown {java_exception,<<\"java.lang.IllegalStateException\">>,<<\"no way\">>}", WAIT);
            erl.await("spawned j1@localhost", WAIT);
            erl.await("spawned ended normal", WAIT);
            assertThat(erl.awaitExit(WAIT)).isZero();
        }
    }
}
