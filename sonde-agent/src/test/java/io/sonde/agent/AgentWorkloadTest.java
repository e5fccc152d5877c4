package io.sonde.agent;

import static io.sonde.agent.Exposition.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A workload in a cgroup the test creates does an exactly known amount of work; the agent's metrics
 * for that cgroup rise by exactly that much.
 */
class AgentWorkloadTest {
    private static AgentHarness agent;

    @BeforeAll
    static void start() throws Exception {
        KernelHost.require();
        // latency on: the exact counts below then come from the sys_enter path; SyscallsCountOnlyTest
        // checks the default sys_exit path
        agent = AgentHarness.start(io.sonde.agent.config.ConfigLoader.parse("test.yaml",
                "probes:\n  syscalls:\n    latency: true\n"));
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    private static String scrape() {
        try {
            return agent.scrape();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void countsMatchTheWorkExactly() throws Exception {
        int n = 50, m = 20, k = 5, f = 12, g = 77;
        Path cgroup = KernelHost.newCgroup();
        String cg = KernelHost.label(cgroup);
        try {
            String[] before = new String[1];
            AgentHarness.runWorkload(cgroup, () -> before[0] = scrape(), "run", "" + n, "" + m, "" + k, "" + f,
                    "" + g);
            String after = scrape();
            assertEquals(n, delta(before[0], after, "sonde_syscalls_total", "cgroup", cg, "syscall", "openat"),
                    "openat calls");
            assertEquals(m, delta(before[0], after, "sonde_syscall_errors_total", "cgroup", cg, "syscall", "openat",
                    "errno", "ENOENT"), "openat ENOENT");
            assertEquals(g, delta(before[0], after, "sonde_syscalls_total", "cgroup", cg, "syscall", "getppid"),
                    "getppid calls");
            assertEquals(n, delta(before[0], after, "sonde_file_opens_total", "cgroup", cg), "file opens");
            assertEquals(m, delta(before[0], after, "sonde_file_open_errors_total", "cgroup", cg, "errno", "ENOENT"),
                    "failed file opens");
            assertEquals(k, delta(before[0], after, "sonde_process_execs_total", "cgroup", cg, "comm", "workload"),
                    "execs");
            assertEquals(f, delta(before[0], after, "sonde_process_forks_total", "cgroup", cg), "forks");
            assertEquals(f + 1, delta(before[0], after, "sonde_process_exits_total", "cgroup", cg, "reason", "normal"),
                    "the children and the workload itself exited normally");
            assertTrue(after.contains("container=\"\""), "host cgroups have an empty container label");
        } finally {
            KernelHost.removeCgroup(cgroup);
        }
    }

    @Test
    void slowSyscallLandsInTheRightBucket() throws Exception {
        int sleeps = 20;
        Path cgroup = KernelHost.newCgroup();
        try {
            String[] before = new String[1];
            java.util.List<String> out = AgentHarness.runWorkload(cgroup, () -> before[0] = scrape(), "sleep",
                    "" + sleeps);
            String after = scrape();
            // 10 ms = 1e7 ns lies in [2^23, 2^24) ns: the bucket le=2^24 ns = 0.016777216 s and not le=2^23.
            // The kernel times a call from entry to exit, inside the workload's own timing around it, so
            // every sleep the workload timed under 2^24 ns is in that bucket for certain; on a loaded
            // machine the others may overshoot it.
            long surelyWithin = out.stream().filter(l -> l.startsWith("slept "))
                    .mapToLong(l -> Long.parseLong(l.substring(6))).filter(ns -> ns < (1L << 24)).count();
            double below = delta(before[0], after, "sonde_syscall_duration_seconds_bucket", "syscall", "nanosleep",
                    "le", "0.008388608");
            double within = delta(before[0], after, "sonde_syscall_duration_seconds_bucket", "syscall", "nanosleep",
                    "le", "0.016777216");
            double all = delta(before[0], after, "sonde_syscall_duration_seconds_count", "syscall", "nanosleep");
            assertEquals(0, below, "no 10 ms sleep finishes under 8.4 ms");
            assertTrue(all >= sleeps, "every sleep counted: " + all);
            assertTrue(surelyWithin >= sleeps / 2, "the workload timed most sleeps under 16.8 ms: " + out);
            assertTrue(within >= surelyWithin, "sleeps in the 8.4-16.8 ms bucket: " + within + ", the workload timed "
                    + surelyWithin + " of " + sleeps + " under 16.8 ms");
        } finally {
            KernelHost.removeCgroup(cgroup);
        }
    }

    @Test
    void seriesOfARemovedCgroupGoAway() throws Exception {
        Path cgroup = KernelHost.newCgroup();
        String cg = KernelHost.label(cgroup);
        try {
            AgentHarness.runWorkload(cgroup, () -> { }, "run", "2", "1", "1", "1", "5");
            assertEquals(5, value(scrape(), "sonde_syscalls_total", "cgroup", cg, "syscall", "getppid"),
                    "a new cgroup resolves at once");
        } finally {
            KernelHost.removeCgroup(cgroup);
        }
        String text = scrape();
        for (int i = 0; i < 50 && text.contains("cgroup=\"" + cg + "\""); i++) {
            Thread.sleep(100);
            text = scrape();
        }
        assertTrue(!text.contains("cgroup=\"" + cg + "\""), "no series of the removed cgroup remain");
    }

    static double delta(String before, String after, String name, String... labels) {
        return value(after, name, labels) - value(before, name, labels);
    }
}
