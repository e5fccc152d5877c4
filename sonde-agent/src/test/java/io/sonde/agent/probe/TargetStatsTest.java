package io.sonde.agent.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The window statistics of one target: loss, jitter, eviction, up, and the cumulative histogram. */
class TargetStatsTest {
    private static final long MS = 1_000_000;

    @Test
    void emptyHasNoFigures() {
        TargetStats.Snapshot s = new TargetStats(10).snapshot();
        assertEquals(0, s.finished());
        assertTrue(Double.isNaN(s.lossRatio()));
        assertTrue(Double.isNaN(s.jitter()));
        assertNull(s.up());
        assertEquals(0, s.answered());
        assertThrows(IllegalArgumentException.class, () -> new TargetStats(0));
    }

    @Test
    void lossAndJitterOverTheWindow() {
        TargetStats st = new TargetStats(4);
        st.record(0, 1 * MS);
        st.record(1, TargetStats.LOST);
        st.record(2, 3 * MS);
        st.record(3, TargetStats.LOST);
        TargetStats.Snapshot s = st.snapshot();
        assertEquals(0.5, s.lossRatio());
        assertEquals(0.001, s.jitter(), 1e-12); // RTTs 1 ms and 3 ms: mean 2 ms, deviations 1 ms
        assertEquals(4, s.windowSize());
        assertFalse(s.up());
        // two more answers push the two oldest probes (one answered, one lost) out of the window
        st.record(4, 3 * MS);
        st.record(5, 3 * MS);
        s = st.snapshot();
        assertEquals(0.25, s.lossRatio());
        assertEquals(0, s.jitter(), 1e-15); // 3, 3, 3 ms
        assertTrue(s.up());
        assertEquals(6, s.finished());
        assertEquals(4, s.answered()); // the histogram is cumulative, not windowed
        assertEquals(0.010, s.rttSeconds(), 1e-12);
    }

    @Test
    void jitterIsThePopulationStandardDeviation() {
        TargetStats st = new TargetStats(100);
        long[] rtts = {2, 4, 4, 4, 5, 5, 7, 9};
        for (int i = 0; i < rtts.length; i++) {
            st.record(i, rtts[i] * MS);
        }
        assertEquals(0.002, st.snapshot().jitter(), 1e-12); // the textbook example: mean 5, deviation 2
        assertEquals(0.0, st.snapshot().lossRatio());
        TargetStats one = new TargetStats(5);
        one.record(0, MS);
        assertEquals(0.0, one.snapshot().jitter()); // one answer has no spread
    }

    @Test
    void upFollowsTheLatestSentProbeNotTheLatestFinished() {
        TargetStats st = new TargetStats(10);
        st.record(7, 1 * MS);           // probe 7 answered
        st.record(5, TargetStats.LOST); // then the older probe 5 times out
        assertTrue(st.snapshot().up());
        st.record(8, TargetStats.LOST);
        assertFalse(st.snapshot().up());
    }

    @Test
    void bucketsHoldEachRttOnceAtItsUpperBound() {
        TargetStats st = new TargetStats(10);
        st.record(0, 100_000);          // exactly 100 µs: the first bucket (le is inclusive)
        st.record(1, 100_001);          // just over: the second
        st.record(2, 20_000 * MS);      // 20 s: +Inf
        long[] expected = new long[TargetStats.BOUNDS.length];
        expected[0] = 1;
        expected[1] = 1;
        expected[expected.length - 1] = 1;
        assertArrayEquals(expected, st.snapshot().buckets());
    }
}
