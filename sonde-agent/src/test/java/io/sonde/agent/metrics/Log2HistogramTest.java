package io.sonde.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prometheus.metrics.model.snapshots.HistogramSnapshot;

import org.junit.jupiter.api.Test;

/** Kernel log2 slots become cumulative buckets with power-of-two bounds in seconds. */
class Log2HistogramTest {
    @Test
    void slotsBecomeBuckets() {
        Log2Histogram h = new Log2Histogram("sonde_d_seconds", "d", null, "syscall");
        long[] slots = new long[Log2Histogram.SLOTS];
        slots[24] = 3; // 2^23 <= v < 2^24 ns: about 8.4 to 16.8 ms
        slots[Log2Histogram.SLOTS - 1] = 1; // beyond the last bound
        h.add(slots, 30_000_000L + 600_000_000_000L, "nanosleep");
        h.add(slots, 0, "nanosleep");
        HistogramSnapshot.HistogramDataPointSnapshot p = h.snapshot().getDataPoints().get(0);
        assertEquals(8, p.getCount());
        assertEquals(0.016777216, Log2Histogram.upperBound(24), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, Log2Histogram.upperBound(Log2Histogram.SLOTS - 1));
        assertEquals(600.03, p.getSum(), 1e-9);
        long cumulativeAt24 = 0;
        for (var b : p.getClassicBuckets()) {
            if (b.getUpperBound() <= 0.016777216) {
                cumulativeAt24 += b.getCount();
            }
        }
        assertEquals(6, cumulativeAt24);
    }
}
