package io.sonde.agent;

import static io.sonde.agent.AgentWorkloadTest.delta;
import static io.sonde.agent.Exposition.value;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.config.ConfigLoader;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** By default (latency off), one program on sys_exit counts calls and failures exactly. */
class SyscallsCountOnlyTest {
    @Test
    void countsAreExactWithoutLatency() throws Exception {
        KernelHost.require();
        AgentConfig config = ConfigLoader.parse("test.yaml", """
                probes:
                  enabled: [syscalls]
                """);
        Path cgroup = KernelHost.newCgroup();
        String cg = KernelHost.label(cgroup);
        try (AgentHarness agent = AgentHarness.start(config)) {
            assertEquals(1, agent.agent().supervisor().describe().get(0).get("programs") instanceof java.util.List<?> l
                    ? l.size() : -1, "one program: sys_exit_count");
            String[] before = new String[1];
            AgentHarness.runWorkload(cgroup, () -> {
                try {
                    before[0] = agent.scrape();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "run", "30", "12", "0", "0", "41");
            String after = agent.scrape();
            assertEquals(30, delta(before[0], after, "sonde_syscalls_total", "cgroup", cg, "syscall", "openat"));
            assertEquals(12, delta(before[0], after, "sonde_syscall_errors_total", "cgroup", cg, "syscall", "openat",
                    "errno", "ENOENT"));
            assertEquals(41, delta(before[0], after, "sonde_syscalls_total", "cgroup", cg, "syscall", "getppid"));
            assertEquals(0, value(after, "sonde_syscall_duration_seconds_count"), "no durations without latency");
        } finally {
            KernelHost.removeCgroup(cgroup);
        }
    }
}
