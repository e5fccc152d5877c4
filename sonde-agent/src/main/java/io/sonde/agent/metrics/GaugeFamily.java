package io.sonde.agent.metrics;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GaugeFamily gathers one gauge's values for one scrape, label set by label set, through the series
 * budget, and builds its snapshot. Values that land on the same series (the folded {@code other}
 * series) are summed, so use it for quantities whose sum means something (bytes in use).
 *
 * <pre>{@code
 * GaugeFamily f = new GaugeFamily("sonde_container_memory_usage_bytes", "Memory in use.", budget, "cgroup");
 * f.set(4096, "/system.slice/nginx.service");
 * registrySnapshot.add(f.snapshot());
 * }</pre>
 */
public final class GaugeFamily {
    private final String name;
    private final String help;
    private final SeriesBudget budget;
    private final String[] labelNames;
    private final Map<List<String>, double[]> values = new LinkedHashMap<>();

    public GaugeFamily(String name, String help, SeriesBudget budget, String... labelNames) {
        this.name = name;
        this.help = help;
        this.budget = budget;
        this.labelNames = labelNames;
    }

    /** Adds a value to the series of these label values (in the order of the label names). */
    public void set(double value, String... labelValues) {
        String[] admitted = budget == null || labelNames.length == 0 ? labelValues : budget.admit(name, labelValues);
        values.computeIfAbsent(List.of(admitted), k -> new double[1])[0] += value;
    }

    /** The snapshot of every series set. */
    public GaugeSnapshot snapshot() {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        values.forEach((labels, v) -> b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(v[0])
                .labels(Labels.of(labelNames, labels.toArray(String[]::new))).build()));
        return b.build();
    }
}
