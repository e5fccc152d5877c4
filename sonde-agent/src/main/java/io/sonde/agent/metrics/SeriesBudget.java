package io.sonde.agent.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * SeriesBudget bounds the number of series of every labelled metric. The first {@code limit} label
 * sets a metric shows are admitted; later ones fold into one series whose labels all read
 * {@code other}, and each distinct folded label set is counted once in
 * {@code sonde_series_folded_total{metric}}. A label set not seen for {@code idleMillis} gives its
 * place up, so that series of removed cgroups do not hold the budget forever.
 *
 * <pre>{@code
 * String[] labels = budget.admit("sonde_syscalls_total", new String[] {cgroup, container, syscall});
 * }</pre>
 */
public final class SeriesBudget {
    /** The value every label of a folded series takes. */
    public static final String OTHER = "other";
    private static final int FOLDED_MEMORY = 100_000;

    private final int limit;
    private final long idleMillis;
    private final Map<String, Map<List<String>, Long>> admitted = new ConcurrentHashMap<>();
    private final Map<String, Map<Integer, Boolean>> foldedSeen = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> folded = new ConcurrentHashMap<>();

    public SeriesBudget(int limit, long idleMillis) {
        if (limit < 1) {
            throw new IllegalArgumentException("series budget must be at least 1");
        }
        this.limit = limit;
        this.idleMillis = idleMillis;
    }

    /** The most series one metric may have. */
    public int limit() {
        return limit;
    }

    /** Returns the label values to use: the given ones when admitted, or all {@code other}. */
    public String[] admit(String metric, String[] values) {
        Map<List<String>, Long> set = admitted.computeIfAbsent(metric, m -> new ConcurrentHashMap<>());
        List<String> key = List.of(values);
        long now = System.currentTimeMillis();
        if (set.computeIfPresent(key, (k, v) -> now) != null) {
            return values;
        }
        synchronized (set) {
            if (set.size() >= limit) {
                set.values().removeIf(seen -> now - seen > idleMillis);
            }
            if (set.size() < limit) {
                set.put(key, now);
                return values;
            }
        }
        Map<Integer, Boolean> seen = foldedSeen.computeIfAbsent(metric, m -> new ConcurrentHashMap<>());
        if (seen.size() < FOLDED_MEMORY && seen.putIfAbsent(key.hashCode(), Boolean.TRUE) == null) {
            folded.computeIfAbsent(metric, m -> new LongAdder()).increment();
        }
        String[] other = new String[values.length];
        Arrays.fill(other, OTHER);
        return other;
    }

    /** Distinct label sets folded so far, per metric. */
    public Map<String, Long> foldedCounts() {
        Map<String, Long> out = new java.util.TreeMap<>();
        folded.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
