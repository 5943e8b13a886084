/**
 * otp4j core: Erlang's process model and OTP behaviours on Java virtual threads.
 *
 * <p>{@link io.otp4j.Proc} is the process API (spawn, send, receive, links, monitors, exit signals,
 * names, timers); {@link io.otp4j.Node} is the runtime that hosts processes;
 * {@code io.otp4j.behaviour} holds GenServer, GenStatem, GenEvent, Supervisor, DynamicSupervisor,
 * Agent, Task, TaskSupervisor, Registry and Application, and Sys to look inside them. Everything
 * under {@code io.otp4j.internal} is the machinery; only the project's own benchmarks and demo see
 * its runtime counters.
 */
module io.otp4j.core {
    requires org.slf4j;

    exports io.otp4j;
    exports io.otp4j.behaviour;
    exports io.otp4j.internal to io.otp4j.tables, io.otp4j.stage, io.otp4j.dist, io.otp4j.bench, io.otp4j.examples;
    exports io.otp4j.internal.gen to io.otp4j.stage, io.otp4j.dist;
    exports io.otp4j.internal.sched to io.otp4j.bench;
}
