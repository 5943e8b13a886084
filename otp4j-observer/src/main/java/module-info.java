/**
 * otp4j observer: a live web view of a running node, as Erlang's {@code observer}: the
 * supervision tree of every application, the processes, ETS and DETS tables and connected nodes,
 * updated as they change, and the same data as JSON for scripts. See
 * {@link io.otp4j.observer.Observer}.
 */
module io.otp4j.observer {
    requires transitive io.otp4j.core;
    requires transitive io.otp4j.dist;
    requires io.otp4j.tables;
    requires jdk.httpserver;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports io.otp4j.observer;

    opens io.otp4j.observer.internal to com.fasterxml.jackson.databind; // the JSON views are records
}
