package io.sonde.agent.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the resolver over a directory tree that stands in for a cgroup hierarchy: the resolver only
 * needs directories and their inode numbers, so this works without root. The kernel-side test is
 * {@link CgroupResolverKernelTest}.
 */
class CgroupResolverTest {
    @TempDir
    Path root;

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private CgroupResolver resolver(int capacity) {
        return new CgroupResolver(root, capacity, Duration.ofMillis(500), now::get);
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    private long mkdir(String rel) throws IOException {
        Path dir = Files.createDirectories(root.resolve(rel));
        Files.writeString(dir.resolve("cgroup.procs"), ""); // files beside the directories are skipped
        return CgroupTree.directoryInode(dir);
    }

    private void rmdir(String rel) throws IOException {
        Files.deleteIfExists(root.resolve(rel).resolve("cgroup.procs"));
        Files.delete(root.resolve(rel));
    }

    @BeforeEach
    void tree() throws IOException {
        mkdir("system.slice/nginx.service");
        mkdir("system.slice/docker-abc.scope");
        mkdir("user.slice");
    }

    @Test
    void resolvesPathsRelativeToTheMount() throws IOException {
        CgroupResolver r = resolver(100);
        assertEquals("/", r.path(CgroupTree.directoryInode(root)));
        assertEquals("/system.slice/nginx.service", r.path(CgroupTree.directoryInode(root.resolve("system.slice/nginx.service"))));
        assertEquals("/user.slice", r.path(CgroupTree.directoryInode(root.resolve("user.slice"))));
        assertEquals(1, r.scans(), "one scan caches the whole tree");
        assertEquals(5, r.size());
    }

    @Test
    void scanListsDirectoriesOnly() {
        CgroupTree.Scan scan = CgroupTree.scan(root);
        assertTrue(scan.complete());
        assertEquals(Set.of("/", "/system.slice", "/system.slice/nginx.service", "/system.slice/docker-abc.scope",
                "/user.slice"), Set.copyOf(scan.cgroups().values()));
        assertEquals(new CgroupTree.Scan(Map.of(), false), CgroupTree.scan(root.resolve("missing")));
    }

    @Test
    void unknownIdsRescanAtMostOncePerInterval() throws IOException {
        CgroupResolver r = resolver(100);
        long unknown = Long.MAX_VALUE - 7;
        assertEquals(CgroupResolver.UNKNOWN, r.path(unknown));
        for (int i = 0; i < 1000; i++) {
            assertEquals(CgroupResolver.UNKNOWN, r.path(unknown - i));
        }
        assertEquals(1, r.scans(), "a flood of unknown ids within the interval walks the tree once");

        long created = mkdir("system.slice/late.service");
        advance(Duration.ofMillis(499));
        assertEquals(CgroupResolver.UNKNOWN, r.path(created), "within the interval the new cgroup is not seen yet");
        advance(Duration.ofMillis(1));
        assertEquals("/system.slice/late.service", r.path(created));
        assertEquals(2, r.scans());
    }

    @Test
    void pruneForgetsRemovedCgroupsAndKeepsRenamedOnes() throws IOException {
        CgroupResolver r = resolver(100);
        long nginx = CgroupTree.directoryInode(root.resolve("system.slice/nginx.service"));
        long docker = CgroupTree.directoryInode(root.resolve("system.slice/docker-abc.scope"));
        long user = CgroupTree.directoryInode(root.resolve("user.slice"));
        assertEquals("/system.slice/nginx.service", r.path(nginx));
        assertEquals(Set.of(), r.prune(), "nothing removed, nothing pruned");

        rmdir("system.slice/docker-abc.scope");
        rmdir("user.slice");
        Files.move(root.resolve("system.slice/nginx.service"), root.resolve("system.slice/nginx-2.service"));

        assertEquals(Set.of(docker, user), r.prune());
        assertEquals(CgroupResolver.UNKNOWN, r.path(docker));
        assertEquals("/system.slice/nginx-2.service", r.path(nginx), "a renamed cgroup keeps its id");
    }

    @Test
    void goneIsSureOrSaysNo() throws IOException {
        CgroupResolver r = resolver(100);
        long docker = CgroupTree.directoryInode(root.resolve("system.slice/docker-abc.scope"));
        long nginx = CgroupTree.directoryInode(root.resolve("system.slice/nginx.service"));
        assertEquals("/system.slice/nginx.service", r.path(nginx));
        assertFalse(r.gone(nginx), "a live cached cgroup costs one stat and is not gone");
        assertEquals(1, r.scans());

        rmdir("system.slice/docker-abc.scope");
        advance(Duration.ofSeconds(1));
        assertTrue(r.gone(docker), "absent from a scan that began after it was seen");
        assertEquals(CgroupResolver.UNKNOWN, r.path(docker));
        assertFalse(r.gone(nginx));
        assertFalse(r.gone(Long.MAX_VALUE - 1), "an id newer than every scan may be a cgroup created since");
    }

    @Test
    void aWalkThatCannotReadTheMountRemovesNothing() throws IOException {
        Path mount = Files.createDirectory(root.resolve("mount"));
        long a = CgroupTree.directoryInode(Files.createDirectory(mount.resolve("a")));
        CgroupResolver r = new CgroupResolver(mount, 100, Duration.ZERO, now::get);
        assertEquals("/a", r.path(a));
        r.path(-5); // a second walk, so that a's id is below the fence
        Files.move(mount, root.resolve("mount-moved")); // the mount point disappears under the resolver
        assertEquals(Set.of(), r.prune(), "an unreadable hierarchy is no proof of removal");
        assertFalse(r.gone(a));
        assertEquals("/a", r.path(a), "the cached path stays");
    }

    @Test
    void aSmallCacheStillAnswersCorrectly() throws IOException {
        List<Long> ids = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(mkdir("many/c" + i));
            paths.add("/many/c" + i);
        }
        CgroupResolver r = new CgroupResolver(root, 4, Duration.ZERO, now::get);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < ids.size(); i++) {
                assertEquals(paths.get(i), r.path(ids.get(i)));
            }
        }
        assertEquals(4, r.size());
    }

    @Test
    void concurrentLookupsAgree() throws Exception {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ids.add(mkdir("kubepods/pod" + i));
        }
        CgroupResolver r = new CgroupResolver(root, 1000, Duration.ofSeconds(30));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int offset = t;
                results.add(pool.submit(() -> {
                    int wrong = 0;
                    for (int i = 0; i < 10_000; i++) {
                        int k = (i * 7 + offset) % ids.size();
                        if (!r.path(ids.get(k)).equals("/kubepods/pod" + k)) {
                            wrong++;
                        }
                        r.path(-1 - i); // unknown ids mixed in
                    }
                    return wrong;
                }));
            }
            for (Future<Integer> f : results) {
                assertEquals(0, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, r.scans(), "misses that wait for a running scan reuse it");
    }
}
