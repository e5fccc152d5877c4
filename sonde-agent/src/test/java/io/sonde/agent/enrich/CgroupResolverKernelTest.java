package io.sonde.agent.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Resolves cgroups the test creates under the real cgroup2 mount, and checks the id against the
 * kernel's file handle of the directory and the path against the kernel's own account of a process
 * put into the cgroup ({@code /proc/<pid>/cgroup}).
 */
class CgroupResolverKernelTest {
    @Test
    void resolvesACgroupItCreatedAndPrunesItOnceRemoved() throws Throwable {
        Path mount = io.sonde.agent.KernelHost.requireCgroup2();
        byte[] random = new byte[6];
        ThreadLocalRandom.current().nextBytes(random);
        String name = "sonde-test-" + HexFormat.of().formatHex(random);
        Path dir = mount.resolve(name);
        Path leaf = dir.resolve("leaf");
        Process sleeper = null;
        try {
            Files.createDirectory(dir);
            Files.createDirectory(leaf);
            long id = CgroupTree.directoryInode(dir);
            long leafId = CgroupTree.directoryInode(leaf);
            assertTrue(leafId > id, "kernfs gives cgroup ids in increasing order, which gone() relies on");
            assertEquals(kernelCgroupId(leaf), leafId, "the inode number is the cgroup id");

            CgroupResolver cgroups = new CgroupResolver(mount, 10_000, Duration.ZERO);
            assertEquals("/" + name, cgroups.path(id));
            assertEquals("/" + name + "/leaf", cgroups.path(leafId));
            assertEquals("/", cgroups.path(CgroupTree.directoryInode(mount)));

            sleeper = new ProcessBuilder("sleep", "60").start();
            Files.writeString(leaf.resolve("cgroup.procs"), Long.toString(sleeper.pid()));
            assertEquals("/" + name + "/leaf", kernelCgroupPath(sleeper.pid()),
                    "the resolver's path is the kernel's path for a process in that cgroup");
            sleeper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

            removeCgroup(leaf);
            removeCgroup(dir);
            Set<Long> pruned = cgroups.prune();
            assertTrue(pruned.containsAll(Set.of(id, leafId)), "pruned " + pruned);
            assertEquals(CgroupResolver.UNKNOWN, cgroups.path(id));
            assertTrue(cgroups.gone(leafId));
            assertTrue(!cgroups.prune().contains(id), "pruned once");
        } finally {
            if (sleeper != null) {
                sleeper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            removeCgroup(leaf);
            removeCgroup(dir);
        }
    }

    /**
     * The cgroup id as the kernel hands it out in a file handle ({@code name_to_handle_at} on cgroupfs
     * carries the 64-bit kernfs id, the value {@code bpf_get_current_cgroup_id()} returns), as the
     * kernel's BPF selftests read it.
     */
    private static long kernelCgroupId(Path dir) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle nameToHandleAt = linker.downcallHandle(
                linker.defaultLookup().find("name_to_handle_at").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = arena.allocate(16, 8); // u32 handle_bytes, int handle_type, u8 f_handle[8]
            handle.set(JAVA_INT, 0, 8);
            MemorySegment mountId = arena.allocate(JAVA_INT);
            int rc = (int) nameToHandleAt.invokeExact(-100 /* AT_FDCWD */, arena.allocateFrom(dir.toString()), handle,
                    mountId, 0);
            assertEquals(0, rc, "name_to_handle_at " + dir);
            return handle.get(JAVA_LONG_UNALIGNED, 8);
        }
    }

    /** The cgroup v2 path of a process as the kernel writes it: the "0::" line of /proc/pid/cgroup. */
    private static String kernelCgroupPath(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            if (line.startsWith("0::")) {
                return line.substring(3);
            }
        }
        throw new AssertionError("no cgroup v2 line in /proc/" + pid + "/cgroup");
    }

    /** rmdir, retried while the last process of the cgroup is still being reaped (EBUSY). */
    private static void removeCgroup(Path dir) throws IOException, InterruptedException {
        for (int attempt = 0; Files.exists(dir); attempt++) {
            try {
                Files.delete(dir);
            } catch (IOException e) {
                if (attempt >= 100) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }
}
