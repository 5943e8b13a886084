package io.otp4j.internal;

/**
 * Marks a thread-safe handle to something shared by processes (an ETS table, an open disk table),
 * which messages may carry as Erlang messages carry table ids: the message check lets it through.
 */
public interface SharedHandle {
}
