/**
 * A distribution connection: the version 6 handshake ({@link
 * io.otp4j.dist.internal.connection.Handshake}), the flags two nodes agree on ({@link
 * io.otp4j.dist.internal.connection.DistFlags}), and the framed, ticking connection that follows
 * ({@link io.otp4j.dist.internal.connection.Connection}).
 */
package io.otp4j.dist.internal.connection;
