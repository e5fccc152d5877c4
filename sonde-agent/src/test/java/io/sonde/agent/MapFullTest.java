package io.sonde.agent;

import static io.sonde.agent.Exposition.value;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sonde.agent.config.AgentConfig;

import java.util.List;

import org.junit.jupiter.api.Test;

/** A kernel map too small for the work counts every update it could not make. */
class MapFullTest {
    @Test
    void fullMapsAreCountedNotSilent() throws Exception {
        KernelHost.require();
        AgentConfig config = new AgentConfig(null, new AgentConfig.Probes(List.of("syscalls"),
                new AgentConfig.Syscalls(2), null, null), null, null);
        try (AgentHarness agent = AgentHarness.start(config)) {
            Thread.sleep(200); // any host makes more than two kinds of syscall in this time
            String text = agent.scrape();
            assertTrue(value(text, "sonde_map_insert_failures_total", "probe", "syscalls") > 0, text);
            assertTrue(value(text, "sonde_syscalls_total") > 0);
        }
    }
}
