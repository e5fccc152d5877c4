package io.sonde.agent.probe;

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.config.ConfigValueException;
import io.sonde.agent.enrich.Errno;
import io.sonde.agent.enrich.SyscallTable;
import io.sonde.agent.events.Event;
import io.sonde.agent.metrics.CounterFamily;
import io.sonde.agent.metrics.Log2Histogram;
import io.sonde.bpf.BpfMap;
import io.sonde.bpf.BpfObject;
import io.sonde.bpf.Program;
import io.sonde.bpf.ringbuf.RingRecord;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.LongPredicate;

/**
 * SyscallsProbe counts every system call per cgroup and syscall and failures per errno, from one BTF
 * tracepoint on sys_exit; with {@code probes.syscalls.latency} on, a pair of raw tracepoints
 * (sys_enter, sys_exit) also times each syscall into a log2 histogram, at about three times the cost
 * per call. Kernel side: syscalls.bpf.c and syscalls.h.
 *
 * <p>Map layouts (syscalls.h): {@code syscall_counts} and {@code syscall_errors} are per-CPU hashes
 * keyed by {cgroup_id u64, nr u32, pad-or-errno u32} with u64 counts; {@code pending} is a one-entry
 * per-CPU array of {@code struct syscall_pending}: each CPU's calls of the cgroup that last made one
 * there, not yet moved into {@code syscall_counts}; {@code syscall_latency} is a per-CPU array indexed
 * by syscall number of {slots u64[40], sum_ns u64}. A call's count is the hash's plus the pending
 * counts of every CPU ({@link #callTotals}).
 *
 * <p>Sampling ({@link SampledProbe}): the global {@code sample_every} = N makes the programs count one
 * call in N per CPU, each adding N, so that calls and errors in the maps are already the estimates; the
 * duration histogram holds the sampled calls only.
 *
 * <p>Slow-syscall events ({@link SlowSyscallEvent}, {@code slow_events}, off by default): a pair of BTF
 * tracepoint programs of their own ({@code slow_enter} stamps the entry in task storage, {@code slow_exit}
 * publishes calls slower than the global {@code slow_threshold_ns}; globals {@code slow_pid} and
 * {@code slow_cgroup} filter at entry) is loaded with the probe but attached
 * only while the events are on, so the default configuration pays nothing for them. Sampling does not
 * apply to them. Both settings change at run time ({@link TunableProbe}).
 *
 * <pre>{@code
 * syscalls.applySettings(new AgentConfig.Syscalls(16384, false, true, 5_000L)); // calls over 5 ms
 * }</pre>
 */
public final class SyscallsProbe extends BpfProbe implements SampledProbe, TunableProbe {
    private static final int EVENT_SIZE = 64;

    static final int SYSCALL_MAX = 1024;
    /** offsetof(struct syscall_pending, counts) */
    static final int PENDING_COUNTS = 144;
    /** offsetof(struct syscall_pending, seq) */
    static final int PENDING_SEQ = 140;

    private final SyscallTable table = SyscallTable.load();
    private Map<CallKey, Long> reported = new HashMap<>();
    private final SampleRate rate = new SampleRate();
    private volatile AgentConfig.Syscalls settings = new AgentConfig.Syscalls(null);
    private EventRing events;

    private final boolean counting;

    public SyscallsProbe() {
        this(true);
    }

    /** A probe without its counting program when {@code counting} is false: {@code sonde trace syscall}. */
    public SyscallsProbe(boolean counting) {
        super("syscalls", "/bpf/syscalls.bpf.o");
        this.counting = counting;
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
        object.program("sys_exit_count").setAutoload(!latency && counting);
        if (!latency) {
            object.map("syscall_latency").resize(1); // unused: do not pay for its memory
        }
        settings = context.config().probes().syscalls();
    }

    @Override
    protected void started(BpfObject object) {
        events = EventRing.start(name(), object.map("syscall_events"), context.events(), this::decode);
        write(settings, true);
    }

    private Event decode(RingRecord r) {
        return decode(r, context.attribution(), table);
    }

    /** Decodes one record (syscalls.h struct syscall_event); attribution fills cgroup and container. */
    public static Event decode(RingRecord r, Attribution a, SyscallTable table) {
        if (r.length() < EVENT_SIZE) {
            throw new IllegalArgumentException("syscall record of " + r.length() + " bytes, expected " + EVENT_SIZE);
        }
        long cgroupId = r.getLong(8);
        String cgroup = a.cgroupPath(cgroupId);
        int nr = r.getInt(24);
        long ret = r.getLong(32);
        return new SlowSyscallEvent(r.getLong(0), cgroupId, cgroup, a.container(cgroup), r.getInt(16), r.getInt(20),
                r.getString(48, 16), table.name(nr), nr, ret, ret < 0 && ret >= -Errno.MAX ? Errno.name((int) -ret)
                        : "", r.getLong(40));
    }

    @Override
    public Class<? extends Record> settingsType() {
        return AgentConfig.Syscalls.class;
    }

    @Override
    public AgentConfig.Syscalls settings() {
        return settings;
    }

    @Override
    public synchronized void applySettings(Record next) {
        AgentConfig.Syscalls s = (AgentConfig.Syscalls) next;
        if (!s.maxEntries().equals(settings.maxEntries())) {
            throw new ConfigValueException("max_entries", "is fixed when the probe loads (" + settings.maxEntries()
                    + "); restart the agent to change it");
        }
        if (!s.latency().equals(settings.latency())) {
            throw new ConfigValueException("latency", "chooses the programs loaded (now " + settings.latency()
                    + "); restart the agent to change it");
        }
        write(s, false);
    }

    private synchronized void write(AgentConfig.Syscalls s, boolean initial) {
        BpfObject o = object();
        if (o != null) {
            long cgroupId = s.slowCgroup().isEmpty() ? 0 : ProbeSettings.cgroupId("slow_cgroup", s.slowCgroup());
            o.setGlobal("slow_threshold_ns", s.slowThresholdUs() * 1000);
            o.setGlobal("slow_pid", s.slowPid());
            o.setGlobal("slow_cgroup", cgroupId);
            if (s.slowEvents()) {
                setAttached("slow_enter", true);
                setAttached("slow_exit", true);
            } else if (initial || settings.slowEvents()) {
                setAttached("slow_exit", false);
                setAttached("slow_enter", false);
            }
        }
        settings = s;
    }

    @Override
    protected void stopping() {
        if (events != null) {
            events.close();
        }
    }

    private boolean latency() {
        return context.config().probes().syscalls().latency();
    }

    @Override
    protected List<Attachment> attachments() {
        if (!counting) {
            return List.of();
        }
        if (!latency()) {
            return List.of(Attachment.of("sys_exit_count", Program::attach));
        }
        return List.of(Attachment.of("sys_enter", Program::attach), Attachment.of("sys_exit", Program::attach));
    }

    @Override
    public synchronized int sampleEvery() {
        return rate.get();
    }

    /** Writes the new rate; the programs weigh each counted call by it, so nothing is folded here. */
    @Override
    public synchronized void sampleEvery(int n) {
        rate.set(object(), n, old -> { });
    }

    /** One series of {@code sonde_syscalls_total}: a cgroup and a syscall number. */
    record CallKey(long cgroup, int nr) {
    }

    /**
     * The calls so far per cgroup and syscall: {@code syscall_counts}, then every CPU's pending counts,
     * added. A move from pending into the hash that races with this read is missed once (the program
     * zeroes the pending count before it adds it to the hash), never counted twice; so that no series
     * goes back, each is kept at least at what it was last read as. {@code pending} is read twice, and a
     * CPU's counts are taken from the first read only when its cgroup and {@code seq} are the same in
     * both: a move on that CPU during the first read (which could pair one cgroup's id with the next
     * one's counts) raises {@code seq} before anything else, so such a read is left out, and its counts
     * show at a later scrape.
     */
    private Map<CallKey, Long> callTotals() {
        BpfMap counts = map("syscall_counts");
        BpfMap pending = map("pending");
        Map<CallKey, Long> now = new HashMap<>();
        forEachCgroupEntry(counts, (cgroup, container, k, v) -> now.merge(new CallKey(k.getLong(0), k.getInt(8)),
                counts.sumPerCpu(v, 0), Long::sum));
        byte[] first = pending.lookup(BpfMap.intBytes(0));
        byte[] second = pending.lookup(BpfMap.intBytes(0));
        addPending(first, second, (pending.valueSize() + 7) & ~7, context.attribution()::cgroupGone, now);
        for (Map.Entry<CallKey, Long> e : now.entrySet()) {
            Long before = reported.get(e.getKey());
            if (before != null && before > e.getValue()) {
                e.setValue(before);
            }
        }
        reported = now;
        return now;
    }

    /**
     * Adds each CPU's pending counts, from {@code first}, to {@code out}: those of the CPUs whose cgroup
     * and {@code seq} are the same in {@code second}, a read made after it (see {@link #callTotals()}).
     * {@code stride} is the bytes of one CPU's value.
     */
    static void addPending(byte[] first, byte[] second, int stride, LongPredicate gone, Map<CallKey, Long> out) {
        if (first == null || second == null || second.length != first.length) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(first).order(ByteOrder.nativeOrder());
        ByteBuffer again = ByteBuffer.wrap(second).order(ByteOrder.nativeOrder());
        for (int cpu = 0; cpu + stride <= first.length; cpu += stride) {
            long cgroup = b.getLong(cpu);
            boolean moved = cgroup != again.getLong(cpu)
                    || b.getInt(cpu + PENDING_SEQ) != again.getInt(cpu + PENDING_SEQ);
            if (cgroup == 0 || moved || gone.test(cgroup)) {
                continue;
            }
            for (int nr = 0; nr < SYSCALL_MAX; nr++) {
                long c = b.getLong(cpu + PENDING_COUNTS + 8 * nr);
                if (c != 0) {
                    out.merge(new CallKey(cgroup, nr), c, Long::sum);
                }
            }
        }
    }

    /** Receives the count of one {cgroup, syscall} (errno 0) or {cgroup, syscall, errno} (errno > 0). */
    interface CallCount {
        void accept(String cgroup, String container, int nr, int errno, double count);
    }

    /** Whether the probe is loaded with a program that counts calls and errors (not the trace tool's shape). */
    boolean counts() {
        return counting && object() != null;
    }

    /**
     * Hands the calls (errno 0) and failures (errno > 0) of the syscalls that {@code numbers} picks to
     * {@code out}, scaled up under sampling like this probe's own series; false (nothing handed) when
     * the probe does not count. Other probes derive their figures from it (files: the open family).
     */
    synchronized boolean readCalls(java.util.function.IntPredicate numbers, CallCount out) {
        BpfMap counts = map("syscall_counts");
        BpfMap errors = map("syscall_errors");
        if (!counting || counts == null) {
            return false;
        }
        Attribution a = context.attribution();
        callTotals().forEach((key, count) -> {
            if (numbers.test(key.nr())) {
                String cgroup = a.cgroupPath(key.cgroup());
                out.accept(cgroup, a.container(cgroup), key.nr(), 0, count);
            }
        });
        forEachCgroupEntry(errors, (cgroup, container, k, v) -> {
            int nr = k.getInt(8);
            if (numbers.test(nr)) {
                out.accept(cgroup, container, nr, k.getInt(12), errors.sumPerCpu(v, 0));
            }
        });
        return true;
    }

    /** This architecture's number of each named syscall it has. */
    int[] numbers(String... names) {
        return java.util.Arrays.stream(names).map(table::number).filter(java.util.OptionalInt::isPresent)
                .mapToInt(java.util.OptionalInt::getAsInt).toArray();
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
            Attribution a = context.attribution();
            callTotals().forEach((key, count) -> {
                String cgroup = a.cgroupPath(key.cgroup());
                calls.add(count, cgroup, a.container(cgroup), table.name(key.nr()));
                seen.add(key.nr());
            });
            forEachCgroupEntry(errors, (cgroup, container, k, v) -> failed.add(errors.sumPerCpu(v, 0), cgroup,
                    container, table.name(k.getInt(8)), Errno.name(k.getInt(12))));
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
