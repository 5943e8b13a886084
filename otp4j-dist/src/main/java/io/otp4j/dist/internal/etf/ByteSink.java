package io.otp4j.dist.internal.etf;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** A growable byte array that the encoder writes into, big-endian. */
public final class ByteSink {
    private byte[] buf;
    private int size;

    public ByteSink(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    public int size() {
        return size;
    }

    /** The internal array; valid up to {@link #size()}, and until the next write. */
    byte[] array() {
        return buf;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
        long need = (long) size + more;
        if (need > buf.length) {
            if (need > Integer.MAX_VALUE - 16) throw new IllegalStateException("an encoding larger than 2 GiB");
            long cap = Math.max(need, Math.min((long) buf.length * 2, Integer.MAX_VALUE - 16));
            buf = Arrays.copyOf(buf, (int) cap);
        }
    }

    public void u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
    }

    public void u16(int v) {
        ensure(2);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
    }

    public void i32(int v) {
        ensure(4);
        buf[size++] = (byte) (v >>> 24);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
    }

    public void i64(long v) {
        i32((int) (v >>> 32));
        i32((int) v);
    }

    public void bytes(byte[] b) {
        bytes(b, 0, b.length);
    }

    public void bytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
    }

    public void bytes(ByteBuffer b) {
        int len = b.remaining();
        ensure(len);
        b.get(buf, size, len);
        size += len;
    }

    /** Overwrites 4 bytes at {@code at}, already written. */
    void putI32(int at, int v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }
}
