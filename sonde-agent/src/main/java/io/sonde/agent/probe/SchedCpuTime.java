package io.sonde.agent.probe;

import io.sonde.agent.metrics.Log2Histogram;
import io.sonde.bpf.BpfMap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * SchedCpuTime makes the sched probe's per-cgroup charges (CPU time, voluntary and involuntary
 * switches) current at scrape time and monotonic. The kernel side charges a task's runtime to its
 * cgroup only when the task is switched out, so a task that keeps its CPU would show nothing for as
 * long as it runs; this adds, for the task each CPU's {@code running} slot names, the runtime it
 * gained since it was last charged: its {@code se.sum_exec_runtime} now (the first field of
 * /proc/TID/schedstat, kept current by the scheduler tick) less the slot's {@code charged}, at most
 * the time since it was switched in. It also adds the charges each slot holds pending, not yet moved
 * into {@code cgroup_cpu} (the kernel side gathers a cgroup's charges there while the same cgroup
 * runs on the CPU, which spares most switches a hash lookup), and the run-queue waits each slot holds
 * pending, not yet moved into {@code runq_latency}.
 *
 * <p>The slots are read before and after cgroup_cpu and runq_latency; a slot that is the same both
 * times had no switch meanwhile, so its runtime was not charged into what was read (the kernel side
 * rewrites the slot before it charges), and its pending charges and waits were not moved into it. A
 * slot that changed is left out of this scrape: what it holds pending shows at a later one. Where the
 * kernel skips a switch's tracepoint a slot can name a task no longer running; what that adds is
 * bounded by the time since the slot was written. Each figure is held by never reporting less than
 * before.
 *
 * <pre>{@code
 * byte[] before = cpuTime.slots(runningMap);
 * Map<Long, long[]> charged = ...;       // cgroup id -> {cpu ns, voluntary, involuntary}, from cgroup_cpu
 * Map<Long, long[]> waits = ...;         // cgroup id -> raw histogram slots and sum, from runq_latency
 * SchedCpuTime.Totals now = cpuTime.current(runningMap, before, charged, waits, attribution::cgroupGone);
 * }</pre>
 */
final class SchedCpuTime {
    /** Bytes of one CPU's struct running (sched.h). */
    static final int RUNNING_BYTES = 88 + Log2Histogram.HIST_BYTES;
    /** Offsets in struct running (sched.h). */
    private static final int SEQ = 0;
    private static final int CGROUP = 8;
    private static final int CHARGED = 16;
    private static final int SINCE = 24;
    private static final int PID = 32;
    private static final int PENDING_CGROUP = 40;
    private static final int PENDING = 48;
    private static final int WAIT_CGROUP = 72;
    private static final int PENDING_WAITS = 88;
    private static final byte[] ZERO_KEY = BpfMap.intBytes(0);
    /** The inode of the initial pid namespace (PROC_PID_INIT_INO): thread ids in /proc are the kernel's. */
    private static final String INITIAL_PID_NAMESPACE = "pid:[4026531836]";

    /**
     * Per cgroup id: {@code charges} {cpu ns, voluntary, involuntary}, and {@code waits}, the run-queue
     * wait histogram's raw slot counts then its sum in ns (as {@link Log2Histogram#sumPerCpu} gives them).
     */
    record Totals(Map<Long, long[]> charges, Map<Long, long[]> waits) {}

    private final boolean kernelThreadIds = initialPidNamespace();
    private final Map<Long, long[]> reported = new HashMap<>(); // guarded by this
    private final Map<Long, long[]> reportedWaits = new HashMap<>(); // guarded by this

    /** The running slots; read them before cgroup_cpu and runq_latency. */
    byte[] slots(BpfMap running) {
        return running.lookup(ZERO_KEY);
    }

    /**
     * What to report per cgroup id: {@code charged} (from cgroup_cpu) plus the slots' pending charges and
     * the uncharged runtime of the running tasks, and {@code waits} (from runq_latency) plus the slots'
     * pending waits; each figure never less than reported before for a cgroup that still exists.
     */
    synchronized Totals current(BpfMap running, byte[] before, Map<Long, long[]> charged, Map<Long, long[]> waits,
            LongPredicate gone) {
        Map<Long, long[]> charges = copy(charged);
        Map<Long, long[]> allWaits = copy(waits);
        addSlots(running, before, charges, allWaits);
        return new Totals(held(charges, reported, gone), held(allWaits, reportedWaits, gone));
    }

    private static Map<Long, long[]> copy(Map<Long, long[]> m) {
        Map<Long, long[]> out = new HashMap<>();
        m.forEach((id, v) -> out.put(id, v.clone()));
        return out;
    }

    /** Drops removed cgroups, raises every figure to what was reported before, and remembers the result. */
    private static Map<Long, long[]> held(Map<Long, long[]> out, Map<Long, long[]> reported, LongPredicate gone) {
        out.keySet().removeIf(gone::test);
        reported.keySet().removeIf(id -> !out.containsKey(id) && gone.test(id));
        reported.forEach((id, last) -> out.merge(id, last.clone(), SchedCpuTime::max));
        out.forEach((id, v) -> reported.put(id, v.clone()));
        return out;
    }

    private static long[] max(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.max(a[i], b[i]);
        }
        return a;
    }

    private static long[] add(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
        return a;
    }

    private void addSlots(BpfMap running, byte[] before, Map<Long, long[]> charges, Map<Long, long[]> waits) {
        if (before == null) {
            return;
        }
        int cpus = before.length / RUNNING_BYTES;
        long[] extra = new long[cpus];
        ByteBuffer b = ByteBuffer.wrap(before).order(ByteOrder.nativeOrder());
        for (int c = 0; c < cpus && kernelThreadIds; c++) {
            int at = c * RUNNING_BYTES;
            int tid = b.getInt(at + PID);
            if (b.getLong(at + SEQ) == 0 || tid == 0) {
                continue; // no switch seen yet, or the CPU is idle
            }
            long sinceSwitchIn = System.nanoTime() - b.getLong(at + SINCE); // both CLOCK_MONOTONIC
            extra[c] = Math.max(0, Math.min(runtime(tid) - b.getLong(at + CHARGED), sinceSwitchIn));
        }
        byte[] after = slots(running);
        if (after == null) {
            return;
        }
        for (int c = 0; c < cpus; c++) {
            int from = c * RUNNING_BYTES;
            int to = from + RUNNING_BYTES;
            if (!Arrays.equals(before, from, to, after, from, to)) {
                continue;
            }
            if (extra[c] > 0) {
                charges.merge(b.getLong(from + CGROUP), new long[] {extra[c], 0, 0}, SchedCpuTime::add);
            }
            long pendingCgroup = b.getLong(from + PENDING_CGROUP);
            if (pendingCgroup != 0) {
                long[] pending = {b.getLong(from + PENDING), b.getLong(from + PENDING + 8),
                    b.getLong(from + PENDING + 16)};
                charges.merge(pendingCgroup, pending, SchedCpuTime::add);
            }
            long waitCgroup = b.getLong(from + WAIT_CGROUP);
            if (waitCgroup != 0) {
                long[] pending = new long[Log2Histogram.SLOTS + 1];
                for (int i = 0; i < pending.length; i++) {
                    pending[i] = b.getLong(from + PENDING_WAITS + 8 * i);
                }
                waits.merge(waitCgroup, pending, SchedCpuTime::add);
            }
        }
    }

    /** A thread's se.sum_exec_runtime in nanoseconds (the first field of its schedstat), or -1. */
    private static long runtime(int tid) {
        try {
            String s = Files.readString(Path.of("/proc", Integer.toString(tid), "schedstat"));
            int space = s.indexOf(' ');
            return Long.parseLong(space < 0 ? s.strip() : s.substring(0, space));
        } catch (IOException | NumberFormatException e) {
            return -1; // gone, or no CONFIG_SCHED_INFO: nothing added
        }
    }

    private static boolean initialPidNamespace() {
        try {
            return INITIAL_PID_NAMESPACE.equals(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString());
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
