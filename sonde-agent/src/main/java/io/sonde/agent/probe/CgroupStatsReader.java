package io.sonde.agent.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * CgroupStatsReader reads one cgroup's figures from its cgroup v2 directory, and from the cgroup v1
 * directory of the same relative path under each v1 controller's mount where the v2 files are
 * absent (a hybrid host binds cpu, cpuacct, memory and blkio to v1; then only the core v2 files,
 * cpu.stat's usage and the pressure files, exist).
 *
 * <p>Each figure falls back on its own: v2 cpu.stat gives usage_usec without the cpu controller,
 * but nr_periods only with it, so usage may come from v2 and throttling from v1. Memory comes
 * wholly from one side (v2 memory.current present or not), and so does I/O (v2 io.stat or v1
 * blkio.throttle.*_recursive, which like io.stat counts the cgroup's descendants too).
 *
 * <pre>{@code
 * CgroupStatsReader reader = new CgroupStatsReader(Cgroup2Mount.find().get(), Cgroup1Mounts.find());
 * CgroupStats s = reader.read("/system.slice/nginx.service");   // null once the cgroup is gone
 * }</pre>
 */
final class CgroupStatsReader {
    private static final String[] PRESSURE = {"cpu", "memory", "io"};

    private final Path mount;
    private final Map<String, Path> v1;

    /**
     * @param mount the cgroup v2 mount
     * @param v1 the cgroup v1 mount of each controller (empty on a unified host)
     */
    CgroupStatsReader(Path mount, Map<String, Path> v1) {
        this.mount = mount;
        this.v1 = v1;
    }

    /** The figures of the cgroup at this path (relative to the v2 mount), or null when it no longer exists. */
    CgroupStats read(String path) {
        Path dir = under(mount, path);
        if (!Files.isDirectory(dir)) {
            return null;
        }
        // CPU: usage from v2 cpu.stat (a core file) or v1 cpuacct; throttling from v2 cpu.stat or v1 cpu.stat
        Map<String, Long> cpu = CgroupFiles.keyed(text(dir, "cpu.stat"));
        double usage = micros(cpu, "usage_usec");
        double user = micros(cpu, "user_usec");
        double system = micros(cpu, "system_usec");
        if (Double.isNaN(usage)) {
            Path cpuacct = v1dir("cpuacct", path);
            usage = nanos(CgroupFiles.single(text(cpuacct, "cpuacct.usage")));
            user = nanos(CgroupFiles.single(text(cpuacct, "cpuacct.usage_user")));
            system = nanos(CgroupFiles.single(text(cpuacct, "cpuacct.usage_sys")));
        }
        double periods;
        double throttledPeriods;
        double throttledSeconds;
        if (cpu.containsKey("nr_periods")) {
            periods = cpu.get("nr_periods");
            throttledPeriods = count(cpu, "nr_throttled");
            throttledSeconds = micros(cpu, "throttled_usec");
        } else {
            Map<String, Long> cpu1 = CgroupFiles.keyed(text(v1dir("cpu", path), "cpu.stat"));
            periods = count(cpu1, "nr_periods");
            throttledPeriods = count(cpu1, "nr_throttled");
            throttledSeconds = cpu1.containsKey("throttled_time") ? cpu1.get("throttled_time") / 1e9 : Double.NaN;
        }

        // memory: all from v2 when memory.current exists, else all from v1
        double memory;
        double limit;
        Map<String, Long> stat;
        String inactive;
        String anon;
        String file;
        String current = text(dir, "memory.current");
        if (current != null) {
            memory = bytes(CgroupFiles.single(current));
            limit = CgroupFiles.limit(text(dir, "memory.max"));
            stat = CgroupFiles.keyed(text(dir, "memory.stat"));
            inactive = "inactive_file";
            anon = "anon";
            file = "file";
        } else {
            Path m = v1dir("memory", path);
            memory = bytes(CgroupFiles.single(text(m, "memory.usage_in_bytes")));
            limit = CgroupFiles.limit(text(m, "memory.limit_in_bytes"));
            stat = CgroupFiles.keyed(text(m, "memory.stat"));
            inactive = "total_inactive_file";
            anon = "total_rss";
            file = "total_cache";
        }
        double workingSet = Double.isNaN(memory) || !stat.containsKey(inactive) ? Double.NaN
                : Math.max(0, memory - stat.get(inactive));

        // I/O: v2 io.stat, else v1 blkio (recursive files where the kernel has them)
        String ioStat = text(dir, "io.stat");
        List<CgroupFiles.DeviceIo> io;
        if (ioStat != null) {
            io = CgroupFiles.ioStat(ioStat);
        } else {
            Path b = v1dir("blkio", path);
            io = CgroupFiles.blkio(firstOf(b, "blkio.throttle.io_service_bytes_recursive",
                    "blkio.throttle.io_service_bytes"), firstOf(b, "blkio.throttle.io_serviced_recursive",
                    "blkio.throttle.io_serviced"));
        }

        List<CgroupStats.Stall> stalls = new ArrayList<>();
        for (String resource : PRESSURE) {
            CgroupFiles.pressure(text(dir, resource + ".pressure"))
                    .forEach((kind, us) -> stalls.add(new CgroupStats.Stall(resource, kind, us / 1e6)));
        }
        return new CgroupStats(usage, user, system, periods, throttledPeriods, throttledSeconds, memory, workingSet,
                limit, count(stat, anon), count(stat, file), io, stalls);
    }

    /** The v1 directory of a controller for this path, or null when that controller has no v1 mount or no such cgroup. */
    private Path v1dir(String controller, String path) {
        Path root = v1.get(controller);
        if (root == null) {
            return null;
        }
        Path dir = under(root, path);
        return Files.isDirectory(dir) ? dir : null;
    }

    private static Path under(Path root, String path) {
        String rel = path.startsWith("/") ? path.substring(1) : path;
        return rel.isEmpty() ? root : root.resolve(rel);
    }

    /** The text of a file in dir, or null when dir is null or the file is absent or unreadable. */
    private static String text(Path dir, String name) {
        if (dir == null) {
            return null;
        }
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String firstOf(Path dir, String... names) {
        for (String n : names) {
            String t = text(dir, n);
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    private static double micros(Map<String, Long> m, String key) {
        Long v = m.get(key);
        return v == null ? Double.NaN : v / 1e6;
    }

    private static double count(Map<String, Long> m, String key) {
        Long v = m.get(key);
        return v == null ? Double.NaN : v;
    }

    private static double nanos(long v) {
        return v < 0 ? Double.NaN : v / 1e9;
    }

    private static double bytes(long v) {
        return v < 0 ? Double.NaN : v;
    }
}
