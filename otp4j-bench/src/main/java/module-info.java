/**
 * Benchmarks: otp4j beside the BEAM and Pekko. An application; nothing is exported. Pekko's jars
 * are automatic modules.
 */
module io.otp4j.bench {
    requires io.otp4j.core;
    requires io.otp4j.tables;
    requires io.otp4j.stage;
    requires io.otp4j.dist;
    requires pekko.stream;
    requires pekko.actor.typed;
    requires pekko.actor;
    requires pekko.remote;
    requires scala.library;
    requires typesafe.config;
    requires org.slf4j;
    requires java.management;
}
