package io.otp4j.dist.term;

/**
 * How {@link Etf#encode(Object, EncodeOptions)} encodes.
 *
 * @param compressAbove    compress (zlib) a term whose encoding is longer than this many bytes, and
 *                         keep the compressed form only when it is smaller, as
 *                         {@code term_to_binary(T, [compressed])} does; -1 never compresses
 * @param compressionLevel the zlib level, 1 (fastest) to 9 (smallest)
 * @param maxDepth         the deepest nesting of tuples, lists, maps and records encoded; a deeper
 *                         term (or a collection that contains itself) fails with an
 *                         {@link EncodeException}
 */
public record EncodeOptions(int compressAbove, int compressionLevel, int maxDepth) {
    /** No compression, level 6 if compression is turned on, nesting up to 10,000 levels. */
    public static final EncodeOptions DEFAULTS = new EncodeOptions(-1, 6, 10_000);

    public EncodeOptions {
        if (compressAbove < -1) throw new IllegalArgumentException("compressAbove is -1 (never) or a size in bytes, got " + compressAbove);
        if (compressionLevel < 1 || compressionLevel > 9) {
            throw new IllegalArgumentException("compressionLevel is 1 to 9, got " + compressionLevel);
        }
        if (maxDepth < 1) throw new IllegalArgumentException("maxDepth is at least 1, got " + maxDepth);
    }

    /** These options, compressing encodings longer than {@code bytes} (0: every term, when it helps). */
    public EncodeOptions withCompressAbove(int bytes) {
        return new EncodeOptions(bytes, compressionLevel, maxDepth);
    }

    /** These options, with zlib level {@code level} (1 to 9). */
    public EncodeOptions withCompressionLevel(int level) {
        return new EncodeOptions(compressAbove, level, maxDepth);
    }

    /** These options, with nesting up to {@code depth} levels. */
    public EncodeOptions withMaxDepth(int depth) {
        return new EncodeOptions(compressAbove, compressionLevel, depth);
    }
}
