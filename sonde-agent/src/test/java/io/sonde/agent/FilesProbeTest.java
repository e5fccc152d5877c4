package io.sonde.agent;

import static io.sonde.agent.AgentWorkloadTest.delta;
import static io.sonde.agent.Exposition.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sonde.agent.config.ConfigLoader;
import io.sonde.agent.probe.FilesProbe;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The files probe counts exactly whichever way it counts: from the syscalls probe's maps when both run
 * (no program of its own attached), or from its own exit tracepoints when it runs alone; and file-open
 * events switched on over borrowed counts neither double the counts nor miss an open.
 */
class FilesProbeTest {
    private static final int OPENS = 40;
    private static final int FAILED = 15;

    @Test
    void withTheSyscallsProbeItBorrowsItsCountsAndAttachesNothing() throws Exception {
        KernelHost.require();
        try (AgentHarness agent = AgentHarness.start(ConfigLoader.parse("test.yaml",
                "probes:\n  enabled: [files, syscalls]\n"))) {
            FilesProbe files = (FilesProbe) agent.agent().supervisor().running("files");
            assertTrue(files.borrowsCounts(), "counts come from the syscalls probe, whatever the order named");
            assertEquals(List.of(), programs(agent, "files"), "no program of its own attached");
            assertExactCounts(agent);
        }
    }

    @Test
    void aloneItCountsWithItsOwnExitTracepoints() throws Exception {
        KernelHost.require();
        try (AgentHarness agent = AgentHarness.start(ConfigLoader.parse("test.yaml", "probes:\n  enabled: [files]\n"))) {
            FilesProbe files = (FilesProbe) agent.agent().supervisor().running("files");
            assertFalse(files.borrowsCounts());
            List<?> attached = programs(agent, "files");
            assertTrue(attached.stream().anyMatch(p -> "exit_openat".equals(((Map<?, ?>) p).get("name"))),
                    "exit_openat attached: " + attached);
            assertExactCounts(agent);
        }
    }

    @Test
    void eventsOverBorrowedCountsAttachTheExitProgramsWithoutCountingTwice() throws Exception {
        KernelHost.require();
        Path cgroup = KernelHost.newCgroup();
        String cg = KernelHost.label(cgroup);
        try (AgentHarness agent = AgentHarness.start(ConfigLoader.parse("test.yaml",
                "probes:\n  enabled: [syscalls, files]\n"))) {
            agent.agent().supervisor().changeSettings("files", "{\"events\": true, \"cgroup\": \"" + cg + "\"}");
            assertTrue(programs(agent, "files").size() >= 2, "enter and exit programs attached for the events");
            String[] before = new String[1];
            AgentHarness.runWorkload(cgroup, () -> before[0] = scrape(agent), "run", "" + OPENS, "" + FAILED, "0",
                    "0", "0");
            String after = scrape(agent);
            assertEquals(OPENS, delta(before[0], after, "sonde_file_opens_total", "cgroup", cg), "opens once each");
            assertEquals(FAILED, delta(before[0], after, "sonde_file_open_errors_total", "cgroup", cg, "errno",
                    "ENOENT"));
            // the ring is drained every half second: wait for the events to arrive, then check the number
            double events = 0;
            for (int i = 0; i < 50 && events < OPENS; i++) {
                Thread.sleep(100);
                events = delta(before[0], scrape(agent), "sonde_events_total", "probe", "files", "type", "open");
            }
            assertEquals(OPENS, events, "one event per open of the filtered cgroup");
            agent.agent().supervisor().changeSettings("files", "{\"events\": false}");
            assertEquals(List.of(), programs(agent, "files"), "events off: nothing attached again");
        } finally {
            KernelHost.removeCgroup(cgroup);
        }
    }

    private static void assertExactCounts(AgentHarness agent) throws Exception {
        Path cgroup = KernelHost.newCgroup();
        String cg = KernelHost.label(cgroup);
        try {
            String[] before = new String[1];
            AgentHarness.runWorkload(cgroup, () -> before[0] = scrape(agent), "run", "" + OPENS, "" + FAILED, "0", "0",
                    "0");
            String after = scrape(agent);
            assertEquals(OPENS, delta(before[0], after, "sonde_file_opens_total", "cgroup", cg), "file opens");
            assertEquals(FAILED, delta(before[0], after, "sonde_file_open_errors_total", "cgroup", cg, "errno",
                    "ENOENT"), "failed opens");
            assertEquals(0, value(after, "sonde_file_open_errors_total", "cgroup", cg, "errno", "EACCES"),
                    "no other errno");
        } finally {
            KernelHost.removeCgroup(cgroup);
        }
    }

    private static List<?> programs(AgentHarness agent, String probe) {
        return agent.agent().supervisor().describe().stream().filter(p -> probe.equals(p.get("name")))
                .map(p -> (List<?>) p.get("programs")).findFirst().orElseThrow();
    }

    private static String scrape(AgentHarness agent) {
        try {
            return agent.scrape();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
