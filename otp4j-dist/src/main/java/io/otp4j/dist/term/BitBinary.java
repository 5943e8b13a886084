package io.otp4j.dist.term;

import java.util.Arrays;
import java.util.Objects;

/**
 * An Erlang bitstring whose length is not a multiple of 8, such as {@code <<1,2,3:4>>}: whole bytes,
 * then 1 to 7 bits of the last byte, counted from its most significant bit. The unused low bits of
 * the last byte are cleared, so that two bitstrings with the same bits are equal. A bitstring of a
 * whole number of bytes is a {@link Binary}.
 *
 * @param bytes          the bytes, the last one partly used (copied in; {@link #bytes()} returns a copy)
 * @param bitsInLastByte how many bits of the last byte belong to the bitstring, 1 to 7
 */
public record BitBinary(byte[] bytes, int bitsInLastByte) {
    public BitBinary {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length == 0) throw new IllegalArgumentException("a bitstring with bits in a last byte needs at least one byte");
        if (bitsInLastByte < 1 || bitsInLastByte > 7) {
            throw new IllegalArgumentException("bitsInLastByte is 1 to 7 (a whole last byte makes a Binary), got " + bitsInLastByte);
        }
        bytes = bytes.clone();
        bytes[bytes.length - 1] &= (byte) (0xFF << (8 - bitsInLastByte));
    }

    /** A copy of the bytes. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The length in bits ({@code bit_size/1}). */
    public long bitSize() {
        return (bytes.length - 1) * 8L + bitsInLastByte;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof BitBinary b && bitsInLastByte == b.bitsInLastByte && Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes) * 31 + bitsInLastByte;
    }

    /** As Erlang prints it: {@code <<1,2,3:4>>}. */
    @Override
    public String toString() {
        return Binary.toString(bytes, bytes.length, bitsInLastByte);
    }
}
