/** The examples and the demo node. Nothing is exported: it is an application, not a library. */
module io.otp4j.examples {
    requires io.otp4j.core;
}
