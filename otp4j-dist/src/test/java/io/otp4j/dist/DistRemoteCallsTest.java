package io.otp4j.dist;

import io.otp4j.Atom;
import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.Proc;
import io.otp4j.Tuple;
import io.otp4j.behaviour.CallException;
import io.otp4j.dist.term.Binary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Calls from Java into an Erlang node by name: gen_server calls, rpc, multi_call, abcast; a 10 MB message both ways. */
class DistRemoteCallsTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    int epmdPort;
    Node node;
    Distribution dist;

    @BeforeEach
    void start() throws Exception {
        epmdPort = ErlNode.freePort();
        node = Node.start(Node.Options.named("j1@localhost").withCreation(0x4321));
        dist = Distribution.start(node, DistOptions.cookie("calls").withEpmdPort(epmdPort));
    }

    @AfterEach
    void stop() {
        node.stop();
    }

    @Test
    void javaCallsErlangServersByNameAndRunsRpc() throws Exception {
        String code = "register(printer, spawn(fun P() -> receive {'$gen_cast', M} -> io:format(\"cast ~p~n\", [M]), P() end end)), "
                + "io:format(\"ready~n\"), receive after infinity -> ok end.";
        try (ErlNode erl = new ErlNode("e6@localhost", "calls", epmdPort, code)) {
            erl.await("ready", WAIT);
            String e6 = "e6@localhost";
            // gen_server:call({net_kernel, Node}, ...), from a thread that is not a process
            assertThat((Object) dist.call("net_kernel", e6, Tuple.of(Atom.of("is_auth"), Atom.of("j1@localhost"))))
                    .isEqualTo(Atom.of("yes"));
            // rpc:call through the node's rex server
            assertThat((Object) dist.rpc(e6, "erlang", "abs", List.of(-5), WAIT)).isEqualTo(5);
            assertThat((Object) dist.rpc(e6, "lists", "reverse", List.of(List.of(1, 2, 3)), WAIT)).isEqualTo(List.of(3, 2, 1));
            // a name nobody holds: noproc at once, not a timeout
            assertThatThrownBy(() -> dist.call("nobody", e6, "hello", WAIT))
                    .isInstanceOf(CallException.class).hasMessageContaining("noproc");
            // a node that does not exist: noconnection
            assertThatThrownBy(() -> dist.call("net_kernel", "ghost@localhost", "hello", WAIT))
                    .isInstanceOf(CallException.class).satisfies(e ->
                            assertThat(((CallException) e).reason()).isEqualTo(ExitReason.NOCONNECTION));
            // multi_call and abcast
            Distribution.MultiCall mc = dist.multiCall(List.of(e6, "ghost@localhost"), "net_kernel",
                    Tuple.of(Atom.of("is_auth"), Atom.of("j1@localhost")), WAIT);
            assertThat(mc.replies()).containsEntry(e6, Atom.of("yes"));
            assertThat(mc.badNodes()).containsExactly("ghost@localhost");
            dist.abcast(List.of(e6), "printer", Atom.of("hello"));
            erl.await("cast hello", WAIT);
        }
    }

    @Test
    void tenMegabytesTravelBothWays() throws Exception {
        String code = "Big = binary:copy(<<\"0123456789abcdef\">>, 655360), "
                + "{inbox, 'j1@localhost'} ! {big, self(), Big}, "
                + "receive {echo, Back} -> io:format(\"echo ~p ~p~n\", [byte_size(Back), Back =:= Big]) after 60000 -> io:format(\"no echo~n\") end, "
                + "erlang:halt().";
        node.run(() -> {
            Proc.register("inbox", Proc.self());
            try (ErlNode erl = new ErlNode("e7@localhost", "calls", epmdPort, code)) {
                Tuple big = Proc.receive(m -> m instanceof Tuple t && Atom.of("big").equals(t.get(0)) ? t : null, WAIT)
                        .orElseThrow(() -> new AssertionError("no big message"));
                Binary b = (Binary) big.get(2);
                assertThat(b.size()).isEqualTo(10 * 1024 * 1024);
                Proc.send((io.otp4j.Pid) big.get(1), Tuple.of(Atom.of("echo"), b));
                erl.await("echo 10485760 true", WAIT);
                assertThat(erl.awaitExit(WAIT)).isZero();
            }
            return null;
        });
    }

    @Test
    void callsToErlangAreAnsweredThroughAnAliasAndALateReplyIsDropped() throws Exception {
        // a server written with gen:reply, as gen_server answers: it prints whether the tag is an alias
        String code = "register(srv, spawn(fun L() -> receive "
                + "{'$gen_call', {_, Tag} = From, {late, Who}} -> io:format(\"late call~n\"), "
                + "  receive go -> gen:reply(From, too_late), Who ! done end, L(); "
                + "{'$gen_call', {_, Tag} = From, Req} -> "
                + "  io:format(\"alias ~p~n\", [is_list(Tag) andalso hd(Tag) =:= alias]), gen:reply(From, {ok, Req}), L() "
                + "end end)), io:format(\"ready~n\"), receive after infinity -> ok end.";
        try (ErlNode erl = new ErlNode("e8@localhost", "calls", epmdPort, code)) {
            erl.await("ready", WAIT);
            assertThat(dist.connect("e8@localhost")).isTrue();
            node.run(() -> { System.out.println("SCRATCH in process " + dist.rpc("e8@localhost", "erlang", "abs", List.of(-5), WAIT)); return null; });
            System.out.println("SCRATCH srv from thread " + dist.call("srv", "e8@localhost", 9));
            System.out.println("SCRATCH from thread " + dist.rpc("e8@localhost", "erlang", "abs", List.of(-5), WAIT));
            node.run(() -> {
                assertThat((Object) dist.call("srv", "e8@localhost", 7)).isEqualTo(Tuple.of(Atom.of("ok"), 7));
                erl.await("alias true", WAIT);
                // the call times out; the server answers afterwards, then sends done: the reply never arrives
                assertThatThrownBy(() -> dist.call("srv", "e8@localhost", Tuple.of(Atom.of("late"), Proc.self()),
                        Duration.ofMillis(200))).isInstanceOf(io.otp4j.behaviour.CallTimeoutException.class);
                erl.await("late call", WAIT);
                dist.send("srv", "e8@localhost", Atom.of("go"));
                Object first = Proc.receive(m -> m, WAIT).orElseThrow(() -> new AssertionError("nothing came"));
                assertThat(first).isEqualTo(Atom.of("done"));
                return null;
            });
        }
    }
}
