/** The machinery of stages; not exported. */
package io.otp4j.stage.internal;
