package io.sonde.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which cgroups the cgroups probe reads: containers once each, included paths, a bounded, cached walk. */
class CgroupSelectionTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);

    @TempDir
    Path mount;

    private void mkdirs(String... paths) throws IOException {
        for (String p : paths) {
            Files.createDirectories(mount.resolve(p.substring(1)));
        }
        Files.writeString(mount.resolve("cgroup.procs"), ""); // files are not cgroups
    }

    @Test
    void containersOnceEachAndIncludedServices() throws IOException {
        mkdirs("/system.slice/docker-" + A + ".scope/init.scope", "/system.slice/nginx.service",
                "/system.slice/dbus.socket", "/user.slice/user-0.slice/session-1.scope",
                "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/cri-containerd-" + B
                        + ".scope",
                "/system.slice/libpod-conmon-" + A + ".scope");
        CgroupSelection s = new CgroupSelection(mount, List.of("/system.slice/*.service"), 1000, 0, System::nanoTime);
        CgroupSelection.Walk w = s.walk();
        assertEquals(List.of("/system.slice/docker-" + A + ".scope", "/system.slice/nginx.service",
                "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/cri-containerd-" + B
                        + ".scope").stream().sorted().toList(), w.selected().stream().sorted().toList());
        assertEquals(0, w.skipped());
    }

    @Test
    void nestedContainersAreEachSelected() throws IOException {
        mkdirs("/system.slice/docker-" + A + ".scope/kubepods/besteffort/pod1/" + B);
        List<String> selected = new CgroupSelection(mount, List.of(), 1000, 0, System::nanoTime).walk().selected();
        assertEquals(List.of("/system.slice/docker-" + A + ".scope", "/system.slice/docker-" + A
                + ".scope/kubepods/besteffort/pod1/" + B), selected);
    }

    @Test
    void globs() {
        assertTrue(CgroupSelection.glob("/system.slice/*.service").matcher("/system.slice/nginx.service").matches());
        assertFalse(CgroupSelection.glob("/system.slice/*.service").matcher("/system.slice/a/b.service").matches());
        assertFalse(CgroupSelection.glob("/system.slice/*.service").matcher("/system.slice/nginx.socket").matches());
        assertTrue(CgroupSelection.glob("/kube/**").matcher("/kube/a/b/c").matches());
        assertFalse(CgroupSelection.glob("/kube/**").matcher("/kube").matches());
        assertTrue(CgroupSelection.glob("/sonde-test-??").matcher("/sonde-test-ab").matches());
        assertTrue(CgroupSelection.glob("/a.b(c)[d]").matcher("/a.b(c)[d]").matches(), "no regex leaks through");
        assertFalse(CgroupSelection.glob("/a.b").matcher("/axb").matches());
        assertTrue(CgroupSelection.glob("/").matcher("/").matches());
    }

    @Test
    void theWalkStopsAtItsCapAndCountsWhatItSkipped() throws IOException {
        for (int i = 0; i < 10; i++) {
            mkdirs("/s" + i + "/child");
        }
        CgroupSelection.Walk w = new CgroupSelection(mount, List.of("/**"), 5, 0, System::nanoTime).walk();
        assertEquals(5, w.selected().size(), "the root and 4 of its children are visited");
        assertEquals(10, w.skipped(), "seen but not visited: 6 children of the root, the 4 visited ones' children");
        CgroupSelection.Walk all = new CgroupSelection(mount, List.of("/**"), 1000, 0, System::nanoTime).walk();
        assertEquals(21, all.selected().size());
        assertEquals(0, all.skipped());
    }

    @Test
    void aWalkServesUntilItsTimeToLiveRunsOut() throws IOException {
        mkdirs("/one.service");
        AtomicLong now = new AtomicLong();
        CgroupSelection s = new CgroupSelection(mount, List.of("/*.service"), 1000, 100, now::get);
        CgroupSelection.Walk first = s.current();
        mkdirs("/two.service");
        now.set(99);
        assertSame(first, s.current());
        now.set(100);
        assertEquals(List.of("/one.service", "/two.service"), s.current().selected().stream().sorted().toList());
    }
}
