/**
 * otp4j core: Erlang's process model on Java virtual threads.
 *
 * <p>{@link io.otp4j.Proc} is the process API (spawn, send, receive, links, monitors, exit signals,
 * names, timers); {@link io.otp4j.Node} is the runtime that hosts processes. Everything under
 * {@code io.otp4j.internal} is the machinery and is not exported.
 */
module io.otp4j.core {
    requires org.slf4j;

    exports io.otp4j;
    exports io.otp4j.behaviour;
}
