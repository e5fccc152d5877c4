package io.sonde.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sonde.agent.probe.CgroupFiles.DeviceIo;
import io.sonde.agent.probe.CgroupStats.Stall;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One cgroup's figures from a unified host's files, and from a hybrid host's v2 and v1 files. */
class CgroupStatsReaderTest {
    @TempDir
    Path root;

    private static void write(Path dir, String name, String text) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name), text);
    }

    @Test
    void unifiedHost() throws IOException {
        Path v2 = root.resolve("unified");
        Path cg = v2.resolve("system.slice/nginx.service");
        write(cg, "cpu.stat", "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\nnr_periods 40\n"
                + "nr_throttled 10\nthrottled_usec 750000\n");
        write(cg, "memory.current", "1048576\n");
        write(cg, "memory.max", "max\n");
        write(cg, "memory.stat", "anon 524288\nfile 262144\ninactive_file 65536\n");
        write(cg, "io.stat", "254:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n");
        write(cg, "cpu.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=1500\n"
                + "full avg10=0.00 avg60=0.00 avg300=0.00 total=500\n");
        write(cg, "memory.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=7\n"
                + "full avg10=0.00 avg60=0.00 avg300=0.00 total=3\n");
        CgroupStats s = new CgroupStatsReader(v2, Map.of()).read("/system.slice/nginx.service");
        assertEquals(2.5, s.cpuUsage());
        assertEquals(2.0, s.cpuUser());
        assertEquals(0.5, s.cpuSystem());
        assertEquals(40, s.periods());
        assertEquals(10, s.throttledPeriods());
        assertEquals(0.75, s.throttledSeconds());
        assertEquals(1048576, s.memoryUsage());
        assertEquals(1048576 - 65536, s.workingSet());
        assertEquals(Double.POSITIVE_INFINITY, s.memoryLimit());
        assertEquals(524288, s.anon());
        assertEquals(262144, s.file());
        assertEquals(List.of(new DeviceIo("254:0", 4096, 8192, 0, 1, 2, 0)), s.io());
        assertEquals(List.of(new Stall("cpu", "some", 0.0015), new Stall("cpu", "full", 0.0005),
                new Stall("memory", "some", 7e-6), new Stall("memory", "full", 3e-6)), s.stalls());
    }

    @Test
    void hybridHostReadsV1WhereV2IsAbsent() throws IOException {
        Path v2 = root.resolve("unified");
        write(v2.resolve("svc"), "cpu.stat", "usage_usec 1000\nuser_usec 600\nsystem_usec 400\nnice_usec 0\n");
        write(v2.resolve("svc"), "io.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=42\n"
                + "full avg10=0.00 avg60=0.00 avg300=0.00 total=21\n");
        Path cpu = root.resolve("cpu");
        Path cpuacct = root.resolve("cpuacct");
        Path memory = root.resolve("memory");
        Path blkio = root.resolve("blkio");
        write(cpu.resolve("svc"), "cpu.stat", "nr_periods 5\nnr_throttled 2\nthrottled_time 3000000\nnr_bursts 0\n"
                + "burst_time 0\n");
        write(cpuacct.resolve("svc"), "cpuacct.usage", "999999999\n"); // v2 usage wins
        write(memory.resolve("svc"), "memory.usage_in_bytes", "2097152\n");
        write(memory.resolve("svc"), "memory.limit_in_bytes", "268435456\n");
        write(memory.resolve("svc"), "memory.stat", "cache 1\nrss 2\ninactive_file 3\ntotal_cache 131072\n"
                + "total_rss 1048576\ntotal_inactive_file 4194304\n");
        write(blkio.resolve("svc"), "blkio.throttle.io_service_bytes_recursive", "254:0 Read 4096\n254:0 Write 0\n"
                + "254:0 Discard 0\nTotal 4096\n");
        write(blkio.resolve("svc"), "blkio.throttle.io_serviced_recursive", "254:0 Read 1\n254:0 Write 0\n"
                + "254:0 Discard 0\nTotal 1\n");
        write(blkio.resolve("svc"), "blkio.throttle.io_service_bytes", "254:0 Read 1\n"); // the recursive file wins
        CgroupStats s = new CgroupStatsReader(v2, Map.of("cpu", cpu, "cpuacct", cpuacct, "memory", memory,
                "blkio", blkio)).read("/svc");
        assertEquals(0.001, s.cpuUsage());
        assertEquals(0.0006, s.cpuUser());
        assertEquals(5, s.periods());
        assertEquals(2, s.throttledPeriods());
        assertEquals(0.003, s.throttledSeconds());
        assertEquals(2097152, s.memoryUsage());
        assertEquals(0, s.workingSet(), "more inactive file pages than usage: clamped as cAdvisor does");
        assertEquals(268435456, s.memoryLimit());
        assertEquals(1048576, s.anon());
        assertEquals(131072, s.file());
        assertEquals(List.of(new DeviceIo("254:0", 4096, 0, 0, 1, 0, 0)), s.io());
        assertEquals(List.of(new Stall("io", "some", 42e-6), new Stall("io", "full", 21e-6)), s.stalls());
    }

    @Test
    void cpuacctWhenV2HasNoCpuStatAndNothingWhereNoFileSaysAnything() throws IOException {
        Path v2 = root.resolve("unified");
        Files.createDirectories(v2.resolve("bare"));
        Path cpuacct = root.resolve("cpu,cpuacct");
        write(cpuacct.resolve("bare"), "cpuacct.usage", "1500000000\n");
        write(cpuacct.resolve("bare"), "cpuacct.usage_user", "1000000000\n");
        write(cpuacct.resolve("bare"), "cpuacct.usage_sys", "500000000\n");
        CgroupStats s = new CgroupStatsReader(v2, Map.of("cpu", cpuacct, "cpuacct", cpuacct)).read("/bare");
        assertEquals(1.5, s.cpuUsage());
        assertEquals(1.0, s.cpuUser());
        assertEquals(0.5, s.cpuSystem());
        for (double absent : new double[] {s.periods(), s.throttledPeriods(), s.throttledSeconds(), s.memoryUsage(),
                s.workingSet(), s.memoryLimit(), s.anon(), s.file()}) {
            assertTrue(Double.isNaN(absent));
        }
        assertEquals(List.of(), s.io());
        assertEquals(List.of(), s.stalls());
    }

    @Test
    void aRemovedCgroupReadsAsNull() {
        assertNull(new CgroupStatsReader(root, Map.of()).read("/gone"));
    }
}
