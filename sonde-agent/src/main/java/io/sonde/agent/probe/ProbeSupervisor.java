package io.sonde.agent.probe;

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.metrics.SelfMetrics;

import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ProbeSupervisor starts every enabled probe on its own: a probe that fails is recorded with its
 * reason (logged once, shown in /api/probes, {@code sonde_probe_up} 0) and the others keep running.
 *
 * <pre>{@code
 * ProbeSupervisor supervisor = new ProbeSupervisor(probes, context, registry);
 * supervisor.startAll();
 * boolean ready = supervisor.ready();
 * supervisor.close();
 * }</pre>
 */
public final class ProbeSupervisor implements SelfMetrics.ProbeStates, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.sonde.agent.probe");

    /** The states a probe goes through; SUSPENDED: detached by the overhead budget, maps kept. */
    public enum State { PENDING, UP, SUSPENDED, FAILED, STOPPED }

    private record Entry(Probe probe, State state, String reason) {}

    private final ProbeContext context;
    private final PrometheusRegistry registry;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private volatile boolean ready;

    public ProbeSupervisor(List<Probe> probes, ProbeContext context, PrometheusRegistry registry) {
        this.context = context;
        this.registry = registry;
        for (Probe p : probes) {
            entries.put(p.name(), new Entry(p, State.PENDING, null));
        }
    }

    /** Starts each probe in turn; failures are recorded, never thrown. */
    public void startAll() {
        for (String name : List.copyOf(entries.keySet())) {
            Probe probe = entries.get(name).probe();
            long t0 = System.nanoTime();
            try {
                probe.start(context);
                registry.register(probe.metrics());
                set(name, new Entry(probe, State.UP, null));
                LOG.log(System.Logger.Level.INFO, "event=probe_up probe={0} ms={1}", name,
                        (System.nanoTime() - t0) / 1_000_000);
            } catch (Exception | LinkageError e) {
                String reason = e.getMessage() == null ? e.toString() : e.getMessage();
                probe.close();
                set(name, new Entry(probe, State.FAILED, reason));
                LOG.log(System.Logger.Level.WARNING, "event=probe_failed probe={0} reason=\"{1}\"", name,
                        firstLine(reason));
            }
        }
        ready = true;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).replace('"', '\'');
    }

    private synchronized void set(String name, Entry e) {
        entries.put(name, e);
    }

    /** True once every enabled probe has attached or failed. */
    public boolean ready() {
        return ready;
    }

    @Override
    public synchronized Map<String, Boolean> up() {
        Map<String, Boolean> out = new LinkedHashMap<>();
        entries.forEach((n, e) -> out.put(n, e.state() == State.UP));
        return out;
    }

    @Override
    public Map<String, Long> eventsLost() {
        return perRunningProbe(Probe::eventsLost);
    }

    @Override
    public Map<String, Long> insertFailures() {
        return perRunningProbe(Probe::insertFailures);
    }

    private synchronized Map<String, Long> perRunningProbe(java.util.function.ToLongFunction<Probe> figure) {
        Map<String, Long> out = new LinkedHashMap<>();
        entries.forEach((n, e) -> {
            if (e.state() == State.UP || e.state() == State.SUSPENDED) {
                out.put(n, figure.applyAsLong(e.probe()));
            }
        });
        return out;
    }

    /** The running probe of a name, or null. */
    public synchronized Probe running(String name) {
        Entry e = entries.get(name);
        return e != null && e.state() == State.UP ? e.probe() : null;
    }

    /** The probe's state, or null for a name not enabled. */
    public synchronized State state(String name) {
        Entry e = entries.get(name);
        return e == null ? null : e.state();
    }

    /**
     * Detaches a running probe's programs, keeping its maps and metrics; returns false when the probe
     * is not running or cannot be suspended.
     */
    public synchronized boolean suspend(String name) {
        Entry e = entries.get(name);
        if (e == null || e.state() != State.UP || !e.probe().suspend()) {
            return false;
        }
        entries.put(name, new Entry(e.probe(), State.SUSPENDED, "detached by the overhead budget"));
        return true;
    }

    /** Attaches a suspended probe's programs again; a failure leaves it suspended and is thrown. */
    public synchronized void resume(String name) {
        Entry e = entries.get(name);
        if (e == null || e.state() != State.SUSPENDED) {
            return;
        }
        e.probe().resume();
        entries.put(name, new Entry(e.probe(), State.UP, null));
    }

    /** Each probe's state for /api/probes. */
    public synchronized List<Map<String, Object>> describe() {
        List<Map<String, Object>> out = new ArrayList<>();
        entries.forEach((name, e) -> {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", name);
            p.put("description", e.probe().description());
            p.put("state", e.state().name().toLowerCase());
            p.put("attached", e.state() == State.UP);
            if (e.reason() != null) {
                p.put("reason", e.reason());
            }
            boolean loaded = e.state() == State.UP || e.state() == State.SUSPENDED;
            p.put("settings", loaded && e.probe() instanceof TunableProbe t ? AgentConfig.settingsMap(t.settings())
                    : context.config().settingsOf(name));
            p.put("events_lost", loaded ? e.probe().eventsLost() : 0);
            p.put("programs", e.probe().programs());
            p.put("maps", e.probe().maps());
            out.add(p);
        });
        return out;
    }

    /**
     * Changes the run-time settings of a running probe by the fields of a JSON object; returns the
     * settings now in force. Throws ConfigValueException naming the bad field, NoSuchElementException
     * when no such probe runs, UnsupportedOperationException when the probe has no run-time settings.
     */
    public Map<String, Object> changeSettings(String name, String body) {
        Probe p;
        synchronized (this) {
            Entry e = entries.get(name);
            if (e == null || e.state() != State.UP) {
                throw new java.util.NoSuchElementException(e == null ? "no probe \"" + name + "\"; the probes are "
                        + entries.keySet() : "probe " + name + " is not running (" + e.state().name().toLowerCase()
                        + ")");
            }
            p = e.probe();
        }
        if (!(p instanceof TunableProbe t)) {
            throw new UnsupportedOperationException("probe " + name + " has no run-time settings");
        }
        synchronized (t) {
            t.applySettings(ProbeSettings.merge(t, body));
            LOG.log(System.Logger.Level.INFO, "event=settings_changed probe={0} settings=\"{1}\"", name,
                    AgentConfig.settingsMap(t.settings()).toString().replace('"', '\''));
            return AgentConfig.settingsMap(t.settings());
        }
    }

    /**
     * Applies a reloaded configuration's run-time settings to every running tunable probe (SIGHUP).
     * Each probe is applied on its own: one probe's bad value is logged and leaves the others changed.
     * Returns the probes whose settings could not be applied, with the reason.
     */
    public Map<String, String> reload(AgentConfig config) {
        Map<String, String> failed = new LinkedHashMap<>();
        for (String name : up().keySet()) {
            Probe p = running(name);
            Record next = config.settingsRecord(name);
            if (p instanceof TunableProbe t && next != null) {
                try {
                    synchronized (t) {
                        t.applySettings(next);
                    }
                } catch (RuntimeException e) {
                    String key = e instanceof io.sonde.agent.config.ConfigValueException v ? "probes." + name + "."
                            + v.key() + ": " : "";
                    failed.put(name, key + e.getMessage());
                }
            }
        }
        return failed;
    }

    /** Detaches and frees every probe. */
    @Override
    public synchronized void close() {
        entries.forEach((name, e) -> {
            if (e.state() == State.UP || e.state() == State.SUSPENDED) {
                registry.unregister(e.probe().metrics());
            }
            e.probe().close();
            entries.put(name, new Entry(e.probe(), State.STOPPED, e.reason()));
        });
    }
}
