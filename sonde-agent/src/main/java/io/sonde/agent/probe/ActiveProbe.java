package io.sonde.agent.probe;

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.config.ProbeTarget;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * ActiveProbe is the active prober ({@code probe}, no BPF): it probes the targets of
 * {@code probes.probe.targets} itself, by TCP connect, ICMP echo or UDP echo, each on its own
 * schedule ({@link TargetProber}), optionally from another network namespace ({@link NetNamespace}),
 * and serves per target the RTT histogram, the loss ratio and jitter over a sliding window of probes
 * ({@link TargetStats}), whether the target answered, and the probes finished. Without targets it
 * starts, serves nothing and costs nothing, so it is in the default set.
 *
 * <pre>{@code
 * ActiveProbe p = new ActiveProbe();
 * p.start(context);          // probes.probe.targets from context.config()
 * registry.register(p.metrics());
 * p.close();                 // stops every schedule at once
 * }</pre>
 */
public final class ActiveProbe implements Probe {
    private static final String[] LABELS = {"target", "kind"};

    private final Map<String, NetNamespace> namespaces = new LinkedHashMap<>();
    private final List<TargetProber> probers = new CopyOnWriteArrayList<>();
    private final MultiCollector collector = this::collect;

    @Override
    public String name() {
        return "probe";
    }

    @Override
    public String description() {
        return "RTT, loss, jitter and reachability of the configured targets, probed actively by TCP connect, "
                + "ICMP echo or UDP echo (no BPF)";
    }

    @Override
    public void start(ProbeContext context) throws IOException {
        AgentConfig.Active settings = context.config().probes().probe();
        long interval = TimeUnit.MILLISECONDS.toNanos(settings.intervalMs());
        long timeout = TimeUnit.MILLISECONDS.toNanos(settings.timeoutMs());
        try {
            for (ProbeTarget t : settings.targets()) {
                String path = t.netnsPath();
                NetNamespace ns = null;
                if (path != null) {
                    ns = namespaces.get(path);
                    if (ns == null) {
                        ns = NetNamespace.enter(path);
                        namespaces.put(path, ns);
                    }
                }
                TargetProber p = TargetProber.create(t, ns, interval, timeout, settings.window());
                probers.add(p);
                p.start();
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public MultiCollector metrics() {
        return collector;
    }

    @Override
    public List<Map<String, Object>> programs() {
        return List.of();
    }

    @Override
    public List<Map<String, Object>> maps() {
        return List.of();
    }

    /**
     * Stops every target's schedule at the same moment and waits until every probe sent has finished;
     * see {@link TargetProber#quiesce}. For tests that compare what was sent with the kernel's counters.
     */
    void quiesce() throws InterruptedException {
        for (TargetProber p : probers) {
            p.stopSending();
        }
        for (TargetProber p : probers) {
            p.quiesce();
        }
    }

    @Override
    public synchronized void close() {
        for (TargetProber p : probers) {
            p.close();
        }
        for (NetNamespace ns : namespaces.values()) {
            ns.close();
        }
        namespaces.clear();
    }

    private MetricSnapshots collect() {
        HistogramSnapshot.Builder rtt = HistogramSnapshot.builder().name("sonde_target_rtt_seconds")
                .help("Round-trip time of the answered probes of a target (TCP: connect time).");
        GaugeSnapshot.Builder loss = GaugeSnapshot.builder().name("sonde_target_loss_ratio")
                .help("Lost probes / finished probes over the last probes.probe.window finished probes.");
        GaugeSnapshot.Builder jitter = GaugeSnapshot.builder().name("sonde_target_jitter_seconds")
                .help("Standard deviation of the RTT of the answered probes in the window.");
        GaugeSnapshot.Builder up = GaugeSnapshot.builder().name("sonde_target_up")
                .help("1 when the latest finished probe of the target was answered, else 0.");
        CounterSnapshot.Builder probes = CounterSnapshot.builder().name("sonde_target_probes")
                .help("Probes finished (answered or lost) since the start.");
        for (TargetProber p : probers) {
            Labels labels = Labels.of(LABELS, new String[] {p.target.label(), p.target.kind()});
            TargetStats.Snapshot s = p.stats().snapshot();
            rtt.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder().labels(labels)
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(TargetStats.BOUNDS, s.buckets()))
                    .sum(s.rttSeconds()).build());
            probes.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(s.finished())
                    .build());
            if (s.up() != null) {
                up.dataPoint(gauge(labels, s.up() ? 1 : 0));
                loss.dataPoint(gauge(labels, s.lossRatio()));
            }
            if (!Double.isNaN(s.jitter())) {
                jitter.dataPoint(gauge(labels, s.jitter()));
            }
        }
        return MetricSnapshots.of(rtt.build(), loss.build(), jitter.build(), up.build(), probes.build());
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot gauge(Labels labels, double value) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }
}
