package io.otp4j.dist.term;

/**
 * The limits of decoding. The input bounds everything else: each length read is checked against
 * the bytes that remain before anything is allocated, so the decoded value takes memory in
 * proportion to the input (a small constant factor: a boxed integer for a one-byte element).
 *
 * @param maxDepth            the deepest nesting of tuples, lists, maps and funs accepted; deeper
 *                            input fails with a {@link DecodeException}. Decoding does not recurse,
 *                            so any limit is safe for the decoder itself; but code that walks the
 *                            value recursively (equals, hashCode, toString) needs stack for it
 * @param maxDecompressedSize the largest size, in bytes, that a compressed term may declare and
 *                            inflate to
 */
public record DecodeOptions(int maxDepth, int maxDecompressedSize) {
    /** Nesting up to 10,000 levels, compressed terms up to 64 MiB. */
    public static final DecodeOptions DEFAULTS = new DecodeOptions(10_000, 64 << 20);

    public DecodeOptions {
        if (maxDepth < 1) throw new IllegalArgumentException("maxDepth is at least 1, got " + maxDepth);
        if (maxDecompressedSize < 0) throw new IllegalArgumentException("maxDecompressedSize is not negative, got " + maxDecompressedSize);
    }

    /** These limits, with nesting up to {@code depth} levels. */
    public DecodeOptions withMaxDepth(int depth) {
        return new DecodeOptions(depth, maxDecompressedSize);
    }

    /** These limits, with compressed terms up to {@code bytes} bytes once inflated. */
    public DecodeOptions withMaxDecompressedSize(int bytes) {
        return new DecodeOptions(maxDepth, bytes);
    }
}
