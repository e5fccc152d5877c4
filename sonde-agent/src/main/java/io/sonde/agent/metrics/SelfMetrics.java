package io.sonde.agent.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * SelfMetrics is what the agent says about itself: which probes are up, events the kernel side
 * lost, failed map operations, folded series, and its build.
 *
 * <pre>{@code
 * self.mapError("syscall_counts", "lookup");
 * registry.register(self);
 * }</pre>
 */
public final class SelfMetrics implements MultiCollector {
    /** Where the probe states and lost counts come from (the supervisor). */
    public interface ProbeStates {
        Map<String, Boolean> up();

        Map<String, Long> eventsLost();

        Map<String, Long> insertFailures();
    }

    private final String version;
    private final SeriesBudget budget;
    private volatile ProbeStates probes;
    private final Map<List<String>, LongAdder> mapErrors = new ConcurrentHashMap<>();

    public SelfMetrics(String version, SeriesBudget budget) {
        this.version = version;
        this.budget = budget;
    }

    /** Connects the probe supervisor. */
    public void probes(ProbeStates states) {
        this.probes = states;
    }

    /** Counts a failed map operation. */
    public void mapError(String map, String op) {
        mapErrors.computeIfAbsent(List.of(map, op), k -> new LongAdder()).increment();
    }

    @Override
    public MetricSnapshots collect() {
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        ProbeStates states = probes;
        GaugeSnapshot.Builder up = GaugeSnapshot.builder().name("sonde_probe_up")
                .help("1 when the probe is loaded and attached, 0 when it failed or is stopped.");
        CounterFamily lost = new CounterFamily("sonde_events_lost", "Records the kernel side could not reserve in "
                + "its ring buffer, per probe.", null, "probe");
        if (states != null) {
            states.up().forEach((probe, isUp) -> up.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .value(isUp ? 1 : 0).labels(Labels.of("probe", probe)).build()));
            states.eventsLost().forEach((probe, n) -> lost.add(n, probe));
        }
        CounterFamily full = new CounterFamily("sonde_map_insert_failures", "Counter updates the kernel side could "
                + "not make because the map was full, per probe (raise the probe's max_entries).", null, "probe");
        if (states != null) {
            states.insertFailures().forEach((probe, n) -> full.add(n, probe));
        }
        out.metricSnapshot(up.build());
        out.metricSnapshot(lost.snapshot());
        out.metricSnapshot(full.snapshot());
        CounterFamily errors = new CounterFamily("sonde_map_errors", "Map operations that failed, by map and "
                + "operation.", null, "map", "op");
        mapErrors.forEach((k, v) -> errors.add(v.sum(), k.get(0), k.get(1)));
        out.metricSnapshot(errors.snapshot());
        CounterFamily folded = new CounterFamily("sonde_series_folded", "Distinct label sets folded into the "
                + "\"other\" series because the metric was over its series budget.", null, "metric");
        budget.foldedCounts().forEach((metric, n) -> folded.add(n, metric));
        out.metricSnapshot(folded.snapshot());
        out.metricSnapshot(InfoSnapshot.builder().name("sonde_build").help("The agent's build.")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of("version", version)).build())
                .build());
        return out.build();
    }
}
