package io.sonde.agent.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class Cgroup2MountTest {
    private static final String PROC = "22 28 0:20 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw";
    private static final String V1_MEMORY = "35 31 0:31 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime "
            + "shared:16 - cgroup cgroup rw,memory";

    @Test
    void findsTheHybridMount() {
        List<String> lines = List.of(PROC, V1_MEMORY,
                "41 31 0:38 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw");
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/unified")), Cgroup2Mount.parse(lines));
    }

    @Test
    void findsTheUnifiedMountWithoutOptionalFields() {
        List<String> lines = List.of(PROC, "30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 "
                + "cgroup2 rw,nsdelegate,memory_recursiveprot");
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup")), Cgroup2Mount.parse(lines));
    }

    @Test
    void prefersTheWholeHierarchyToABindMountedSubtree() {
        List<String> lines = List.of(
                "50 24 0:26 /system.slice/app.service /run/app/cgroup rw - cgroup2 cgroup2 rw",
                "30 24 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw");
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup")), Cgroup2Mount.parse(lines));
        assertEquals(Optional.of(Path.of("/run/app/cgroup")), Cgroup2Mount.parse(lines.subList(0, 1)));
    }

    @Test
    void unescapesOctalInPaths() {
        List<String> lines = List.of("30 24 0:26 / /mnt/my\\040cgroups rw - cgroup2 none rw");
        assertEquals(Optional.of(Path.of("/mnt/my cgroups")), Cgroup2Mount.parse(lines));
        assertEquals("a\\b", Cgroup2Mount.unescape("a\\134b"));
        assertEquals("odd\\04", Cgroup2Mount.unescape("odd\\04"));
    }

    @Test
    void emptyWithoutCgroup2() {
        assertEquals(Optional.empty(), Cgroup2Mount.parse(List.of(PROC, V1_MEMORY, "garbage")));
    }

    @Test
    void findsThisHostsMount() {
        Optional<Path> mount = Cgroup2Mount.find();
        assumeTrue(mount.isPresent(), "no cgroup2 file system is mounted here");
        assertTrue(Files.exists(mount.get().resolve("cgroup.procs")), mount.get() + " is a cgroup2 root");
    }
}
