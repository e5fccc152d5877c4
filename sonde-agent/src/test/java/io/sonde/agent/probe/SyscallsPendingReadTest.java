package io.sonde.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sonde.agent.probe.SyscallsProbe.CallKey;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * SyscallsProbe.addPending: a CPU's pending counts are taken from the first of two reads only when the
 * second shows the same cgroup and move count ({@code seq}), so that a read torn by a move (one cgroup's
 * id with the next one's counts) never charges a cgroup with calls it did not make.
 */
class SyscallsPendingReadTest {
    private static final int STRIDE = SyscallsProbe.PENDING_COUNTS + 8 * SyscallsProbe.SYSCALL_MAX;
    private static final int GETPPID = 110;
    private static final int READ = 0;

    /** Per CPU: {cgroup id, seq, getppid count, read count}. */
    private static byte[] pending(long[]... cpus) {
        ByteBuffer b = ByteBuffer.allocate(cpus.length * STRIDE).order(ByteOrder.nativeOrder());
        for (int c = 0; c < cpus.length; c++) {
            int at = c * STRIDE;
            b.putLong(at, cpus[c][0]);
            b.putInt(at + SyscallsProbe.PENDING_SEQ, (int) cpus[c][1]);
            b.putLong(at + SyscallsProbe.PENDING_COUNTS + 8 * GETPPID, cpus[c][2]);
            b.putLong(at + SyscallsProbe.PENDING_COUNTS + 8 * READ, cpus[c][3]);
        }
        return b.array();
    }

    @Test
    void takesTheCountsOfCpusWithNoMoveBetweenTheReads() {
        byte[] first = pending(new long[] {7, 3, 40, 2}, new long[] {7, 9, 5, 0}, new long[] {8, 1, 6, 0});
        byte[] second = pending(
                new long[] {7, 3, 45, 2},  // counts grew: the first read stands
                new long[] {7, 10, 1, 0},  // a move started on this CPU after the first read began: left out
                new long[] {9, 2, 3, 0});  // another cgroup now: left out
        Map<CallKey, Long> out = new HashMap<>();
        out.put(new CallKey(7, GETPPID), 100L); // from the hash
        SyscallsProbe.addPending(first, second, STRIDE, id -> false, out);
        assertEquals(140L, out.get(new CallKey(7, GETPPID)), "the hash's 100 plus CPU 0's 40, not CPU 1's");
        assertEquals(2L, out.get(new CallKey(7, READ)));
        assertEquals(null, out.get(new CallKey(8, GETPPID)), "CPU 2 changed cgroup between the reads");
        assertEquals(2, out.size());
    }

    @Test
    void leavesOutRemovedCgroupsAndIdleSlots() {
        byte[] first = pending(new long[] {7, 3, 40, 0}, new long[] {0, 0, 0, 0});
        Map<CallKey, Long> out = new HashMap<>();
        SyscallsProbe.addPending(first, first.clone(), STRIDE, id -> id == 7, out);
        assertEquals(Map.of(), out);
        SyscallsProbe.addPending(first, new byte[STRIDE], STRIDE, id -> false, out);
        assertEquals(Map.of(), out, "reads of different sizes: nothing taken");
    }
}
