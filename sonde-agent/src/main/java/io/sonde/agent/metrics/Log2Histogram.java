package io.sonde.agent.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Log2Histogram turns the kernel's log2 slots (see sonde.h: slot k counts values v with
 * 2^(k-1) &lt;= v &lt; 2^k nanoseconds, slot 0 counts v = 0) into classic Prometheus histogram buckets
 * with upper bounds 2^k ns expressed in seconds, plus +Inf for the last slot. Series with the same
 * labels are merged slot by slot.
 *
 * <pre>{@code
 * Log2Histogram h = new Log2Histogram("sonde_syscall_duration_seconds", "...", budget, "syscall");
 * h.add(slots, sumNanos, "read");
 * HistogramSnapshot s = h.snapshot();
 * }</pre>
 */
public final class Log2Histogram {
    /** The number of slots the kernel keeps (sonde.h HIST_SLOTS). */
    public static final int SLOTS = 40;

    private static final double[] BOUNDS = new double[SLOTS];

    static {
        for (int k = 0; k < SLOTS - 1; k++) {
            BOUNDS[k] = Math.pow(2, k) / 1e9;
        }
        BOUNDS[SLOTS - 1] = Double.POSITIVE_INFINITY;
    }

    private final String name;
    private final String help;
    private final SeriesBudget budget;
    private final String[] labelNames;
    private final Map<List<String>, long[]> slots = new LinkedHashMap<>();
    private final Map<List<String>, double[]> sums = new LinkedHashMap<>();

    public Log2Histogram(String name, String help, SeriesBudget budget, String... labelNames) {
        this.name = name;
        this.help = help;
        this.budget = budget;
        this.labelNames = labelNames;
    }

    /** The upper bound in seconds of a slot (the last is +Inf). */
    public static double upperBound(int slot) {
        return BOUNDS[slot];
    }

    /** The size in bytes of one CPU's {@code struct hist} (sonde.h): SLOTS u64 slots, then the u64 sum in ns. */
    public static final int HIST_BYTES = (SLOTS + 1) * 8;

    /**
     * Sums a per-CPU map value of {@code struct hist} over the CPUs: the SLOTS slot counts, then the sum
     * of the values in nanoseconds (length SLOTS + 1, as {@link #addSums} takes it).
     */
    public static long[] sumPerCpu(byte[] value) {
        long[] out = new long[SLOTS + 1];
        java.nio.ByteBuffer v = java.nio.ByteBuffer.wrap(value).order(java.nio.ByteOrder.nativeOrder());
        for (int at = 0; at + HIST_BYTES <= value.length; at += HIST_BYTES) {
            for (int s = 0; s <= SLOTS; s++) {
                out[s] += v.getLong(at + s * 8);
            }
        }
        return out;
    }

    /** Adds slot counts followed by the sum in nanoseconds (as {@link #sumPerCpu} returns) to a series. */
    public void addSums(long[] slotsThenSum, String... labelValues) {
        add(slotsThenSum, slotsThenSum[SLOTS], labelValues);
    }

    /** Adds the slots (length SLOTS) and the sum of the values in nanoseconds to a series. */
    public void add(long[] counts, long sumNanos, String... labelValues) {
        String[] admitted = budget == null || labelNames.length == 0 ? labelValues : budget.admit(name, labelValues);
        List<String> key = List.of(admitted);
        long[] into = slots.computeIfAbsent(key, k -> new long[SLOTS]);
        for (int i = 0; i < SLOTS && i < counts.length; i++) {
            into[i] += counts[i];
        }
        sums.computeIfAbsent(key, k -> new double[1])[0] += sumNanos / 1e9;
    }

    /** The snapshot of every series added. */
    public HistogramSnapshot snapshot() {
        HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(name).help(help);
        slots.forEach((labels, counts) -> b.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS, counts))
                .sum(sums.get(labels)[0])
                .labels(Labels.of(labelNames, labels.toArray(String[]::new))).build()));
        return b.build();
    }
}
