/**
 * EPMD, the Erlang Port Mapper Daemon (erl_dist_protocol, "EPMD Protocol"): {@link
 * io.otp4j.dist.internal.epmd.EpmdClient} registers a node and looks nodes up, {@link
 * io.otp4j.dist.internal.epmd.EpmdServer} is an embedded EPMD for hosts where none runs. Both speak
 * the protocol of Erlang's {@code epmd} and {@code erl}, so either side may be the real one.
 */
package io.otp4j.dist.internal.epmd;
