package io.otp4j.dist.internal.connection;

import io.otp4j.dist.NodeName;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * How this node shakes hands.
 *
 * @param self          this node's name
 * @param creation      this node's creation, from its EPMD registration (32 bits, unsigned)
 * @param cookies       the cookie for each peer (the same one for all, usually); Latin-1 text, as
 *                      Erlang's cookies are atoms
 * @param offeredFlags  the flags this node offers, {@link DistFlags#OFFERED} by default;
 *                      {@link DistFlags#PUBLISHED} is added unless {@code hidden}
 * @param requiredFlags the flags a peer must offer, {@link DistFlags#REQUIRED} by default
 * @param hidden        true for a hidden node (not {@link DistFlags#PUBLISHED})
 * @param setupTimeout  the longest wait for each handshake message (Erlang's {@code net_setuptime},
 *                      7 s by default)
 * @param allowed       which nodes may connect to this one (Erlang's {@code net_kernel:allow/1}); all by default
 * @param nameVersion   the name message the initiating side sends: 6 ({@code 'N'}, the default,
 *                      for peers EPMD reports at version 6, all of OTP 23 and later) or 5
 *                      ({@code 'n'}, then the complement {@code 'c'} if the peer answers with a
 *                      version 6 challenge)
 */
public record HandshakeConfig(NodeName self, int creation, Function<NodeName, String> cookies, long offeredFlags,
                              long requiredFlags, boolean hidden, Duration setupTimeout,
                              Predicate<NodeName> allowed, int nameVersion) {

    /** Erlang's default {@code net_setuptime}. */
    public static final Duration DEFAULT_SETUP_TIMEOUT = Duration.ofSeconds(7);

    public HandshakeConfig {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(cookies, "cookies");
        Objects.requireNonNull(setupTimeout, "setupTimeout");
        Objects.requireNonNull(allowed, "allowed");
        if (setupTimeout.isNegative() || setupTimeout.isZero()) {
            throw new IllegalArgumentException("setupTimeout must be positive: " + setupTimeout);
        }
        if (nameVersion != 5 && nameVersion != 6) {
            throw new IllegalArgumentException("nameVersion is 5 or 6, got " + nameVersion);
        }
        if ((offeredFlags & DistFlags.NAME_ME) != 0) {
            throw new IllegalArgumentException("dynamic node names (NAME_ME) are not supported");
        }
    }

    /** The defaults, one cookie for every peer. */
    public static HandshakeConfig of(NodeName self, int creation, String cookie) {
        return new HandshakeConfig(self, creation, fixedCookie(cookie), DistFlags.OFFERED, DistFlags.REQUIRED,
                false, DEFAULT_SETUP_TIMEOUT, n -> true, 6);
    }

    public HandshakeConfig withCookie(String cookie) {
        return withCookies(fixedCookie(cookie));
    }

    public HandshakeConfig withCookies(Function<NodeName, String> cookies) {
        return new HandshakeConfig(self, creation, cookies, offeredFlags, requiredFlags, hidden, setupTimeout,
                allowed, nameVersion);
    }

    public HandshakeConfig withOfferedFlags(long flags) {
        return new HandshakeConfig(self, creation, cookies, flags, requiredFlags, hidden, setupTimeout, allowed,
                nameVersion);
    }

    public HandshakeConfig withRequiredFlags(long flags) {
        return new HandshakeConfig(self, creation, cookies, offeredFlags, flags, hidden, setupTimeout, allowed,
                nameVersion);
    }

    public HandshakeConfig withHidden(boolean hidden) {
        return new HandshakeConfig(self, creation, cookies, offeredFlags, requiredFlags, hidden, setupTimeout,
                allowed, nameVersion);
    }

    public HandshakeConfig withSetupTimeout(Duration timeout) {
        return new HandshakeConfig(self, creation, cookies, offeredFlags, requiredFlags, hidden, timeout, allowed,
                nameVersion);
    }

    public HandshakeConfig withAllowed(Predicate<NodeName> allowed) {
        return new HandshakeConfig(self, creation, cookies, offeredFlags, requiredFlags, hidden, setupTimeout,
                allowed, nameVersion);
    }

    public HandshakeConfig withNameVersion(int version) {
        return new HandshakeConfig(self, creation, cookies, offeredFlags, requiredFlags, hidden, setupTimeout,
                allowed, version);
    }

    /** The flags this node sends: the offered ones, with {@link DistFlags#PUBLISHED} unless hidden. */
    public long flagsToSend() {
        long f = offeredFlags & ~DistFlags.PUBLISHED;
        return hidden ? f : f | DistFlags.PUBLISHED;
    }

    @Override
    public String toString() {
        return "HandshakeConfig[self=" + self + ", creation=" + Integer.toUnsignedString(creation) + ", hidden="
                + hidden + ", offered=" + DistFlags.toString(offeredFlags) + ", setupTimeout=" + setupTimeout + "]";
    }

    private static Function<NodeName, String> fixedCookie(String cookie) {
        Objects.requireNonNull(cookie, "cookie");
        if (!StandardCharsets.ISO_8859_1.newEncoder().canEncode(cookie)) {
            throw new IllegalArgumentException("a cookie is Latin-1 text");
        }
        return n -> cookie;
    }
}
