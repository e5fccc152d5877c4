package io.sonde.agent.probe;

import io.sonde.bpf.BpfMap;

import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * SampledCounts turns the raw counts of a sampled per-CPU counter map into estimates that stay
 * monotonic when the sampling rate changes. Per key it keeps the estimate reached at the last rate
 * change ({@code base}) and the raw count at that moment ({@code rawAt}); the estimate is
 * {@code base + (raw - rawAt) * N} with N the current rate. Not thread-safe: the owner locks.
 *
 * <pre>{@code
 * SampledCounts counts = new SampledCounts();
 * double estimate = counts.estimate(key, raw, sampleEvery);
 * counts.rebase(map, oldSampleEvery);   // before writing the new rate
 * }</pre>
 */
final class SampledCounts {
    private static final HexFormat HEX = HexFormat.of();

    private Map<String, double[]> state = new HashMap<>();

    /** The estimated count of one key whose per-CPU sum is {@code raw}, under rate {@code n}. */
    double estimate(byte[] key, long raw, int n) {
        double[] s = state.get(HEX.formatHex(key));
        if (s == null || raw < s[1]) { // new, or deleted and created again
            return (double) raw * n;
        }
        return s[0] + (raw - s[1]) * (double) n;
    }

    /** Folds every key's counts so far under the rate that held ({@code oldN}) into its base. */
    void rebase(BpfMap map, int oldN) {
        Map<String, double[]> next = new HashMap<>();
        for (BpfMap.Entry e : map.entries()) {
            long raw = map.sumPerCpu(e.value(), 0);
            next.put(HEX.formatHex(e.key()), new double[] {estimate(e.key(), raw, oldN), raw});
        }
        state = next; // keys gone from the map (removed cgroups) are dropped here
    }
}
