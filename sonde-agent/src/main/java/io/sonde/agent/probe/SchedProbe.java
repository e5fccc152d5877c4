package io.sonde.agent.probe;

import io.sonde.agent.metrics.CounterFamily;
import io.sonde.agent.metrics.Log2Histogram;
import io.sonde.bpf.BpfException;
import io.sonde.bpf.BpfMap;
import io.sonde.bpf.BpfObject;
import io.sonde.bpf.Program;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * SchedProbe measures, per cgroup, how long runnable tasks wait for a CPU (run-queue latency: from
 * wakeup, or from being preempted while runnable, to running again), how much CPU time they use, and
 * how often they are switched out, voluntarily (they blocked) or not. Kernel side: sched.bpf.c and
 * sched.h, on sched_wakeup, sched_wakeup_new and sched_switch: BTF tracepoints where the kernel takes
 * them, raw tracepoints otherwise (the same object carries both variants; one is loaded).
 *
 * <p>CPU time is the growth of each task's {@code se.sum_exec_runtime}, charged to its cgroup when it
 * is switched out: exactly what the kernel charges to the cgroup's {@code cpu.stat usage_usec}. The
 * runtime of tasks still running is added at scrape time, and so are the charges and run-queue waits
 * each CPU holds pending for the cgroup that ran or waited there last ({@link SchedCpuTime}).
 *
 * <p>Map layouts (sched.h): {@code cgroup_cpu}, per-CPU hash by cgroup id of {cpu_ns, voluntary,
 * involuntary} u64; {@code runq_latency}, per-CPU hash by cgroup id of {slots u64[40], sum_ns u64};
 * {@code running}, per-CPU array of one {seq, cgroup_id, charged, since u64, pid u32, npending u32,
 * pending_cgroup u64, pending {cpu_ns, voluntary, involuntary} u64, wait_cgroup u64, nwaits u32, pad u32,
 * pending_waits {slots u64[40], sum_ns u64}}.
 *
 * <p>Sampling ({@link SampledProbe}): with {@code sample_every} = N the programs time one wait in N per
 * CPU (the others skip the clock read at wakeup); the histogram's buckets and sum are scaled back up by
 * N ({@link SampledCounts}). CPU time and context switches are always counted in full.
 */
public final class SchedProbe extends BpfProbe implements SampledProbe {
    /** The hooks a variant of the probe uses; the suffix names its programs in sched.bpf.c. */
    public enum Hooks {
        BTF_TRACEPOINTS("_btf", "BTF tracepoints"),
        RAW_TRACEPOINTS("_raw", "raw tracepoints");

        private final String suffix;
        private final String description;

        Hooks(String suffix, String description) {
            this.suffix = suffix;
            this.description = description;
        }
    }

    private static final System.Logger LOG = System.getLogger("io.sonde.agent.probe.sched");
    private static final String[] PROGRAMS = {"wakeup", "wakeup_new", "switch"};

    private final Hooks forced;
    private volatile Hooks hooks;
    private final SchedCpuTime cpuTime = new SchedCpuTime();
    private final SampledCounts sampledWaits = new SampledCounts();
    private final SampleRate rate = new SampleRate();

    /** The probe on BTF tracepoints where the kernel takes them, else on raw tracepoints. */
    public SchedProbe() {
        this(null);
    }

    /** The probe on the given hooks only (tests use it to run the fallback). */
    SchedProbe(Hooks forced) {
        super("sched", "/bpf/sched.bpf.o");
        this.forced = forced;
    }

    @Override
    public String description() {
        Hooks h = hooks;
        return "run-queue latency, CPU time and context switches per cgroup (" + (h == null
                ? "BTF tracepoints, or raw tracepoints where those fail," : h.description)
                + " sched_wakeup, sched_wakeup_new, sched_switch)";
    }

    /** The hooks in use, or null before start. */
    public Hooks hooks() {
        return hooks;
    }

    /**
     * Starts on BTF tracepoints, falling back to raw tracepoints when those fail to load or attach. By
     * trying, not by libbpf's probe of the tracing program type: that asks for fentry, which a kernel
     * may refuse while it takes BTF tracepoints (ours does).
     */
    @Override
    public void start(ProbeContext ctx) {
        List<Hooks> candidates = forced != null ? List.of(forced) : List.of(Hooks.values());
        BpfException failure = null;
        for (Hooks h : candidates) {
            hooks = h;
            try {
                super.start(ctx);
                return;
            } catch (BpfException e) {
                failure = e;
                LOG.log(System.Logger.Level.INFO, "event=probe_variant_failed probe=sched hooks=\"{0}\" reason=\"{1}\"",
                        h.description, String.valueOf(e.getMessage()).lines().findFirst().orElse("")
                                .replace('"', '\''));
            }
        }
        throw failure;
    }

    @Override
    protected void configure(BpfObject object) {
        for (Hooks h : Hooks.values()) {
            for (String p : PROGRAMS) {
                object.program(p + h.suffix).setAutoload(h == hooks);
            }
        }
        if (hooks == Hooks.BTF_TRACEPOINTS) {
            object.map("tasks_by_tid").resize(1); // unused: what the probe keeps on tasks is in task storage
        }
    }

    @Override
    protected List<Attachment> attachments() {
        return Arrays.stream(PROGRAMS).map(p -> Attachment.of(p + hooks.suffix, Program::attach)).toList();
    }

    @Override
    public MultiCollector metrics() {
        return this::collect;
    }

    @Override
    public synchronized int sampleEvery() {
        return rate.get();
    }

    /** Folds the waits timed so far under the old rate into the estimates, then writes the new rate. */
    @Override
    public synchronized void sampleEvery(int n) {
        rate.set(object(), n, old -> {
            SchedCpuTime.Totals totals = totals();
            List<Map.Entry<byte[], long[]>> raws = new ArrayList<>();
            if (totals != null) {
                totals.waits().forEach((cgroupId, w) -> raws.add(Map.entry(BpfMap.longBytes(cgroupId), w)));
            }
            sampledWaits.rebase(raws, old);
        });
    }

    /**
     * What the maps and the CPUs' running slots hold now, per cgroup (the slots read before and after
     * both maps, see {@link SchedCpuTime}); removed cgroups' entries are deleted. Null before the load.
     */
    private SchedCpuTime.Totals totals() {
        BpfMap cpuMap = map("cgroup_cpu");
        BpfMap runq = map("runq_latency");
        BpfMap running = map("running");
        if (cpuMap == null || runq == null || running == null) {
            return null;
        }
        Attribution attribution = context.attribution();
        try {
            byte[] before = cpuTime.slots(running);
            Map<Long, long[]> charged = perCgroup(cpuMap, attribution, v -> new long[] {cpuMap.sumPerCpu(v, 0),
                cpuMap.sumPerCpu(v, 8), cpuMap.sumPerCpu(v, 16)});
            Map<Long, long[]> waits = perCgroup(runq, attribution, Log2Histogram::sumPerCpu);
            return cpuTime.current(running, before, charged, waits, attribution::cgroupGone);
        } catch (RuntimeException e) {
            context.self().mapError("cgroup_cpu", "read");
            return null;
        }
    }

    /** A map keyed by cgroup id, each value summed over the CPUs by {@code sums}; removed cgroups' entries deleted. */
    private static Map<Long, long[]> perCgroup(BpfMap map, Attribution attribution, Function<byte[], long[]> sums) {
        Map<Long, long[]> out = new LinkedHashMap<>();
        for (BpfMap.Entry e : map.entries()) {
            long cgroupId = BpfMap.longAt(e.key(), 0);
            if (attribution.cgroupGone(cgroupId)) {
                map.delete(e.key());
            } else {
                out.put(cgroupId, sums.apply(e.value()));
            }
        }
        return out;
    }

    private synchronized MetricSnapshots collect() {
        CounterFamily cpu = new CounterFamily("sonde_cpu_seconds", "CPU time used by the tasks of a cgroup "
                + "(sched_switch; the runtime of running tasks added at scrape time).", context.budget(), "cgroup",
                "container");
        CounterFamily switches = new CounterFamily("sonde_context_switches", "Tasks of a cgroup switched out, "
                + "voluntary (blocked) or involuntary (still runnable) (sched_switch).", context.budget(), "cgroup",
                "container", "kind");
        Log2Histogram latency = new Log2Histogram("sonde_runqueue_latency_seconds", "Time tasks of a cgroup spent "
                + "runnable before running: from wakeup or preemption to being switched in (sched_wakeup, "
                + "sched_wakeup_new, sched_switch).", context.budget(), "cgroup", "container");
        SchedCpuTime.Totals totals = totals();
        if (totals != null) {
            Attribution attribution = context.attribution();
            totals.charges().forEach((cgroupId, v) -> {
                String cgroup = attribution.cgroupPath(cgroupId);
                String container = attribution.container(cgroup);
                cpu.add(v[0] / 1e9, cgroup, container);
                switches.add(v[1], cgroup, container, "voluntary");
                switches.add(v[2], cgroup, container, "involuntary");
            });
            totals.waits().forEach((cgroupId, raws) -> {
                String cgroup = attribution.cgroupPath(cgroupId);
                latency.addSums(sampledWaits.estimates(BpfMap.longBytes(cgroupId), raws, rate.get()), cgroup,
                        attribution.container(cgroup));
            });
        }
        return MetricSnapshots.of(cpu.snapshot(), switches.snapshot(), latency.snapshot());
    }
}
