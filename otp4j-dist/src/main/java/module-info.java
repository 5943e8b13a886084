/**
 * otp4j dist: the Erlang distribution protocol, so that otp4j nodes and Erlang/Elixir nodes form
 * one cluster: the external term format ({@code io.otp4j.dist.term} maps Erlang terms to Java
 * values), EPMD, the version 6 handshake, and remote sends, links and monitors.
 */
module io.otp4j.dist {
    requires transitive io.otp4j.core;
    requires org.slf4j;
    requires info.picocli;

    opens io.otp4j.dist to info.picocli; // the node command's options

    exports io.otp4j.dist;
    exports io.otp4j.dist.term;
}
