package io.otp4j.dist.internal;

import io.otp4j.Atom;
import io.otp4j.Tuple;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.GenServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process registered as {@code net_kernel}, which other nodes call: {@code net_adm:ping/1}
 * monitors it and calls {@code {is_auth, Node}}, expecting {@code yes} (the connection is already
 * authenticated by the handshake when the call arrives).
 */
final class NetKernel implements GenServer<Object, Object> {
    private static final Logger LOG = LoggerFactory.getLogger("io.otp4j.dist");
    private static final Atom IS_AUTH = Atom.of("is_auth");
    private static final Atom YES = Atom.of("yes");

    @Override
    public Init<Object> init() {
        return new Init.Ok<>("");
    }

    @Override
    public CallResult<Object> handleCall(Object request, From from, Object state) {
        if (request instanceof Tuple t && t.size() == 2 && IS_AUTH.equals(t.get(0))) return new Reply<>(YES, state);
        LOG.debug("net_kernel: call not supported, answered with an error: {}", request);
        return new Reply<>(Tuple.of(Atom.ERROR, Atom.of("not_supported")), state);
    }

    @Override
    public CastResult<Object> handleCast(Object msg, Object state) {
        LOG.debug("net_kernel: cast ignored: {}", msg);
        return new NoReply<>(state);
    }
}
