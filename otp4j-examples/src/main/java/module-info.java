/** The examples and the demo node. Nothing is exported: it is an application, not a library. */
module io.otp4j.examples {
    requires io.otp4j.core;
    requires io.otp4j.tables;
    requires io.otp4j.stage;
    requires org.slf4j; // the event log example writes through it

    // the cache's rows are records that the tables module reads and rebuilds
    opens io.otp4j.examples.cache to io.otp4j.tables;
}
