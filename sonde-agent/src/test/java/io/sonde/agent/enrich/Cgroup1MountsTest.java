package io.sonde.agent.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Where each cgroup v1 controller is mounted, from mountinfo lines. */
class Cgroup1MountsTest {
    @Test
    void hybridHostWithSeparateAndSharedHierarchies() {
        List<String> lines = List.of(
                "22 28 0:20 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw",
                "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup "
                        + "rw,cpu,cpuacct",
                "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
                "38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio",
                "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd",
                "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw");
        assertEquals(Map.of("cpu", Path.of("/sys/fs/cgroup/cpu,cpuacct"), "cpuacct", Path.of("/sys/fs/cgroup/cpu,cpuacct"),
                "memory", Path.of("/sys/fs/cgroup/memory"), "blkio", Path.of("/sys/fs/cgroup/blkio")),
                Cgroup1Mounts.parse(lines));
    }

    @Test
    void unifiedHostHasNone() {
        assertEquals(Map.of(), Cgroup1Mounts.parse(List.of(
                "30 24 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot")));
    }

    @Test
    void prefersTheWholeHierarchyAndUnescapes() {
        List<String> lines = List.of(
                "50 24 0:32 /docker/abc /run/x\\040y rw - cgroup cgroup rw,memory",
                "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory",
                "60 24 0:32 /sub /elsewhere rw - cgroup cgroup rw,memory",
                "malformed line",
                "61 24 0:33 / /mnt/pids rw - cgroup");
        assertEquals(Map.of("memory", Path.of("/sys/fs/cgroup/memory")), Cgroup1Mounts.parse(lines));
        assertEquals(Map.of("memory", Path.of("/run/x y")), Cgroup1Mounts.parse(lines.subList(0, 1)));
    }
}
