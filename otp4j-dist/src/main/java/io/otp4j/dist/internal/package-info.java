/** The machinery of distribution; not exported. */
package io.otp4j.dist.internal;
