package io.sonde.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sonde.bpf.internal.LibC;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Attaches each tracing program kind, makes the kernel fire it an exact number of times, reads the map. */
class TracingAttachTest {
    private static final int TP = 0, RAW_TP = 1, BTF_TP = 2, UPROBE = 3, URETPROBE = 4;
    private static final int N = 1000;

    @BeforeAll
    static void kernel() {
        KernelTests.requireBpf();
    }

    private static BpfObject counters(String... programs) {
        BpfObject obj = BpfObject.openResource(TracingAttachTest.class, "/bpf/counters.bpf.o");
        obj.setGlobal("target_tid", KernelTests.tid());
        obj.setGlobal("target_nr", KernelTests.SYS_GETPPID);
        java.util.Set<String> wanted = java.util.Set.of(programs);
        for (Program p : obj.programs()) {
            p.setAutoload(wanted.contains(p.name()));
        }
        obj.load();
        return obj;
    }

    @Test
    void tracepointCountsEveryCall() {
        try (BpfObject obj = counters("count_tp"); Link link = obj.program("count_tp").attachTracepoint("syscalls",
                "sys_enter_getppid")) {
            KernelTests.getppid(N);
            assertEquals(N, obj.map("counts").lookupLong(TP));
        }
    }

    @Test
    void attachFromSectionName() {
        try (BpfObject obj = counters("count_tp"); Link link = obj.program("count_tp").attach()) {
            KernelTests.getppid(N);
            assertEquals(N, obj.map("counts").lookupLong(TP));
            assertTrue(link.fd() > 0);
        }
    }

    @Test
    void rawTracepointCountsEveryCall() {
        try (BpfObject obj = counters("count_raw_tp");
                Link link = obj.program("count_raw_tp").attachRawTracepoint("sys_enter")) {
            KernelTests.getppid(N);
            assertEquals(N, obj.map("counts").lookupLong(RAW_TP));
        }
    }

    @Test
    void btfTracepointCountsEveryCall() {
        try (BpfObject obj = counters("count_btf_tp"); Link link = obj.program("count_btf_tp").attachBtfTracepoint()) {
            KernelTests.getppid(N);
            assertEquals(N, obj.map("counts").lookupLong(BTF_TP));
        }
    }

    @Test
    void uprobeAndUretprobeOnLibc() {
        try (BpfObject obj = counters("count_uprobe", "count_uretprobe");
                Link entry = obj.program("count_uprobe").attachUprobe(
                        Uprobe.symbol("libc.so.6", "getppid").pid(LibC.getpid()));
                Link exit = obj.program("count_uretprobe").attachUprobe(
                        Uprobe.symbol("libc.so.6", "getppid").returning())) {
            for (int i = 0; i < N; i++) {
                LibC.getppid();
            }
            assertEquals(N, obj.map("counts").lookupLong(UPROBE));
            assertEquals(N, obj.map("counts").lookupLong(URETPROBE));
        }
    }

    @Test
    void detachStopsCounting() {
        try (BpfObject obj = counters("count_tp")) {
            Link link = obj.program("count_tp").attach();
            KernelTests.getppid(10);
            link.close();
            link.close(); // idempotent
            KernelTests.getppid(10);
            assertEquals(10, obj.map("counts").lookupLong(TP));
        }
    }

    @Test
    void bssGlobalChangesBehaviourWhileRunning() {
        try (BpfObject obj = counters("count_tp"); Link link = obj.program("count_tp").attach()) {
            KernelTests.getppid(10);
            obj.setGlobal("increment", 100L); // .bss: live in the kernel's memory after load
            KernelTests.getppid(10);
            assertEquals(10 + 10 * 100, obj.map("counts").lookupLong(TP));
            assertEquals(100, obj.global("increment"));
        }
    }

    @Test
    void perfEventSamplesAtTheSetFrequencyOnEveryCpu() throws InterruptedException {
        int hz = 200;
        long ms = 2000;
        java.util.List<Integer> cpus = Kernel.onlineCpus();
        // keep every CPU busy, so that no CPU idles through the window
        java.util.concurrent.atomic.AtomicBoolean spin = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.List<Thread> spinners = new java.util.ArrayList<>();
        for (int i = 0; i < cpus.size(); i++) {
            spinners.add(Thread.ofPlatform().daemon().start(() -> {
                long x = 0;
                while (spin.get()) {
                    x += System.nanoTime() & 1;
                }
                if (x == 42) {
                    System.out.print("");
                }
            }));
        }
        try (BpfObject obj = counters("count_perf")) {
            long start = System.nanoTime();
            try (Link link = obj.program("count_perf").attachPerfEvent(PerfEvent.cpuClock().frequency(hz))) {
                assertEquals(cpus.size(), link.parts().size());
                Thread.sleep(ms);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long[] perCpu = obj.map("samples").perCpuLongs(BpfMap.intBytes(0), 0);
            double expected = hz * seconds;
            for (int cpu : cpus) {
                // frequency mode adjusts the period as it goes: allow 30% either way
                assertTrue(perCpu[cpu] > expected * 0.7 && perCpu[cpu] < expected * 1.3,
                        "cpu " + cpu + ": " + perCpu[cpu] + " samples, expected about " + expected);
            }
        } finally {
            spin.set(false);
            for (Thread t : spinners) {
                t.join();
            }
        }
    }
}
