package io.sonde.agent.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CounterFamily gathers one counter's values for one scrape, label set by label set, through the
 * series budget, summing values that land on the same series, and builds its snapshot.
 *
 * <pre>{@code
 * CounterFamily f = new CounterFamily("sonde_syscalls", "System calls made.", budget, "cgroup", "syscall");
 * f.add(42, "/", "read");
 * registrySnapshot.add(f.snapshot());
 * }</pre>
 *
 * The name is given without {@code _total}; the exposition adds it.
 */
public final class CounterFamily {
    private final String name;
    private final String help;
    private final SeriesBudget budget;
    private final String[] labelNames;
    private final Map<List<String>, double[]> values = new LinkedHashMap<>();

    public CounterFamily(String name, String help, SeriesBudget budget, String... labelNames) {
        this.name = name;
        this.help = help;
        this.budget = budget;
        this.labelNames = labelNames;
    }

    /** Adds a value to the series of these label values (in the order of the label names). */
    public void add(double value, String... labelValues) {
        String[] admitted = budget == null || labelNames.length == 0 ? labelValues
                : budget.admit(name + "_total", labelValues);
        values.computeIfAbsent(List.of(admitted), k -> new double[1])[0] += value;
    }

    /** The snapshot of every series added. */
    public CounterSnapshot snapshot() {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        values.forEach((labels, v) -> b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(v[0])
                .labels(Labels.of(labelNames, labels.toArray(String[]::new))).build()));
        return b.build();
    }
}
