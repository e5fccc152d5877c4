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
 * <p>The last resort: when the sum is still over the budget and no probe can sample more, it detaches
 * the most expensive probe that is not in {@code overhead.keep_attached} (its maps and counts stay; see
 * {@link ProbeSupervisor#suspend}). A detached probe cannot measure the load it would see, so it is
 * re-attached on trial after a hold of 1 window, and each time it has to be detached again the hold
 * doubles (up to {@link #MAX_HOLD_WINDOWS}); a probe that stays attached through a hold's length of
 * windows starts over at 1. Actions: {@code detach}, {@code reattach}.
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
    /** The longest a detached probe waits before its next trial: 32 periods (32 minutes by default). */
    public static final int MAX_HOLD_WINDOWS = 32;

    /** A probe the budget detached: windows left before its trial, and the hold it was given. */
    private static final class Detached {
        int windowsLeft;
        int hold;
    }

    /** A probe re-attached on trial: the hold it had, and windows it has stayed attached since. */
    private static final class OnTrial {
        int hold;
        int windowsAttached;
    }

    private final ProbeSupervisor supervisor;
    private final double budget;
    private final java.util.Set<String> keepAttached;
    private final Map<String, Detached> detached = new LinkedHashMap<>();
    private final Map<String, OnTrial> onTrial = new LinkedHashMap<>();
    private final Map<List<String>, Long> actions = new LinkedHashMap<>();
    private double lastRatio;
    private boolean exceededLogged;

    /** A controller that may detach any probe as the last resort. */
    public BudgetController(ProbeSupervisor supervisor, double budget) {
        this(supervisor, budget, List.of());
    }

    /** A controller that never detaches the probes named in {@code keepAttached}. */
    public BudgetController(ProbeSupervisor supervisor, double budget, List<String> keepAttached) {
        this.supervisor = supervisor;
        this.budget = budget;
        this.keepAttached = java.util.Set.copyOf(keepAttached);
    }

    /** Acts on one window's estimated CPU ratio per probe. */
    public synchronized void afterWindow(Map<String, Double> ratios) {
        double total = ratios.values().stream().mapToDouble(Double::doubleValue).sum();
        List<SampledProbe> sampled = sampledProbes();
        lastRatio = total;
        boolean over = total > budget;
        if (!over) {
            retryDetached(total);
        }
        try {
            step(ratios, total, sampled);
        } finally {
            // a probe on trial that stayed attached as long as its hold was is trusted again
            onTrial.entrySet().removeIf(e -> ++e.getValue().windowsAttached >= e.getValue().hold);
        }
    }

    private void step(Map<String, Double> ratios, double total, List<SampledProbe> sampled) {
        if (total > budget) {
            SampledProbe target = null;
            for (SampledProbe p : sampled) {
                if (p.sampleEvery() < MAX_SAMPLE_EVERY && p.samplingHelps() && (target == null
                        || ratios.getOrDefault(p.name(), 0.0) > ratios.getOrDefault(target.name(), 0.0))) {
                    target = p;
                }
            }
            if (target == null) {
                detachMostExpensive(ratios, total);
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

    /** Sampling is at its maximum and the cost still over the budget: detach the most expensive optional probe. */
    private void detachMostExpensive(Map<String, Double> ratios, double total) {
        String target = null;
        for (Map.Entry<String, Double> e : ratios.entrySet()) {
            if (e.getValue() > 0 && !keepAttached.contains(e.getKey())
                    && supervisor.state(e.getKey()) == ProbeSupervisor.State.UP
                    && (target == null || e.getValue() > ratios.get(target))) {
                target = e.getKey();
            }
        }
        if (target == null) {
            if (!exceededLogged) {
                exceededLogged = true;
                LOG.log(System.Logger.Level.WARNING, "event=budget_exceeded cpu_ratio={0} budget={1} reason=\"sampling "
                        + "at its maximum and no probe that may be detached\"", Double.toString(total),
                        Double.toString(budget));
            }
            return;
        }
        if (!supervisor.suspend(target)) {
            return;
        }
        OnTrial trial = onTrial.remove(target);
        Detached d = new Detached();
        d.hold = trial == null ? 1 : Math.min(MAX_HOLD_WINDOWS, trial.hold * 2);
        d.windowsLeft = d.hold;
        detached.put(target, d);
        actions.merge(List.of(target, "detach"), 1L, Long::sum);
        LOG.log(System.Logger.Level.WARNING, "event=budget_action probe={0} action=detach probe_cpu_ratio={1} "
                + "cpu_ratio={2} budget={3} retry_after_windows={4}", target, Double.toString(ratios.get(target)),
                Double.toString(total), Double.toString(budget), Integer.toString(d.hold));
    }

    /** Under the budget: a detached probe whose hold is over is attached again, on trial. */
    private void retryDetached(double total) {
        var it = detached.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Detached> e = it.next();
            if (--e.getValue().windowsLeft > 0) {
                continue;
            }
            try {
                supervisor.resume(e.getKey());
            } catch (RuntimeException failure) {
                LOG.log(System.Logger.Level.WARNING, "event=budget_action_failed probe={0} action=reattach "
                        + "reason=\"{1}\"", e.getKey(), failure.getMessage());
                e.getValue().windowsLeft = e.getValue().hold;
                continue;
            }
            it.remove();
            OnTrial trial = new OnTrial();
            trial.hold = e.getValue().hold;
            trial.windowsAttached = -1; // this window's figures were taken while it was detached
            onTrial.put(e.getKey(), trial);
            actions.merge(List.of(e.getKey(), "reattach"), 1L, Long::sum);
            exceededLogged = false;
            LOG.log(System.Logger.Level.INFO, "event=budget_action probe={0} action=reattach cpu_ratio={1} budget={2}",
                    e.getKey(), Double.toString(total), Double.toString(budget));
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
        actions.merge(List.of(probe.name(), action), 1L, Long::sum);
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

    /** The budget, the last total, each sampled probe's rate, the detached probes and the actions so far. */
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
            out.put("keep_attached", List.copyOf(keepAttached));
            Map<String, Object> off = new LinkedHashMap<>();
            detached.forEach((name, d) -> off.put(name, Map.of("retry_after_windows", d.windowsLeft, "hold_windows",
                    d.hold)));
            out.put("detached", off);
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
                + "overhead budget, per probe and action (sample_more, sample_less, detach, reattach).", null, "probe",
                "action");
        synchronized (this) {
            actions.forEach((k, v) -> acted.add(v, k.get(0), k.get(1)));
        }
        return MetricSnapshots.of(rate.snapshot(), acted.snapshot());
    }
}
