package io.sonde.agent.probe;

import io.sonde.agent.metrics.CounterFamily;
import io.sonde.agent.metrics.GaugeFamily;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BudgetController keeps the probes' kernel programs inside the overhead budget (a fraction of the
 * machine's CPU). After each statistics window it gets every probe's estimated CPU ratio: when their
 * sum is over the budget it raises the sampling of the most expensive {@link SampledProbe} (N times
 * the overshoot, rounded up to a power of two, at least twice and at most 16 times per step, up to
 * {@link #MAX_SAMPLE_EVERY}); when the sum is under half the budget it halves every sampled probe's N
 * back toward 1. Each step is logged, counted in {@code sonde_budget_actions_total{probe,action}} and
 * shown by {@link #describe()}; {@code sonde_probe_sample_rate{probe}} is 1/N.
 *
 * <p>Not done yet: detaching the most expensive optional probe when sampling is at its maximum and
 * the cost is still over the budget; that case is logged ({@code event=budget_exceeded}).
 *
 * <pre>{@code
 * BudgetController budget = new BudgetController(supervisor, config.overhead().budget());
 * registry.register(budget);
 * cost.onWindow(budget::afterWindow);
 * }</pre>
 */
public final class BudgetController implements MultiCollector {
    private static final System.Logger LOG = System.getLogger("io.sonde.agent.probe");

    /**
     * The highest sampling rate, one event in this many. A skipped event still enters its program (measured: 37 ns
     * against 45 ns for a counted one), so beyond one in 16 the cost hardly falls while the estimates
     * grow coarser: the saving is already ~95% of what sampling can give.
     */
    public static final int MAX_SAMPLE_EVERY = 16;
    private static final int MAX_STEP = 16;

    private final ProbeSupervisor supervisor;
    private final double budget;
    private final Map<List<String>, Long> actions = new LinkedHashMap<>();
    private double lastRatio;
    private boolean exceededLogged;

    public BudgetController(ProbeSupervisor supervisor, double budget) {
        this.supervisor = supervisor;
        this.budget = budget;
    }

    /** Acts on one window's estimated CPU ratio per probe. */
    public void afterWindow(Map<String, Double> ratios) {
        double total = ratios.values().stream().mapToDouble(Double::doubleValue).sum();
        List<SampledProbe> sampled = sampledProbes();
        synchronized (this) {
            lastRatio = total;
        }
        if (total > budget) {
            SampledProbe target = null;
            for (SampledProbe p : sampled) {
                if (p.sampleEvery() < MAX_SAMPLE_EVERY && (target == null
                        || ratios.getOrDefault(p.name(), 0.0) > ratios.getOrDefault(target.name(), 0.0))) {
                    target = p;
                }
            }
            if (target == null) {
                if (!exceededLogged) {
                    exceededLogged = true;
                    LOG.log(System.Logger.Level.WARNING, "event=budget_exceeded cpu_ratio={0} budget={1} "
                            + "reason=\"sampling at its maximum\"", Double.toString(total), Double.toString(budget));
                }
                return;
            }
            int overshoot = (int) Math.min(MAX_STEP, Math.ceil(total / budget));
            int step = Math.max(2, Integer.highestOneBit(overshoot * 2 - 1)); // the power of two at or above
            int n = (int) Math.min(MAX_SAMPLE_EVERY, (long) target.sampleEvery() * step);
            act(target, n, "sample_more", total);
        } else if (total < budget / 2) {
            exceededLogged = false;
            for (SampledProbe p : sampled) {
                if (p.sampleEvery() > 1) {
                    act(p, p.sampleEvery() / 2, "sample_less", total);
                }
            }
        }
    }

    private void act(SampledProbe probe, int n, String action, double total) {
        int old = probe.sampleEvery();
        try {
            probe.sampleEvery(n);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "event=budget_action_failed probe={0} action={1} reason=\"{2}\"",
                    probe.name(), action, e.getMessage());
            return;
        }
        synchronized (this) {
            actions.merge(List.of(probe.name(), action), 1L, Long::sum);
        }
        LOG.log(System.Logger.Level.INFO, "event=budget_action probe={0} action={1} sample_every_from={2} "
                + "sample_every={3} cpu_ratio={4} budget={5}", probe.name(), action, Integer.toString(old),
                Integer.toString(n), Double.toString(total), Double.toString(budget));
    }

    private List<SampledProbe> sampledProbes() {
        List<SampledProbe> out = new ArrayList<>();
        supervisor.up().forEach((name, up) -> {
            if (up && supervisor.running(name) instanceof SampledProbe s) {
                out.add(s);
            }
        });
        return out;
    }

    /** The budget, the last total, each sampled probe's rate and the actions so far, for /api/probes. */
    public Map<String, Object> describe() {
        Map<String, Object> rates = new LinkedHashMap<>();
        for (SampledProbe p : sampledProbes()) {
            rates.put(p.name(), Map.of("sample_every", p.sampleEvery(), "sample_rate", 1.0 / p.sampleEvery()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        synchronized (this) {
            out.put("budget", budget);
            out.put("cpu_ratio", lastRatio);
            out.put("sampling", rates);
            Map<String, Long> acted = new LinkedHashMap<>();
            actions.forEach((k, v) -> acted.put(k.get(0) + "/" + k.get(1), v));
            out.put("actions", acted);
        }
        return out;
    }

    @Override
    public MetricSnapshots collect() {
        GaugeFamily rate = new GaugeFamily("sonde_probe_sample_rate", "Fraction of events the probe's kernel "
                + "programs count (1/N); below 1 its counts are estimates scaled by N.", null, "probe");
        for (SampledProbe p : sampledProbes()) {
            rate.set(1.0 / p.sampleEvery(), p.name());
        }
        CounterFamily acted = new CounterFamily("sonde_budget_actions", "Steps taken to keep the probes inside the "
                + "overhead budget, per probe and action (sample_more, sample_less).", null, "probe", "action");
        synchronized (this) {
            actions.forEach((k, v) -> acted.add(v, k.get(0), k.get(1)));
        }
        return MetricSnapshots.of(rate.snapshot(), acted.snapshot());
    }
}
