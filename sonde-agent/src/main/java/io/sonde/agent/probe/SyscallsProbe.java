package io.sonde.agent.probe;

import io.sonde.agent.enrich.Errno;
import io.sonde.agent.enrich.SyscallTable;
import io.sonde.agent.metrics.CounterFamily;
import io.sonde.agent.metrics.Log2Histogram;
import io.sonde.bpf.BpfMap;
import io.sonde.bpf.BpfObject;
import io.sonde.bpf.Program;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.List;
import java.util.TreeSet;

/**
 * SyscallsProbe counts every system call per cgroup and syscall and failures per errno, from one BTF
 * tracepoint on sys_exit; with {@code probes.syscalls.latency} on, a pair of raw tracepoints
 * (sys_enter, sys_exit) also times each syscall into a log2 histogram, at about three times the cost
 * per call. Kernel side: syscalls.bpf.c and syscalls.h.
 *
 * <p>Map layouts (syscalls.h): {@code syscall_counts} and {@code syscall_errors} are per-CPU hashes
 * keyed by {cgroup_id u64, nr u32, pad-or-errno u32} with u64 counts; {@code syscall_latency} is a
 * per-CPU array indexed by syscall number of {slots u64[40], sum_ns u64}.
 *
 * <p>Sampling ({@link SampledProbe}): the global {@code sample_every} = N makes the programs count one
 * call in N per CPU; calls and errors are then scaled back up by N ({@link SampledCounts}), while the
 * duration histogram holds the sampled calls only.
 */
public final class SyscallsProbe extends BpfProbe implements SampledProbe {
    private final SyscallTable table = SyscallTable.load();
    private final SampledCounts sampledCalls = new SampledCounts();
    private final SampledCounts sampledErrors = new SampledCounts();
    private int sampleEvery = 1;

    public SyscallsProbe() {
        super("syscalls", "/bpf/syscalls.bpf.o");
    }

    @Override
    public String description() {
        return "system calls per cgroup and syscall, errors per errno (BTF tracepoint sys_exit); with latency on, "
                + "duration per syscall (raw tracepoints sys_enter, sys_exit)";
    }

    @Override
    protected void configure(BpfObject object) {
        int max = context.config().probes().syscalls().maxEntries();
        object.map("syscall_counts").resize(max);
        object.map("syscall_errors").resize(max);
        boolean latency = latency();
        object.program("sys_enter").setAutoload(latency);
        object.program("sys_exit").setAutoload(latency);
        object.program("sys_exit_count").setAutoload(!latency);
        if (!latency) {
            object.map("syscall_latency").resize(1); // unused: do not pay for its memory
        }
    }

    private boolean latency() {
        return context.config().probes().syscalls().latency();
    }

    @Override
    protected List<Attachment> attachments() {
        if (!latency()) {
            return List.of(Attachment.of("sys_exit_count", Program::attach));
        }
        return List.of(Attachment.of("sys_enter", Program::attach), Attachment.of("sys_exit", Program::attach));
    }

    @Override
    public synchronized int sampleEvery() {
        return sampleEvery;
    }

    /** Folds the counts so far under the old rate into the estimates, then writes the new rate. */
    @Override
    public synchronized void sampleEvery(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("sample rate must be at least 1, got " + n);
        }
        BpfObject o = object();
        if (o == null || n == sampleEvery) {
            return;
        }
        sampledCalls.rebase(o.map("syscall_counts"), sampleEvery);
        sampledErrors.rebase(o.map("syscall_errors"), sampleEvery);
        o.setGlobal("sample_every", n);
        sampleEvery = n;
    }

    @Override
    public MultiCollector metrics() {
        return this::collect;
    }

    private synchronized MetricSnapshots collect() {
        BpfMap counts = map("syscall_counts");
        BpfMap errors = map("syscall_errors");
        BpfMap latency = map("syscall_latency");
        CounterFamily calls = new CounterFamily("sonde_syscalls", "System calls made, per cgroup and syscall "
                + "(BTF tracepoint sys_exit; with latency on, raw tracepoint sys_enter).", context.budget(), "cgroup",
                "container", "syscall");
        CounterFamily failed = new CounterFamily("sonde_syscall_errors", "System calls that returned an error, per "
                + "cgroup, syscall and errno (raw tracepoint sys_exit).", context.budget(), "cgroup", "container",
                "syscall", "errno");
        Log2Histogram duration = new Log2Histogram("sonde_syscall_duration_seconds", "Time from syscall entry to "
                + "exit, per syscall (raw tracepoints sys_enter and sys_exit).", context.budget(), "syscall");
        if (counts == null) {
            return MetricSnapshots.of(calls.snapshot(), failed.snapshot(), duration.snapshot());
        }
        TreeSet<Integer> seen = new TreeSet<>();
        try {
            forEachCgroupEntry(counts, (cgroup, container, k, v) -> {
                calls.add(sampledCalls.estimate(k.array(), counts.sumPerCpu(v, 0), sampleEvery), cgroup, container,
                        table.name(k.getInt(8)));
                seen.add(k.getInt(8));
            });
            forEachCgroupEntry(errors, (cgroup, container, k, v) -> failed.add(sampledErrors.estimate(k.array(),
                    errors.sumPerCpu(v, 0), sampleEvery), cgroup, container, table.name(k.getInt(8)),
                    Errno.name(k.getInt(12))));
            for (int nr : latency() ? seen : java.util.Set.<Integer>of()) {
                byte[] value = latency.lookup(BpfMap.intBytes(nr));
                if (value == null) {
                    continue;
                }
                duration.addSums(Log2Histogram.sumPerCpu(value), table.name(nr));
            }
        } catch (RuntimeException e) {
            context.self().mapError("syscall_counts", "read");
        }
        return MetricSnapshots.of(calls.snapshot(), failed.snapshot(), duration.snapshot());
    }
}
