/**
 * Erlang terms as Java values, and their external term format: atoms ({@link io.otp4j.Atom}),
 * tuples ({@link io.otp4j.Tuple}), lists, maps, binaries, integers, floats, pids, references,
 * ports and funs.
 */
package io.otp4j.dist.term;
