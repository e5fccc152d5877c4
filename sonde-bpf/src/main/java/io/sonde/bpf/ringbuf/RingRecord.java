package io.sonde.bpf.ringbuf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * RingRecord is a reusable view of one record in a ring buffer, valid only during the handler call
 * that received it: the memory belongs to the kernel again once the handler returns. Read fields
 * with the getters, or copy the record with {@link #toByteArray()} to keep it.
 *
 * <pre>{@code
 * ring.poll(Duration.ofMillis(100), rec -> {
 *     int pid = rec.getInt(0);
 *     long ts = rec.getLong(8);
 *     String comm = rec.getString(16, 16);
 * });
 * }</pre>
 */
public final class RingRecord {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private final MemorySegment data;
    private long offset;
    private int length;

    RingRecord(MemorySegment data) {
        this.data = data;
    }

    void reset(long offset, int length) {
        this.offset = offset;
        this.length = length;
    }

    /** The record's length in bytes, as the producer reserved it. */
    public int length() {
        return length;
    }

    private long at(long pos, int size) {
        if (pos < 0 || pos + size > length) {
            throw new IndexOutOfBoundsException("read of " + size + " bytes at " + pos + " in a record of " + length
                    + " bytes");
        }
        return offset + pos;
    }

    /** The byte at a position. */
    public byte getByte(long pos) {
        return data.get(ValueLayout.JAVA_BYTE, at(pos, 1));
    }

    /** The 16-bit integer at a position, in the machine's byte order. */
    public short getShort(long pos) {
        return data.get(SHORT, at(pos, 2));
    }

    /** The 32-bit integer at a position, in the machine's byte order. */
    public int getInt(long pos) {
        return data.get(INT, at(pos, 4));
    }

    /** The 64-bit integer at a position, in the machine's byte order. */
    public long getLong(long pos) {
        return data.get(LONG, at(pos, 8));
    }

    /** Copies bytes from a position into a caller's array. */
    public void getBytes(long pos, byte[] into, int intoOffset, int count) {
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at(pos, count), into, intoOffset, count);
    }

    /** A NUL-terminated string in a fixed-size field (such as a 16-byte comm). */
    public String getString(long pos, int maxBytes) {
        long base = at(pos, maxBytes);
        int n = 0;
        while (n < maxBytes && data.get(ValueLayout.JAVA_BYTE, base + n) != 0) {
            n++;
        }
        byte[] b = new byte[n];
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, base, b, 0, n);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A slice of the ring's memory holding this record (no copy; valid during the handler call only). */
    public MemorySegment segment() {
        return data.asSlice(offset, length);
    }

    /** A copy of the record's bytes, safe to keep. */
    public byte[] toByteArray() {
        return segment().toArray(ValueLayout.JAVA_BYTE);
    }
}
