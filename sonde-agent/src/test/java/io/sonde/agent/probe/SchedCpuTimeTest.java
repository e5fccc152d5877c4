package io.sonde.agent.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sonde.agent.KernelHost;
import io.sonde.agent.metrics.Log2Histogram;
import io.sonde.bpf.BpfMap;
import io.sonde.bpf.BpfMap.UpdateFlag;
import io.sonde.bpf.Kernel;
import io.sonde.bpf.MapType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SchedCpuTime's reading of the per-CPU running slots, on a real per-CPU array laid out as sched.h's
 * {@code struct running}: pending charges are added when a slot stayed the same across the read,
 * left out when it changed, and no figure goes back.
 */
class SchedCpuTimeTest {
    private static final byte[] KEY = BpfMap.intBytes(0);
    private static final long A = 1001;
    private static final long B = 2002;

    private final int cpus = Kernel.possibleCpus();

    @BeforeEach
    void bpf() {
        KernelHost.require();
    }

    /** One slot per CPU: idle (pid 0) after some switches, each holding {cpu ns, voluntary, involuntary} pending. */
    private byte[] slots(long seq, long[] pendingCgroups, long[][] pending) {
        ByteBuffer b = ByteBuffer.allocate(cpus * SchedCpuTime.RUNNING_BYTES).order(ByteOrder.nativeOrder());
        for (int c = 0; c < cpus; c++) {
            int at = c * SchedCpuTime.RUNNING_BYTES;
            b.putLong(at, seq);
            b.putLong(at + 40, pendingCgroups[c]);
            for (int i = 0; i < 3; i++) {
                b.putLong(at + 48 + i * 8, pending[c][i]);
            }
        }
        return b.array();
    }

    private static Map<Long, long[]> waits() {
        return new HashMap<>();
    }

    private Map<Long, long[]> charged() {
        Map<Long, long[]> m = new HashMap<>();
        m.put(A, new long[] {1_000, 10, 1});
        m.put(B, new long[] {5_000, 50, 5});
        return m;
    }

    @Test
    void addsPendingChargesOfSlotsThatStayedTheSame() {
        long[] cgroups = new long[cpus];
        long[][] pending = new long[cpus][3];
        cgroups[0] = A;
        pending[0] = new long[] {300, 3, 0};
        if (cpus > 1) {
            cgroups[1] = B;
            pending[1] = new long[] {700, 0, 7};
        }
        try (BpfMap running = BpfMap.create(MapType.PERCPU_ARRAY, "t_running", 4, SchedCpuTime.RUNNING_BYTES, 1)) {
            byte[] slots = slots(5, cgroups, pending);
            running.update(KEY, slots, UpdateFlag.ANY);
            SchedCpuTime t = new SchedCpuTime();

            Map<Long, long[]> out = t.current(running, running.lookup(KEY), charged(), waits(), id -> false).charges();
            assertArrayEquals(new long[] {1_300, 13, 1}, out.get(A), "cgroup_cpu plus CPU 0's pending charges");
            assertArrayEquals(cpus > 1 ? new long[] {5_700, 50, 12} : new long[] {5_000, 50, 5}, out.get(B));

            // the slots changed during the read (a switch on each CPU, which may have moved pending charges
            // into the map after it was read): their pending charges are left out, the figures held
            pending[0] = new long[] {500, 5, 0};
            running.update(KEY, slots(6, cgroups, pending), UpdateFlag.ANY);
            out = t.current(running, slots, charged(), waits(), id -> false).charges();
            assertArrayEquals(new long[] {1_300, 13, 1}, out.get(A), "held at what was reported, neither less "
                    + "nor the pending charges of a slot that changed");

            // the map caught up: the moved charges are in it, and the slots hold none for A any more
            cgroups[0] = 0;
            pending[0] = new long[3];
            running.update(KEY, slots(7, cgroups, pending), UpdateFlag.ANY);
            Map<Long, long[]> later = charged();
            later.put(A, new long[] {1_300, 13, 1});
            out = t.current(running, running.lookup(KEY), later, waits(), id -> false).charges();
            assertArrayEquals(new long[] {1_300, 13, 1}, out.get(A), "moved charges counted once");
        }
    }

    /** Run-queue waits held in a slot: raw histogram slots and sum, added to runq_latency's when the slot held still. */
    @Test
    void addsPendingWaitsOfSlotsThatStayedTheSame() {
        int hist = Log2Histogram.SLOTS + 1;
        ByteBuffer b = ByteBuffer.allocate(cpus * SchedCpuTime.RUNNING_BYTES).order(ByteOrder.nativeOrder());
        b.putLong(0, 3); // seq
        b.putLong(72, B); // wait_cgroup
        b.putLong(88 + 8 * 10, 4); // four waits in slot 10 (512 ns to 1 us)
        b.putLong(88 + 8 * Log2Histogram.SLOTS, 2_800); // their sum
        try (BpfMap running = BpfMap.create(MapType.PERCPU_ARRAY, "t_running3", 4, SchedCpuTime.RUNNING_BYTES, 1)) {
            running.update(KEY, b.array(), UpdateFlag.ANY);
            long[] fromMap = new long[hist];
            fromMap[10] = 6;
            fromMap[12] = 1;
            fromMap[Log2Histogram.SLOTS] = 9_000;
            Map<Long, long[]> waits = new HashMap<>(Map.of(B, fromMap));
            SchedCpuTime t = new SchedCpuTime();
            long[] out = t.current(running, running.lookup(KEY), charged(), waits, id -> false).waits().get(B);
            assertEquals(10, out[10], "runq_latency's 6 and the slot's 4");
            assertEquals(1, out[12]);
            assertEquals(11_800, out[Log2Histogram.SLOTS], "sums added");

            // the slot moved its waits into the map after the map was read: left out, held
            running.update(KEY, new byte[cpus * SchedCpuTime.RUNNING_BYTES], UpdateFlag.ANY);
            out = t.current(running, b.array(), charged(), waits, id -> false).waits().get(B);
            assertEquals(10, out[10], "held, not back to the map's 6");
            assertEquals(6, fromMap[10], "the caller's map is not changed");
        }
    }

    @Test
    void dropsCgroupsThatAreGone() {
        long[] cgroups = new long[cpus];
        long[][] pending = new long[cpus][3];
        cgroups[0] = A;
        pending[0] = new long[] {300, 3, 0};
        try (BpfMap running = BpfMap.create(MapType.PERCPU_ARRAY, "t_running2", 4, SchedCpuTime.RUNNING_BYTES, 1)) {
            running.update(KEY, slots(9, cgroups, pending), UpdateFlag.ANY);
            SchedCpuTime t = new SchedCpuTime();
            Map<Long, long[]> out = t.current(running, running.lookup(KEY), charged(), waits(), id -> id == A).charges();
            assertFalse(out.containsKey(A), "a removed cgroup is not reported, not even from a pending slot");
            assertEquals(5_000, out.get(B)[0]);
        }
    }
}
