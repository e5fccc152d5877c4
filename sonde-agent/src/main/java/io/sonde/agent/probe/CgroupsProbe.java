package io.sonde.agent.probe;

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.enrich.BlockDeviceNames;
import io.sonde.agent.enrich.Cgroup1Mounts;
import io.sonde.agent.enrich.Cgroup2Mount;
import io.sonde.agent.metrics.CounterFamily;
import io.sonde.agent.metrics.GaugeFamily;
import io.sonde.agent.metrics.SeriesBudget;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * CgroupsProbe serves the resource figures the kernel keeps per cgroup, read from the cgroup files at
 * scrape time (no BPF): CPU usage and throttling, memory in use, working set and limit, I/O per
 * device, and pressure stall times, for every container's cgroup and the cgroups the
 * {@code probes.cgroups.include} patterns select (by default the top-level systemd services). On a
 * hybrid host the figures of controllers bound to cgroup v1 come from the v1 directory of the same
 * path ({@link CgroupStatsReader}); which cgroups are read is decided by {@link CgroupSelection}.
 *
 * <p>A memory limit of "max" (no limit of the cgroup's own) has no series, so that
 * {@code usage / limit} has none either rather than 0 or a division by infinity.
 */
public final class CgroupsProbe implements Probe {
    /** How long one walk of the hierarchy serves scrapes. */
    static final Duration WALK_TTL = Duration.ofSeconds(5);
    private static final String[] LABELS = {"cgroup", "container"};

    private ProbeContext context;
    private volatile CgroupSelection selection;
    private CgroupStatsReader reader;
    private final BlockDeviceNames devices = new BlockDeviceNames();

    @Override
    public String name() {
        return "cgroups";
    }

    @Override
    public String description() {
        return "CPU, throttling, memory, I/O and pressure stall figures of container cgroups (and the included "
                + "host cgroups), read from cgroup v2 files at scrape time, and from cgroup v1 files where a v2 "
                + "controller is absent (no BPF)";
    }

    @Override
    public void start(ProbeContext ctx) {
        Path mount = Cgroup2Mount.find().orElseThrow(() -> new IllegalStateException(
                "no cgroup2 file system in /proc/self/mountinfo: the cgroups probe walks the cgroup v2 hierarchy"));
        AgentConfig.Cgroups settings = ctx.config().probes().cgroups();
        this.context = ctx;
        this.reader = new CgroupStatsReader(mount, Cgroup1Mounts.find());
        this.selection = new CgroupSelection(mount, settings.include(), settings.maxCgroups(), WALK_TTL.toNanos(),
                System::nanoTime);
    }

    @Override
    public MultiCollector metrics() {
        return this::collect;
    }

    @Override
    public List<Map<String, Object>> programs() {
        return List.of();
    }

    @Override
    public List<Map<String, Object>> maps() {
        return List.of();
    }

    @Override
    public void close() {
        selection = null;
    }

    private MetricSnapshots collect() {
        SeriesBudget budget = context == null ? null : context.budget();
        CounterFamily usage = counter("sonde_container_cpu_usage_seconds", "CPU time used (cpu.stat usage_usec; v1 "
                + "cpuacct.usage).", budget);
        CounterFamily user = counter("sonde_container_cpu_user_seconds", "CPU time in user mode (cpu.stat "
                + "user_usec; v1 cpuacct.usage_user).", budget);
        CounterFamily system = counter("sonde_container_cpu_system_seconds", "CPU time in kernel mode (cpu.stat "
                + "system_usec; v1 cpuacct.usage_sys).", budget);
        CounterFamily periods = counter("sonde_container_cpu_periods", "CPU bandwidth periods elapsed while a "
                + "quota was set (cpu.stat nr_periods).", budget);
        CounterFamily throttledPeriods = counter("sonde_container_cpu_throttled_periods", "CPU bandwidth periods "
                + "in which the cgroup was throttled (cpu.stat nr_throttled).", budget);
        CounterFamily throttled = counter("sonde_container_cpu_throttled_seconds", "Time the cgroup was throttled "
                + "(cpu.stat throttled_usec; v1 throttled_time).", budget);
        GaugeFamily memory = gauge("sonde_container_memory_usage_bytes", "Memory in use (memory.current; v1 "
                + "memory.usage_in_bytes).", budget);
        GaugeFamily workingSet = gauge("sonde_container_memory_working_set_bytes", "Memory in use less inactive "
                + "file pages (memory.stat inactive_file; v1 total_inactive_file).", budget);
        GaugeFamily limit = gauge("sonde_container_memory_limit_bytes", "The cgroup's memory limit (memory.max; v1 "
                + "memory.limit_in_bytes); no series when it has none.", budget);
        GaugeFamily anon = gauge("sonde_container_memory_anon_bytes", "Anonymous memory (memory.stat anon; v1 "
                + "total_rss).", budget);
        GaugeFamily file = gauge("sonde_container_memory_file_bytes", "Page cache (memory.stat file; v1 "
                + "total_cache).", budget);
        CounterFamily ioBytes = counter("sonde_container_io_bytes", "Bytes transferred per block device and "
                + "direction (io.stat; v1 blkio.throttle.io_service_bytes_recursive).", budget, "device", "direction");
        CounterFamily ioOps = counter("sonde_container_io_operations", "I/O operations per block device and "
                + "direction (io.stat; v1 blkio.throttle.io_serviced_recursive).", budget, "device", "direction");
        CounterFamily stalled = counter("sonde_container_pressure_stalled_seconds", "Time tasks stalled for want "
                + "of a resource (cpu.pressure, memory.pressure, io.pressure total=).", budget, "resource", "kind");
        GaugeFamily read = new GaugeFamily("sonde_container_cgroups", "Cgroups the cgroups probe reads (the "
                + "containers' and the included ones).", null);
        GaugeFamily skipped = new GaugeFamily("sonde_container_cgroups_skipped", "Cgroups the last walk of the "
                + "hierarchy left out because it reached probes.cgroups.max_cgroups (at least).", null);
        CgroupSelection s = selection;
        if (s != null) {
            CgroupSelection.Walk walk = s.current();
            int n = 0;
            for (String cgroup : walk.selected()) {
                CgroupStats st = reader.read(cgroup);
                if (st == null) {
                    continue;
                }
                n++;
                String container = context.attribution().container(cgroup);
                add(usage, st.cpuUsage(), cgroup, container);
                add(user, st.cpuUser(), cgroup, container);
                add(system, st.cpuSystem(), cgroup, container);
                add(periods, st.periods(), cgroup, container);
                add(throttledPeriods, st.throttledPeriods(), cgroup, container);
                add(throttled, st.throttledSeconds(), cgroup, container);
                set(memory, st.memoryUsage(), cgroup, container);
                set(workingSet, st.workingSet(), cgroup, container);
                set(limit, st.memoryLimit(), cgroup, container);
                set(anon, st.anon(), cgroup, container);
                set(file, st.file(), cgroup, container);
                for (CgroupFiles.DeviceIo d : st.io()) {
                    String device = deviceName(d.device());
                    addIo(ioBytes, d.readBytes(), cgroup, container, device, "read");
                    addIo(ioBytes, d.writeBytes(), cgroup, container, device, "write");
                    addIo(ioBytes, d.discardBytes(), cgroup, container, device, "discard");
                    addIo(ioOps, d.reads(), cgroup, container, device, "read");
                    addIo(ioOps, d.writes(), cgroup, container, device, "write");
                    addIo(ioOps, d.discards(), cgroup, container, device, "discard");
                }
                for (CgroupStats.Stall stall : st.stalls()) {
                    stalled.add(stall.seconds(), cgroup, container, stall.resource(), stall.kind());
                }
            }
            read.set(n);
            skipped.set(walk.skipped());
        }
        return MetricSnapshots.of(usage.snapshot(), user.snapshot(), system.snapshot(), periods.snapshot(),
                throttledPeriods.snapshot(), throttled.snapshot(), memory.snapshot(), workingSet.snapshot(),
                limit.snapshot(), anon.snapshot(), file.snapshot(), ioBytes.snapshot(), ioOps.snapshot(),
                stalled.snapshot(), read.snapshot(), skipped.snapshot());
    }

    /** The kernel's name of the disk major:minor ({@code vda}), or major:minor when it has none. */
    private String deviceName(String majorMinor) {
        int colon = majorMinor.indexOf(':');
        try {
            int major = Integer.parseInt(majorMinor.substring(0, colon));
            int minor = Integer.parseInt(majorMinor.substring(colon + 1));
            if (major < 4096 && minor < (1 << 20)) {
                return devices.name(major << 20 | minor);
            }
        } catch (RuntimeException e) {
            // CgroupFiles only passes digits:digits; a number past int stays as it is
        }
        return majorMinor;
    }

    private static CounterFamily counter(String name, String help, SeriesBudget budget,
            String... extra) {
        return new CounterFamily(name, help, budget, labels(extra));
    }

    private static GaugeFamily gauge(String name, String help, SeriesBudget budget) {
        return new GaugeFamily(name, help, budget, LABELS);
    }

    private static String[] labels(String... extra) {
        String[] out = new String[LABELS.length + extra.length];
        System.arraycopy(LABELS, 0, out, 0, LABELS.length);
        System.arraycopy(extra, 0, out, LABELS.length, extra.length);
        return out;
    }

    /** Adds a counter value unless no file gave it. */
    private static void add(CounterFamily f, double v, String... labels) {
        if (!Double.isNaN(v)) {
            f.add(v, labels);
        }
    }

    /** Sets a gauge unless no file gave it or it is no limit (+Inf). */
    private static void set(GaugeFamily f, double v, String... labels) {
        if (Double.isFinite(v)) {
            f.set(v, labels);
        }
    }

    private static void addIo(CounterFamily f, long v, String cgroup, String container, String device,
            String direction) {
        if (v >= 0) {
            f.add(v, cgroup, container, device, direction);
        }
    }
}
