package io.sonde.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.events.EnrichedEvent;
import io.sonde.agent.events.EventBus;
import io.sonde.agent.events.EventFilter;
import io.sonde.agent.probe.SlowSyscallEvent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Slow-syscall events: off by default the syscalls probe attaches only its counting program; switched
 * on at run time (no reload) it attaches slow_enter/slow_exit, and a workload's N nanosleeps of 10 ms
 * each give exactly N events over a 5 ms threshold, with the syscall's name and duration; a pid filter
 * naming another process then leaves them out.
 */
class SlowSyscallEventTest {
    private static final int SLEEPS = 4;

    @Test
    void nanosleepsOverTheThresholdAreEvents() throws Exception {
        KernelHost.require();
        Path cgroup = KernelHost.newCgroup();
        String label = KernelHost.label(cgroup);
        AgentConfig config = AgentConfig.defaults().withEnabledProbes(List.of("syscalls"));
        try (AgentHarness agent = AgentHarness.start(config);
                EventBus.Subscription sub = agent.agent().events().subscribe("test", 10_000,
                        new EventFilter(Set.of("syscall"), label, null, 0, null, 0))) {
            var probe = agent.agent().supervisor().running("syscalls");
            assertEquals(List.of("sys_exit_count"), names(probe.programs()), "the default attaches one program");
            var changer = agent.agent().supervisor();
            changer.changeSettings("syscalls", "{\"slow_events\": true, \"slow_threshold_us\": 5000}");
            assertEquals(List.of("sys_exit_count", "slow_enter", "slow_exit"), names(probe.programs()));
            AgentHarness.runWorkload(cgroup, () -> {}, "sleep", Integer.toString(SLEEPS));
            List<SlowSyscallEvent> events = new ArrayList<>();
            long quiet = System.nanoTime();
            while (System.nanoTime() - quiet < TimeUnit.MILLISECONDS.toNanos(1500)) {
                EnrichedEvent e = sub.poll(100, TimeUnit.MILLISECONDS);
                if (e != null) {
                    events.add((SlowSyscallEvent) e.event());
                    quiet = System.nanoTime();
                }
            }
            List<SlowSyscallEvent> sleeps = events.stream().filter(e -> e.syscall().equals("nanosleep")).toList();
            assertEquals(SLEEPS, sleeps.size(), "one event per 10 ms sleep: " + events);
            for (SlowSyscallEvent e : sleeps) {
                assertTrue(e.latencyNanos() >= 10_000_000, e.toString());
                assertEquals("workload", e.comm());
                assertEquals(0, e.ret());
            }
            // the wait for "go" (a read of stdin) may be slow too; nothing faster than the threshold comes
            assertTrue(events.stream().allMatch(e -> e.latencyNanos() >= 5_000_000), events.toString());
            // a kernel filter naming another process (this JVM) leaves the workload's sleeps out
            changer.changeSettings("syscalls", "{\"slow_pid\": " + ProcessHandle.current().pid() + "}");
            AgentHarness.runWorkload(cgroup, () -> {}, "sleep", Integer.toString(SLEEPS));
            EnrichedEvent more = sub.poll(1500, TimeUnit.MILLISECONDS);
            assertEquals(null, more, "filtered out in the kernel");
            changer.changeSettings("syscalls", "{\"slow_events\": false, \"slow_pid\": 0}");
            assertEquals(List.of("sys_exit_count"), names(probe.programs()), "switched off: detached");
        } finally {
            KernelHost.removeCgroup(cgroup);
        }
    }

    private static List<String> names(List<Map<String, Object>> programs) {
        return programs.stream().map(p -> (String) p.get("name")).toList();
    }
}
