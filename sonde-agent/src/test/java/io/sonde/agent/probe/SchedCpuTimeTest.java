package io.sonde.agent.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sonde.agent.KernelHost;
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

            Map<Long, long[]> out = t.current(running, running.lookup(KEY), charged(), id -> false);
            assertArrayEquals(new long[] {1_300, 13, 1}, out.get(A), "cgroup_cpu plus CPU 0's pending charges");
            assertArrayEquals(cpus > 1 ? new long[] {5_700, 50, 12} : new long[] {5_000, 50, 5}, out.get(B));

            // the slots changed during the read (a switch on each CPU, which may have moved pending charges
            // into the map after it was read): their pending charges are left out, the figures held
            pending[0] = new long[] {500, 5, 0};
            running.update(KEY, slots(6, cgroups, pending), UpdateFlag.ANY);
            out = t.current(running, slots, charged(), id -> false);
            assertArrayEquals(new long[] {1_300, 13, 1}, out.get(A), "held at what was reported, neither less "
                    + "nor the pending charges of a slot that changed");

            // the map caught up: the moved charges are in it, and the slots hold none for A any more
            cgroups[0] = 0;
            pending[0] = new long[3];
            running.update(KEY, slots(7, cgroups, pending), UpdateFlag.ANY);
            Map<Long, long[]> later = charged();
            later.put(A, new long[] {1_300, 13, 1});
            out = t.current(running, running.lookup(KEY), later, id -> false);
            assertArrayEquals(new long[] {1_300, 13, 1}, out.get(A), "moved charges counted once");
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
            Map<Long, long[]> out = t.current(running, running.lookup(KEY), charged(), id -> id == A);
            assertFalse(out.containsKey(A), "a removed cgroup is not reported, not even from a pending slot");
            assertEquals(5_000, out.get(B)[0]);
        }
    }
}
