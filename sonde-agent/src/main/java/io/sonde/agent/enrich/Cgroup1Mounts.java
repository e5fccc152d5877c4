package io.sonde.agent.enrich;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cgroup1Mounts finds where each cgroup v1 controller is mounted, from {@code /proc/self/mountinfo}:
 * on a hybrid host {@code cpu} at {@code /sys/fs/cgroup/cpu} (or {@code /sys/fs/cgroup/cpu,cpuacct}
 * when two controllers share one hierarchy), {@code memory} at {@code /sys/fs/cgroup/memory}. A
 * controller belongs to a v1 mount when its name is one of the mount's super options. Named
 * hierarchies without a controller ({@code name=systemd}) are left out.
 *
 * <p>As for {@link Cgroup2Mount}, a mount that shows its whole hierarchy (mount root {@code /})
 * wins over a bind mount of a subtree.
 *
 * <pre>{@code
 * Path memory = Cgroup1Mounts.find().get("memory");      // null on a unified host
 * Path usage = memory.resolve("system.slice/nginx.service/memory.usage_in_bytes");
 * }</pre>
 */
public final class Cgroup1Mounts {
    /** The controllers cgroup v1 knows; the other super options of a cgroup mount are mount flags. */
    private static final Set<String> CONTROLLERS = Set.of("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer",
            "net_cls", "net_prio", "blkio", "perf_event", "hugetlb", "pids", "rdma", "misc");

    private Cgroup1Mounts() {}

    /**
     * Find returns the mount point of every cgroup v1 controller this process sees, by controller
     * name; empty on a host without cgroup v1.
     *
     * @throws UncheckedIOException when {@code /proc/self/mountinfo} cannot be read
     */
    public static Map<String, Path> find() {
        try {
            return parse(Files.readAllLines(Cgroup2Mount.MOUNTINFO));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + Cgroup2Mount.MOUNTINFO, e);
        }
    }

    /** Parse reads the cgroup v1 controller mounts from the lines of a mountinfo file, as {@link #find()} does. */
    public static Map<String, Path> parse(List<String> mountinfo) {
        Map<String, Path> mounts = new HashMap<>();
        Set<String> whole = new HashSet<>();
        for (MountInfo m : MountInfo.parse(mountinfo)) {
            if (!m.fstype().equals("cgroup")) {
                continue;
            }
            for (String option : m.superOptions().split(",")) {
                if (!CONTROLLERS.contains(option)) {
                    continue; // rw, noprefix, name=systemd, ...
                }
                if (!mounts.containsKey(option) || m.wholeHierarchy() && !whole.contains(option)) {
                    mounts.put(option, m.mountPoint());
                    if (m.wholeHierarchy()) {
                        whole.add(option);
                    }
                }
            }
        }
        return Map.copyOf(mounts);
    }
}
