package io.otp4j.dist;

import java.util.List;

/**
 * A Java function that other nodes may run as {@code Module:Function(Args)}: with
 * {@code erpc:call/4}, {@code rpc:call/4}, {@code erpc:cast/4} or {@code spawn_request/5}. Register
 * it with {@link Distribution#register}. It runs in a new process of this node; its result goes back
 * to the caller as an Erlang term, and an exception becomes the caller's
 * {@code error:{exception, {java_exception, Class, Message}, []}}.
 */
@FunctionalInterface
public interface RemoteFunction {
    Object apply(List<Object> args) throws Exception;
}
