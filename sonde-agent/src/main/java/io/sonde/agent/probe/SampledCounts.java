package io.sonde.agent.probe;

import io.sonde.bpf.BpfMap;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * SampledCounts turns the raw counts of a sampled counter map into estimates that stay monotonic when
 * the sampling rate changes. A map entry holds one count (a counter) or several (a histogram's slots
 * and sum); per key and index it keeps the estimate reached at the last rate change ({@code base}) and
 * the raw count at that moment ({@code rawAt}); the estimate is {@code base + (raw - rawAt) * N} with N
 * the current rate. Not thread-safe: the owner locks.
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
        return estimate(key, 0, raw, n);
    }

    /** The estimate of the {@code index}-th count of one key (a histogram slot, say). */
    double estimate(byte[] key, int index, long raw, int n) {
        return estimate(HEX.formatHex(key) + "/" + index, raw, n);
    }

    /** The estimates of every count of one key, rounded. */
    long[] estimates(byte[] key, long[] raws, int n) {
        long[] out = new long[raws.length];
        String k = HEX.formatHex(key) + "/";
        for (int i = 0; i < raws.length; i++) {
            out[i] = n == 1 && state.isEmpty() ? raws[i] : Math.round(estimate(k + i, raws[i], n));
        }
        return out;
    }

    private double estimate(String key, long raw, int n) {
        double[] s = state.get(key);
        if (s == null || raw < s[1]) { // new, or deleted and created again
            return (double) raw * n;
        }
        return s[0] + (raw - s[1]) * (double) n;
    }

    /** Folds every key's count so far (a per-CPU u64 at offset 0) under the rate that held ({@code oldN}). */
    void rebase(BpfMap map, int oldN) {
        rebase(map, oldN, value -> new long[] {map.sumPerCpu(value, 0)});
    }

    /** Folds every key's counts so far, as {@code counts} reads them from a value, into their bases. */
    void rebase(BpfMap map, int oldN, Function<byte[], long[]> counts) {
        List<Map.Entry<byte[], long[]>> raws = new ArrayList<>();
        for (BpfMap.Entry e : map.entries()) {
            raws.add(Map.entry(e.key(), counts.apply(e.value())));
        }
        rebase(raws, oldN);
    }

    /**
     * Folds the counts so far of every key given (its raw counts, as {@link #estimates} takes them) into
     * their bases; keys not given are dropped. For an owner that adds to the map what it holds elsewhere.
     */
    void rebase(Iterable<Map.Entry<byte[], long[]>> counts, int oldN) {
        Map<String, double[]> next = new HashMap<>();
        for (Map.Entry<byte[], long[]> e : counts) {
            long[] raws = e.getValue();
            String k = HEX.formatHex(e.getKey()) + "/";
            for (int i = 0; i < raws.length; i++) {
                next.put(k + i, new double[] {estimate(k + i, raws[i], oldN), raws[i]});
            }
        }
        state = next; // keys gone from the map (removed cgroups) are dropped here
    }
}
