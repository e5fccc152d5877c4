package io.sonde.agent.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sonde.agent.KernelHost;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** A cgroup id opens its directory directly, and a removed cgroup's id says so. */
class CgroupHandleTest {
    @Test
    void resolvesNewCgroupsAtOnceAndKnowsRemovedOnes() throws Exception {
        Path mount = KernelHost.requireCgroup2();
        CgroupHandle handles = new CgroupHandle(mount);
        assertTrue(handles.available(), "root can open cgroups by handle");
        Path dir = KernelHost.newCgroup();
        long id = CgroupTree.directoryInode(dir);
        try {
            assertEquals(KernelHost.label(dir), handles.lookup(id));
            assertEquals("/", handles.lookup(CgroupTree.directoryInode(mount)));
        } finally {
            KernelHost.removeCgroup(dir);
        }
        assertEquals(CgroupHandle.GONE, handles.lookup(id), "the kernel says the removed cgroup's id is stale");
    }

    @Test
    void aPlainDirectoryIsNoCgroupMount() throws Exception {
        Path tmp = Files.createTempDirectory("sonde-not-cgroup");
        try {
            assertFalse(new CgroupHandle(tmp).available());
        } finally {
            Files.delete(tmp);
        }
    }
}
