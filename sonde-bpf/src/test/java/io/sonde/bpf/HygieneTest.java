package io.sonde.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A thousand open-load-attach-close cycles leave no file descriptor and no native memory behind. */
class HygieneTest {
    private static final StructLayout MALLINFO2 = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("arena"), ValueLayout.JAVA_LONG.withName("ordblks"),
            ValueLayout.JAVA_LONG.withName("smblks"), ValueLayout.JAVA_LONG.withName("hblks"),
            ValueLayout.JAVA_LONG.withName("hblkhd"), ValueLayout.JAVA_LONG.withName("usmblks"),
            ValueLayout.JAVA_LONG.withName("fsmblks"), ValueLayout.JAVA_LONG.withName("uordblks"),
            ValueLayout.JAVA_LONG.withName("fordblks"), ValueLayout.JAVA_LONG.withName("keepcost"));
    private static final MethodHandle MALLINFO = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("mallinfo2").orElseThrow(), FunctionDescriptor.of(MALLINFO2));

    @BeforeAll
    static void kernel() {
        KernelTests.requireBpf();
    }

    /** Bytes the C heap has handed out and not taken back (small blocks plus mmapped large ones). */
    private static long nativeHeapInUse() throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = (MemorySegment) MALLINFO.invokeExact((SegmentAllocator) a);
            return info.get(ValueLayout.JAVA_LONG, 7 * 8) + info.get(ValueLayout.JAVA_LONG, 4 * 8);
        }
    }

    private static int openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /**
     * One cycle. Every cycle attaches a raw tracepoint; every 20th also a classic tracepoint, whose
     * detach waits for an RCU grace period (about 70 ms here) and would make 1000 cycles slow.
     */
    private static void cycle(int i) {
        boolean classic = i % 20 == 0;
        try (BpfObject obj = BpfObject.openResource(HygieneTest.class, "/bpf/counters.bpf.o")) {
            obj.setGlobal("target_tid", KernelTests.tid());
            obj.setGlobal("target_nr", KernelTests.SYS_GETPPID);
            for (Program p : obj.programs()) {
                p.setAutoload(p.name().equals("count_tp") || p.name().equals("count_raw_tp"));
            }
            obj.load();
            try (Link raw = obj.program("count_raw_tp").attach()) {
                Link tp = classic ? obj.program("count_tp").attach() : null;
                KernelTests.getppid(1);
                if (tp != null) {
                    tp.close();
                }
            }
            assertEquals(classic ? 1 : 0, obj.map("counts").lookupLong(0));
            assertEquals(1, obj.map("counts").lookupLong(1));
        }
    }

    @Test
    void thousandCyclesLeaveNothingBehind() throws Throwable {
        for (int i = 0; i < 50; i++) {
            cycle(i); // warm up: JIT, thread-local buffers, libbpf's one-time probes
        }
        System.gc();
        int fdsBefore = openFds();
        long heapBefore = nativeHeapInUse();
        for (int i = 0; i < 1000; i++) {
            cycle(i);
        }
        System.gc();
        int fdsAfter = openFds();
        long heapAfter = nativeHeapInUse();
        assertEquals(fdsBefore, fdsAfter, "open file descriptors");
        // a leaked object (ELF copy, BTF, log buffer) is tens of kilobytes or more per cycle
        long growth = heapAfter - heapBefore;
        // the JVM mallocs too (JIT, GC): allow 8 MiB, so a leak of 8 KiB or more per cycle is caught
        assertTrue(growth < 8 * 1024 * 1024, "native heap grew by " + growth + " bytes over 1000 cycles");
    }
}
