package io.sonde.bpf.ringbuf;

/**
 * RecordHandler receives ring-buffer records one at a time, on the thread that polls.
 *
 * <pre>{@code
 * RecordHandler count = rec -> seen.incrementAndGet();
 * }</pre>
 */
@FunctionalInterface
public interface RecordHandler {
    /** Handles one record; the view is reused for the next record once this returns. */
    void onRecord(RingRecord record);
}
