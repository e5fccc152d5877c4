package io.sonde.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sonde.agent.probe.CgroupFiles.DeviceIo;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The cgroup file formats, as the kernel writes them and broken: bad lines are skipped, never fatal. */
class CgroupFilesTest {
    @Test
    void cpuStatV2WithAndWithoutTheCpuController() {
        Map<String, Long> core = CgroupFiles.keyed("usage_usec 1665\nuser_usec 1600\nsystem_usec 65\nnice_usec 0\n");
        assertEquals(Map.of("usage_usec", 1665L, "user_usec", 1600L, "system_usec", 65L, "nice_usec", 0L), core);
        Map<String, Long> full = CgroupFiles.keyed("usage_usec 10\nuser_usec 6\nsystem_usec 4\nnr_periods 7\n"
                + "nr_throttled 3\nthrottled_usec 250000\nnr_bursts 0\nburst_usec 0\n");
        assertEquals(7, full.get("nr_periods"));
        assertEquals(3, full.get("nr_throttled"));
        assertEquals(250000, full.get("throttled_usec"));
    }

    @Test
    void keyedLinesThatAreMalformedAreSkipped() {
        Map<String, Long> m = CgroupFiles.keyed("usage_usec 12\n\ngarbage\nuser_usec -4\nsystem_usec 1x\n"
                + "a b c\nnr_periods 99999999999999999999\n  throttled_time 5  \nnice_usec\t7\n");
        assertEquals(Map.of("usage_usec", 12L, "throttled_time", 5L, "nice_usec", 7L), m);
        assertEquals(Map.of(), CgroupFiles.keyed(null));
        assertEquals(Map.of(), CgroupFiles.keyed(""));
    }

    @Test
    void memoryStatV2AndV1() {
        Map<String, Long> v2 = CgroupFiles.keyed("anon 4096000\nfile 8192\nkernel 1000\ninactive_file 4096\n"
                + "active_file 4096\n");
        assertEquals(4096000, v2.get("anon"));
        assertEquals(4096, v2.get("inactive_file"));
        Map<String, Long> v1 = CgroupFiles.keyed("cache 9347072\nrss 7852032\nhierarchical_memory_limit "
                + "9223372036854771712\ntotal_cache 630730752\ntotal_rss 74383360\ntotal_inactive_file 206082048\n");
        assertEquals(206082048, v1.get("total_inactive_file"));
        assertEquals(9223372036854771712L, v1.get("hierarchical_memory_limit"));
    }

    @Test
    void singleValuesAndLimits() {
        assertEquals(123456, CgroupFiles.single("123456\n"));
        assertEquals(-1, CgroupFiles.single("max\n"));
        assertEquals(-1, CgroupFiles.single(null));
        assertEquals(Double.POSITIVE_INFINITY, CgroupFiles.limit("max\n"));
        assertEquals(67108864.0, CgroupFiles.limit("67108864\n"));
        assertEquals(Double.POSITIVE_INFINITY, CgroupFiles.limit("9223372036854771712\n"), "v1 with 4 KiB pages");
        assertEquals(Double.POSITIVE_INFINITY, CgroupFiles.limit("9223372036854710272\n"), "v1 with 64 KiB pages");
        assertTrue(Double.isNaN(CgroupFiles.limit("")));
        assertTrue(Double.isNaN(CgroupFiles.limit("lots")));
        assertTrue(Double.isNaN(CgroupFiles.limit(null)));
    }

    @Test
    void ioStatV2() {
        List<DeviceIo> io = CgroupFiles.ioStat("254:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6\n"
                + "7:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0 cost.vrate=100.00 cost.usage=3\n");
        assertEquals(List.of(new DeviceIo("254:0", 1, 2, 5, 3, 4, 6), new DeviceIo("7:0", 4096, 0, 0, 1, 0, 0)), io);
    }

    @Test
    void ioStatMalformedLinesAndFieldsAreSkipped() {
        List<DeviceIo> io = CgroupFiles.ioStat("garbage\nvda rbytes=1\n8:0\n8:16 rbytes=x wbytes=7 rios wios=2\n"
                + "8:32 nothing here\n");
        assertEquals(List.of(new DeviceIo("8:16", -1, 7, -1, -1, 2, -1)), io);
        assertEquals(List.of(), CgroupFiles.ioStat(null));
    }

    @Test
    void blkioV1() {
        String bytes = "254:0 Read 8192\n254:0 Write 4096\n254:0 Sync 12288\n254:0 Async 0\n254:0 Discard 0\n"
                + "254:0 Total 12288\n7:0 Read 512\n7:0 Write 0\nTotal 12800\n";
        String ops = "254:0 Read 2\n254:0 Write 1\n254:0 Sync 3\n254:0 Async 0\n254:0 Discard 0\n254:0 Total 3\n"
                + "Total 3\n";
        assertEquals(List.of(new DeviceIo("254:0", 8192, 4096, 0, 2, 1, 0), new DeviceIo("7:0", 512, 0, -1, -1, -1,
                -1)), CgroupFiles.blkio(bytes, ops));
        assertEquals(List.of(), CgroupFiles.blkio("Total 0\n", "Total 0\n"), "a cgroup without I/O");
        assertEquals(List.of(new DeviceIo("8:0", 1, -1, -1, -1, -1, -1)),
                CgroupFiles.blkio("8:0 Read 1\n8:0 Write\nsda Read 5\n8:0 Write -1 2\n", null));
    }

    @Test
    void pressure() {
        assertEquals(Map.of("some", 204365381L, "full", 0L), CgroupFiles.pressure(
                "some avg10=12.11 avg60=7.04 avg300=4.75 total=204365381\n"
                        + "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"));
        assertEquals(Map.of("some", 5L), CgroupFiles.pressure("some total=5\n"), "an older kernel without full");
        assertEquals(Map.of("full", 3L), CgroupFiles.pressure("some avg10=1 total=\nfull total=3\nhalf total=9\n"
                + "some avg10=0.00 total=x\n\n"));
        assertEquals(Map.of(), CgroupFiles.pressure(null));
    }
}
