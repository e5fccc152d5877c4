package io.sonde.agent;

import static io.sonde.agent.Exposition.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.probe.ProgramCostSampler;
import io.sonde.bpf.Kernel;
import io.sonde.bpf.ProgramInfo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;

/**
 * Program cost from short statistics windows (1 s every 2 s here): the estimates appear and grow,
 * statistics are off between windows, and /api/probes shows the agent's own footprint.
 */
class ProgramCostSamplerTest {
    @Test
    void estimatesFromWindowsAndStatisticsOffBetween() throws Exception {
        KernelHost.require();
        AgentConfig config = new AgentConfig(null, new AgentConfig.Probes(List.of("syscalls"), null, null, null), null,
                null, new AgentConfig.Overhead(1, 2));
        AtomicBoolean busy = new AtomicBoolean(true);
        Thread load = Thread.ofPlatform().daemon().start(() -> {
            Path self = Path.of("/proc/self/stat");
            while (busy.get()) {
                Files.isReadable(self); // one access(2) per turn
                Thread.onSpinWait();
            }
        });
        ProgramCostSampler cost;
        try (AgentHarness agent = AgentHarness.start(config)) {
            cost = agent.agent().programCost();
            awaitWindows(cost, 1);
            String first = agent.scrape();
            double runs1 = value(first, "sonde_program_runs_total", "probe", "syscalls");
            double seconds1 = value(first, "sonde_program_run_seconds_total", "probe", "syscalls");
            double ratio = value(first, "sonde_probe_cpu_ratio", "probe", "syscalls");
            assertTrue(runs1 > 0, "runs estimated: " + runs1);
            assertTrue(seconds1 > 0, "run time estimated: " + seconds1);
            assertTrue(ratio > 0 && ratio < 1, "cpu ratio: " + ratio);
            assertTrue(value(first, "sonde_program_runs_total", "probe", "syscalls", "program", "sys_exit_count") > 0,
                    "labelled with the program's name");

            awaitWindows(cost, cost.windows() + 1);
            String second = agent.scrape();
            double runs2 = value(second, "sonde_program_runs_total", "probe", "syscalls");
            assertTrue(runs2 > runs1, "runs grow: " + runs1 + " -> " + runs2);
            assertTrue(value(second, "sonde_program_run_seconds_total", "probe", "syscalls") > seconds1);

            JsonNode api = new ObjectMapper().readTree(agent.get("/api/probes").body());
            JsonNode self = api.get("agent");
            long rss = residentBytes();
            double cpu = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos() / 1e9;
            assertTrue(self.get("cpu_seconds").asDouble() > 0 && self.get("cpu_seconds").asDouble() <= cpu,
                    "cpu " + self.get("cpu_seconds") + " vs " + cpu);
            assertTrue(Math.abs(self.get("resident_bytes").asLong() - rss) < rss / 2, "rss " + self.get("resident_bytes")
                    + " vs VmRSS " + rss);
            assertTrue(self.get("heap_used_bytes").asLong() > 0);
            assertTrue(self.has("direct_buffer_bytes") && self.has("non_heap_used_bytes"), self.toString());
            assertTrue(self.get("program_cost").get("windows").asLong() >= 2);
            assertTrue(self.get("program_cost").get("probe_cpu_ratio").get("syscalls").asDouble() > 0);
            assertEquals("syscalls", api.get("probes").get(0).get("name").asText());

            // recursion misses: every running program has its series, at what the kernel counted for it
            String third = agent.scrape();
            for (JsonNode program : new ObjectMapper().readTree(agent.get("/api/probes").body()).get("probes").get(0)
                    .get("programs")) {
                String name = program.get("name").asText();
                long kernel = program.get("recursion_misses").asLong();
                double served = value(third, "sonde_program_recursion_misses_total", "probe", "syscalls", "program",
                        name);
                assertTrue(served >= 0 && served <= kernel, name + ": served " + served + ", kernel " + kernel);
                assertTrue(third.contains("sonde_program_recursion_misses_total{probe=\"syscalls\",program=\""
                        + name + "\"}"), "series of " + name);
            }

            assertStatisticsOffBetweenWindows(agent, cost);
        } finally {
            busy.set(false);
            load.join();
        }
        assertFalse(cost.inWindow(), "no window open after close");
    }

    /** Between two windows the kernel must not count runs: a gap that no other process's window overlaps shows it. */
    private static void assertStatisticsOffBetweenWindows(AgentHarness agent, ProgramCostSampler cost)
            throws Exception {
        assumeTrue(Files.readString(Path.of("/proc/sys/kernel/bpf_stats_enabled")).strip().equals("0"),
                "kernel.bpf_stats_enabled is on for everyone");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> programs = (List<Map<String, Object>>) agent.agent().supervisor().describe().get(0)
                .get("programs");
        int id = (Integer) programs.get(0).get("id");
        LongSupplier runCount = () -> {
            int fd = Kernel.programFdById(id);
            try {
                return ProgramInfo.of(fd).runCount();
            } finally {
                Kernel.closeFd(fd);
            }
        };
        String seen = "";
        for (int gap = 0; gap < 10; gap++) {
            long w = cost.windows();
            awaitWindows(cost, w + 1);
            boolean alone = Kernel.otherStatsHolders().isEmpty(); // other agents' windows count runs too
            long before = runCount.getAsLong();
            Thread.sleep(200); // the load thread keeps making syscalls
            long after = runCount.getAsLong();
            alone &= Kernel.otherStatsHolders().isEmpty();
            assertEquals(w + 1, cost.windows(), "still in the same gap");
            assertFalse(cost.inWindow());
            if (alone && after == before) {
                return;
            }
            seen += " " + before + "->" + after + (alone ? "" : "(shared)");
        }
        fail("run count grew between windows in 10 gaps:" + seen);
    }

    private static void awaitWindows(ProgramCostSampler cost, long n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (cost.windows() < n || cost.inWindow()) {
            if (System.nanoTime() > deadline) {
                fail("no statistics window completed: " + cost.windows() + " of " + n);
            }
            Thread.sleep(5);
        }
    }

    private static long residentBytes() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).strip().split("\\s+")[0]) * 1024;
            }
        }
        throw new AssertionError("no VmRSS");
    }
}
