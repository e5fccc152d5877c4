package io.sonde.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Kernel support: mounts, CPUs, feature probes, program and map information, statistics windows, pins, logs. */
class KernelTest {
    @BeforeAll
    static void kernel() {
        KernelTests.requireBpf();
    }

    private static BpfObject rawCounter() {
        BpfObject obj = BpfObject.openResource(KernelTest.class, "/bpf/counters.bpf.o");
        obj.setGlobal("target_tid", KernelTests.tid());
        obj.setGlobal("target_nr", KernelTests.SYS_GETPPID);
        for (Program p : obj.programs()) {
            p.setAutoload(p.name().equals("count_raw_tp"));
        }
        obj.load();
        return obj;
    }

    @Test
    void mountsTracefsWhereItIsMissing() throws IOException {
        assertEquals("tracefs", Kernel.mountedType(Kernel.TRACEFS));
        assertEquals("bpf", Kernel.mountedType(Kernel.BPFFS));
        assertFalse(Kernel.ensureTracefs(), "already mounted: nothing to do");
        Path dir = Files.createTempDirectory("sonde-tracefs");
        try {
            assertTrue(Kernel.ensureMounted(dir, "tracefs", "tracefs"));
            assertEquals("tracefs", Kernel.mountedType(dir));
            assertTrue(Files.exists(dir.resolve("events/syscalls")));
            assertFalse(Kernel.ensureMounted(dir, "tracefs", "tracefs"));
        } finally {
            KernelTests.runQuietly("umount", dir.toString());
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void cpusAndFeatures() {
        assertEquals(List.of(0, 1, 2, 3, 5, 7, 8), Kernel.parseCpuList("0-3,5,7-8\n"));
        assertTrue(Kernel.onlineCpus().size() >= 1);
        assertTrue(Kernel.possibleCpus() >= Kernel.onlineCpus().size());
        assertTrue(Kernel.hasBtf());
        assertTrue(Kernel.supports(ProgramType.TRACEPOINT));
        assertTrue(Kernel.supports(ProgramType.RAW_TRACEPOINT));
        assertTrue(Kernel.supports(MapType.RINGBUF));
        assertTrue(Kernel.supports(MapType.PERCPU_HASH));
        assertTrue(Kernel.supportsHelper(ProgramType.TRACEPOINT, 14)); // bpf_get_current_pid_tgid
        assertTrue(Kernel.libbpfVersion().startsWith("1."));
    }

    @Test
    void programAndMapInformation() {
        try (BpfObject obj = rawCounter()) {
            ProgramInfo info = obj.program("count_raw_tp").info();
            assertEquals("count_raw_tp", info.name());
            assertEquals(ProgramType.RAW_TRACEPOINT, info.type());
            assertTrue(info.id() > 0 && info.jitedSize() > 0 && info.xlatedSize() > 0, info.toString());
            assertEquals(16, info.tag().length());
            assertTrue(info.memlockBytes() > 0, info.toString());
            assertTrue(info.verifiedInstructions() > 0, info.toString());
            MapInfo map = obj.map("counts").info();
            assertEquals(MapType.ARRAY, map.type());
            assertEquals(4, map.keySize());
            assertEquals(8, map.valueSize());
            assertEquals(7, map.maxEntries());
            assertEquals("counts", map.name());
            assertTrue(map.memlockBytes() > 0);
        }
    }

    /** Each getppid runs nested_printk once, which fires its own hook: the kernel skips that run and counts it. */
    @Test
    void recursionMissesAreTheKernelsCount() {
        try (BpfObject obj = BpfObject.openResource(KernelTest.class, "/bpf/nested.bpf.o")) {
            obj.setGlobal("target_tid", KernelTests.tid());
            obj.load();
            try (Link start = obj.program("start_printk").attach(); Link nested = obj.program("nested_printk").attach()) {
                assertEquals(0, obj.program("nested_printk").info().recursionMisses());
                KernelTests.getppid(25);
                assertEquals(25, obj.program("nested_printk").info().recursionMisses(),
                        "one nested run skipped per getppid");
                assertEquals(25, obj.program("nested_printk").recursionMisses(), "the light read agrees");
                assertEquals(0, obj.program("start_printk").info().recursionMisses());
            }
        }
    }

    @Test
    void statisticsCountOnlyInsideTheWindow() throws Exception {
        Path flag = Path.of("/proc/sys/kernel/bpf_stats_enabled");
        assertEquals("0", Files.readString(flag).strip(), "statistics must be off outside windows");
        try (BpfObject obj = rawCounter(); Link link = obj.program("count_raw_tp").attach()) {
            assertNoCountingOutsideWindows(obj.program("count_raw_tp"));
            try (Kernel.StatsWindow window = Kernel.enableStats()) {
                KernelTests.getppid(100);
            }
            ProgramInfo info = obj.program("count_raw_tp").info();
            // sys_enter fires for every system call of every thread: at least the test's own 100
            assertTrue(info.runCount() >= 100, info.toString());
            assertTrue(info.runTimeNs() > 0, info.toString());
            assertNoCountingOutsideWindows(obj.program("count_raw_tp"));
        }
    }

    /**
     * 100 getppid calls add no run to the program's count. Other agents and test suites on a shared
     * machine open statistics windows of their own, during which every program counts: the check waits
     * (up to 20 s) for a moment when no other process holds one, and is repeated if one appeared meanwhile.
     */
    private static void assertNoCountingOutsideWindows(Program program) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!Kernel.otherStatsHolders().isEmpty()) {
                Thread.sleep(50);
                continue;
            }
            long before = program.info().runCount();
            KernelTests.getppid(100);
            long after = program.info().runCount();
            if (Kernel.otherStatsHolders().isEmpty()) {
                assertEquals(before, after, "no counting outside a window");
                return;
            }
        }
        throw new AssertionError("other processes held statistics on for 20 s: " + Kernel.otherStatsHolders());
    }

    @Test
    void otherStatsHoldersAreFound() throws Exception {
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                StatsHolder.class.getName()).redirectErrorStream(true).start();
        try {
            assertEquals("holding", new String(holder.getInputStream().readNBytes(7)));
            assertTrue(Kernel.otherStatsHolders().contains(holder.pid()), "the holder is found");
        } finally {
            holder.destroy();
            holder.waitFor();
        }
        assertFalse(Kernel.otherStatsHolders().contains(holder.pid()), "and gone once it exits");
    }

    /** Holds a statistics window until killed (for {@link #otherStatsHoldersAreFound}). */
    static final class StatsHolder {
        public static void main(String[] args) throws Exception {
            try (Kernel.StatsWindow w = Kernel.enableStats()) {
                System.out.print("holding");
                System.out.flush();
                Thread.sleep(60_000);
            }
        }
    }


    @Test
    void pinnedLinkOutlivesItsObject() throws IOException {
        Path pin = Kernel.BPFFS.resolve("sonde-test-link-" + KernelTests.suffix());
        try (BpfMap counts = BpfMap.create(MapType.ARRAY, "counts", 4, 8, 7)) {
            try (BpfObject obj = BpfObject.openResource(KernelTest.class, "/bpf/counters.bpf.o")) {
                obj.setGlobal("target_tid", KernelTests.tid());
                obj.setGlobal("target_nr", KernelTests.SYS_GETPPID);
                for (Program p : obj.programs()) {
                    p.setAutoload(p.name().equals("count_raw_tp"));
                }
                obj.map("counts").reuse(counts);
                obj.load();
                Link link = obj.program("count_raw_tp").attach();
                link.pin(pin);
                link.close();
            }
            KernelTests.getppid(10);
            assertEquals(10, counts.lookupLong(1), "the pin keeps the program attached");
            Files.delete(pin);
            // the kernel releases an unpinned link from a work queue: wait until calls stop counting
            long deadline = System.nanoTime() + 5_000_000_000L;
            long before;
            do {
                before = counts.lookupLong(1);
                KernelTests.getppid(1);
            } while (counts.lookupLong(1) != before && System.nanoTime() < deadline);
            before = counts.lookupLong(1);
            KernelTests.getppid(10);
            assertEquals(before, counts.lookupLong(1), "removing the pin detaches it");
        } finally {
            Files.deleteIfExists(pin);
        }
    }

    @Test
    void libbpfLogsGoToTheJavaLogger() {
        Logger logger = Logger.getLogger("io.sonde.bpf.libbpf");
        List<LogRecord> records = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Level old = logger.getLevel();
        logger.setLevel(Level.ALL);
        logger.addHandler(handler);
        try {
            Kernel.libbpfVerbose(false);
            rawCounter().close();
            assertTrue(records.stream().noneMatch(r -> r.getLevel().intValue() < Level.INFO.intValue()),
                    "no debug lines unless verbose");
            Kernel.libbpfVerbose(true);
            rawCounter().close();
            assertTrue(records.stream().anyMatch(r -> r.getMessage().startsWith("libbpf: ")
                    && r.getLevel().intValue() < Level.INFO.intValue()), "debug lines when verbose");
        } finally {
            Kernel.libbpfVerbose(false);
            logger.removeHandler(handler);
            logger.setLevel(old);
        }
    }
}
