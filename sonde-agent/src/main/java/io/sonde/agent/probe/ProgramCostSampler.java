package io.sonde.agent.probe;

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.metrics.CounterFamily;
import io.sonde.agent.metrics.GaugeFamily;
import io.sonde.bpf.BpfException;
import io.sonde.bpf.Kernel;
import io.sonde.bpf.ProgramInfo;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * ProgramCostSampler measures what the running probes' kernel programs cost. Once per period it
 * switches run-time statistics on for one short window ({@link Kernel#enableStats()}; closing the
 * window switches them off, as they slow every program), reads each program's run count and run time
 * at the window's start and end, and scales the growth to the period ({@link ProgramCost}). It serves
 * {@code sonde_program_runs_total}, {@code sonde_program_run_seconds_total} and
 * {@code sonde_probe_cpu_ratio}; and, read at each scrape, {@code sonde_program_recursion_misses_total}
 * (the kernel counts those whether statistics are on or not).
 *
 * <pre>{@code
 * ProgramCostSampler cost = new ProgramCostSampler(supervisor, config.overhead());
 * registry.register(cost);
 * supervisor.startAll();
 * cost.start();
 * ...
 * cost.close();        // before the probes close
 * }</pre>
 */
public final class ProgramCostSampler implements MultiCollector, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.sonde.agent.probe");

    private record Program(String probe, String name, int id) {}

    private final ProbeSupervisor supervisor;
    private final long windowNanos;
    private final long periodNanos;
    private final Map<List<String>, double[]> totals = new LinkedHashMap<>();
    private Map<String, Double> cpuRatios = Map.of();
    private ScheduledExecutorService executor;
    private volatile Consumer<Map<String, Double>> onWindow = ratios -> {};
    private volatile boolean inWindow;
    private volatile long windows;
    private boolean warned;

    public ProgramCostSampler(ProbeSupervisor supervisor, AgentConfig.Overhead overhead) {
        this.supervisor = supervisor;
        this.windowNanos = TimeUnit.SECONDS.toNanos(overhead.windowSeconds());
        this.periodNanos = TimeUnit.SECONDS.toNanos(overhead.periodSeconds());
    }

    /** Starts sampling: the first window opens now, then one per period. */
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sonde-program-cost");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleAtFixedRate(() -> {
            try {
                sampleOnce();
            } catch (RuntimeException e) { // a thrown exception would end the schedule
                LOG.log(System.Logger.Level.WARNING, "event=program_cost_failed reason=\"{0}\"", e.getMessage());
            }
        }, 0, periodNanos, TimeUnit.NANOSECONDS);
    }

    /** Sets what runs after each window with its estimated CPU ratio per probe (the budget controller). */
    public void onWindow(Consumer<Map<String, Double>> listener) {
        onWindow = listener;
    }

    /** Whether a statistics window is open now. */
    public boolean inWindow() {
        return inWindow;
    }

    /** The windows completed so far. */
    public long windows() {
        return windows;
    }

    /** One window: statistics on, read, wait, read, statistics off, then account. */
    void sampleOnce() {
        List<Program> programs = runningPrograms();
        if (programs.isEmpty()) {
            // nothing attached (every probe failed, or the budget detached them): a window that costs nothing,
            // still reported, so that the budget controller's holds run on
            synchronized (this) {
                cpuRatios = Map.of();
            }
            onWindow.accept(Map.of());
            synchronized (this) {
                windows++;
            }
            return;
        }
        Map<Integer, ProgramInfo> before;
        Map<Integer, ProgramInfo> after;
        long measured;
        try (Kernel.StatsWindow w = Kernel.enableStats()) {
            inWindow = true;
            before = read(programs);
            long t0 = System.nanoTime();
            TimeUnit.NANOSECONDS.sleep(windowNanos);
            after = read(programs);
            measured = System.nanoTime() - t0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (BpfException e) {
            if (!warned) {
                warned = true;
                LOG.log(System.Logger.Level.WARNING, "event=program_cost_unavailable reason=\"{0}\"",
                        e.getMessage());
            }
            return;
        } finally {
            inWindow = false;
        }
        Map<String, Double> ratios = account(programs, before, after, measured, Kernel.onlineCpus().size());
        onWindow.accept(ratios);
        synchronized (this) {
            windows++; // after the listener, so a caller that sees the window also sees what it caused
        }
    }

    private synchronized Map<String, Double> account(List<Program> programs, Map<Integer, ProgramInfo> before,
            Map<Integer, ProgramInfo> after, long measured, int cpus) {
        Map<String, Long> probeNs = new LinkedHashMap<>();
        for (Program p : programs) {
            ProgramInfo b = before.get(p.id());
            ProgramInfo a = after.get(p.id());
            if (b == null || a == null) {
                continue; // the program went away inside the window
            }
            ProgramCost c = ProgramCost.between(p.probe(), p.name(), b.runCount(), b.runTimeNs(), a.runCount(),
                    a.runTimeNs());
            double[] t = totals.computeIfAbsent(List.of(p.probe(), p.name()), k -> new double[2]);
            t[0] += c.scaledRuns(measured, periodNanos);
            t[1] += c.scaledSeconds(measured, periodNanos);
            probeNs.merge(p.probe(), c.runNs(), Long::sum);
        }
        Map<String, Double> ratios = new LinkedHashMap<>();
        probeNs.forEach((probe, ns) -> ratios.put(probe, ProgramCost.cpuRatio(ns, measured, cpus)));
        cpuRatios = ratios;
        return ratios;
    }

    private List<Program> runningPrograms() {
        List<Program> out = new ArrayList<>();
        supervisor.up().forEach((name, up) -> {
            Probe probe = up ? supervisor.running(name) : null;
            if (probe == null) {
                return;
            }
            for (Map<String, Object> p : probe.programs()) {
                if (p.get("id") instanceof Integer id && p.get("name") instanceof String program) {
                    out.add(new Program(name, program, id));
                }
            }
        });
        return out;
    }

    private static Map<Integer, ProgramInfo> read(List<Program> programs) {
        Map<Integer, ProgramInfo> out = new HashMap<>();
        for (Program p : programs) {
            int fd = Kernel.programFdById(p.id());
            if (fd < 0) {
                continue;
            }
            try {
                out.put(p.id(), ProgramInfo.of(fd));
            } catch (BpfException e) {
                // gone between the open and the read
            } finally {
                Kernel.closeFd(fd);
            }
        }
        return out;
    }

    /** The last window's estimates per probe, and the sampling settings, for /api/probes. */
    public synchronized Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("window_seconds", windowNanos / 1e9);
        out.put("period_seconds", periodNanos / 1e9);
        out.put("windows", windows);
        out.put("probe_cpu_ratio", new LinkedHashMap<>(cpuRatios));
        return out;
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, Boolean> up = supervisor.up();
        Map<String, Map<String, Long>> misses = new LinkedHashMap<>();
        up.forEach((name, isUp) -> {
            Probe probe = isUp ? supervisor.running(name) : null;
            if (probe != null) {
                misses.put(name, probe.recursionMisses());
            }
        });
        synchronized (this) {
            return collect(up, misses);
        }
    }

    private MetricSnapshots collect(Map<String, Boolean> up, Map<String, Map<String, Long>> recursionMisses) {
        CounterFamily runs = new CounterFamily("sonde_program_runs", "Runs of each kernel program, estimated from "
                + "short run-time statistics windows scaled to the sampling period.", null, "probe", "program");
        CounterFamily seconds = new CounterFamily("sonde_program_run_seconds", "Time spent in each kernel program, "
                + "estimated from short run-time statistics windows scaled to the sampling period.", null, "probe",
                "program");
        totals.forEach((k, t) -> {
            if (Boolean.TRUE.equals(up.get(k.get(0)))) {
                runs.add(t[0], k.get(0), k.get(1));
                seconds.add(t[1], k.get(0), k.get(1));
            }
        });
        GaugeFamily ratio = new GaugeFamily("sonde_probe_cpu_ratio", "Fraction of the machine's CPU (all online "
                + "CPUs) the probe's kernel programs took in the last statistics window.", null, "probe");
        cpuRatios.forEach((probe, r) -> {
            if (Boolean.TRUE.equals(up.get(probe))) {
                ratio.set(r, probe);
            }
        });
        CounterFamily misses = new CounterFamily("sonde_program_recursion_misses", "Runs of each kernel program "
                + "that the kernel skipped because a program was already running on that CPU (a nested event, in an "
                + "interrupt or a preemption): what they would have counted is missing. Counted by the kernel, "
                + "always on.", null, "probe", "program");
        recursionMisses.forEach((probe, programs) -> programs.forEach((program, n) -> misses.add(n, probe, program)));
        return MetricSnapshots.of(runs.snapshot(), seconds.snapshot(), ratio.snapshot(), misses.snapshot());
    }

    /** Stops sampling and waits for an open window to close, so statistics are off when this returns. */
    @Override
    public void close() {
        ScheduledExecutorService e;
        synchronized (this) {
            e = executor;
            executor = null;
        }
        if (e == null) {
            return;
        }
        e.shutdownNow();
        try {
            if (!e.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "event=program_cost_stop_timeout");
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }
}
