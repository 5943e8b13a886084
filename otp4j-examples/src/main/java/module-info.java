/** The examples and the demo node: an application, whose example packages other code may run (the pipeline). */
module io.otp4j.examples {
    requires io.otp4j.core;
    requires io.otp4j.tables;
    requires io.otp4j.stage;
    requires io.otp4j.dist;
    requires io.otp4j.observer; // the demo node opens it on the examples
    requires org.slf4j; // the event log example writes through it

    // the cache's rows are records that the tables module reads and rebuilds
    opens io.otp4j.examples.cache to io.otp4j.tables;
    exports io.otp4j.examples.pipeline;
}
