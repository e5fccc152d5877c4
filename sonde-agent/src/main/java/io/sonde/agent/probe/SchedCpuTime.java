package io.sonde.agent.probe;

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
 * SchedCpuTime makes the sched probe's CPU-time counters current at scrape time and monotonic. The
 * kernel side charges a task's runtime to its cgroup only when the task is switched out, so a task
 * that keeps its CPU would show nothing for as long as it runs; this adds, for the task each CPU's
 * {@code running} slot names, the runtime it gained since it was last charged: its
 * {@code se.sum_exec_runtime} now (the first field of /proc/TID/schedstat, kept current by the
 * scheduler tick) less the slot's {@code charged}, at most the time since it was switched in.
 *
 * <p>The slots are read before and after cgroup_cpu; a slot that is the same both times had no switch
 * meanwhile, so its runtime was not charged into what was read (the kernel side rewrites the slot
 * before it charges). Where the kernel skips a switch's tracepoint a slot can name a task no longer
 * running; what that adds is bounded by the time since the slot was written and, like any
 * estimate that a later scrape does not confirm, held by never reporting less than before.
 *
 * <pre>{@code
 * byte[] before = cpuTime.slots(runningMap);
 * Map<Long, Long> charged = ...;                    // cgroup id -> ns, read from cgroup_cpu
 * Map<Long, Long> now = cpuTime.current(runningMap, before, charged, attribution::cgroupGone);
 * }</pre>
 */
final class SchedCpuTime {
    /** Bytes of one CPU's struct running (sched.h). */
    static final int RUNNING_BYTES = 40;
    private static final byte[] ZERO_KEY = BpfMap.intBytes(0);
    /** The inode of the initial pid namespace (PROC_PID_INIT_INO): thread ids in /proc are the kernel's. */
    private static final String INITIAL_PID_NAMESPACE = "pid:[4026531836]";

    private final boolean kernelThreadIds = initialPidNamespace();
    private final Map<Long, Long> reported = new HashMap<>(); // guarded by this

    /** The running slots; read them before cgroup_cpu. */
    byte[] slots(BpfMap running) {
        return running.lookup(ZERO_KEY);
    }

    /**
     * The CPU nanoseconds to report per cgroup id: {@code charged} plus the uncharged runtime of the
     * running tasks, and never less than reported before for a cgroup that still exists.
     */
    synchronized Map<Long, Long> current(BpfMap running, byte[] before, Map<Long, Long> charged, LongPredicate gone) {
        Map<Long, Long> out = new HashMap<>(charged);
        addUncharged(running, before, out);
        out.keySet().removeIf(gone::test);
        reported.keySet().removeIf(id -> !out.containsKey(id) && gone.test(id));
        reported.forEach((id, last) -> out.merge(id, last, Math::max));
        reported.putAll(out);
        return out;
    }

    private void addUncharged(BpfMap running, byte[] before, Map<Long, Long> out) {
        if (!kernelThreadIds || before == null) {
            return;
        }
        int cpus = before.length / RUNNING_BYTES;
        long[] extra = new long[cpus];
        ByteBuffer b = ByteBuffer.wrap(before).order(ByteOrder.nativeOrder());
        for (int c = 0; c < cpus; c++) {
            int at = c * RUNNING_BYTES;
            int tid = b.getInt(at + 32);
            if (b.getLong(at) == 0 || tid == 0) {
                continue; // no switch seen yet, or the CPU is idle
            }
            long sinceSwitchIn = System.nanoTime() - b.getLong(at + 24); // both CLOCK_MONOTONIC
            extra[c] = Math.max(0, Math.min(runtime(tid) - b.getLong(at + 16), sinceSwitchIn));
        }
        byte[] after = slots(running);
        if (after == null) {
            return;
        }
        for (int c = 0; c < cpus; c++) {
            int from = c * RUNNING_BYTES;
            int to = from + RUNNING_BYTES;
            if (extra[c] > 0 && Arrays.equals(before, from, to, after, from, to)) {
                out.merge(b.getLong(from + 8), extra[c], Long::sum);
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
