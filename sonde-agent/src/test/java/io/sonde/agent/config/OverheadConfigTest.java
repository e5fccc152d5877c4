package io.sonde.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The overhead section: defaults, values, refusals, and its survival of the command-line overrides. */
class OverheadConfigTest {
    @Test
    void defaults() throws ConfigException {
        AgentConfig.Overhead o = ConfigLoader.parse("s.yaml", "").overhead();
        assertEquals(2, o.windowSeconds());
        assertEquals(60, o.periodSeconds());
        assertEquals(List.of("process"), o.keepAttached());
        assertEquals(o, new AgentConfig(null, null, null, null).overhead());
    }

    @Test
    void values() throws ConfigException {
        AgentConfig config = ConfigLoader.parse("s.yaml", "overhead:\n  window_seconds: 1\n  period_seconds: 2\n");
        assertEquals(new AgentConfig.Overhead(1, 2), config.overhead());
        assertEquals(config.overhead(), config.withListenAddress("127.0.0.1:0").withEnabledProbes(List.of("syscalls"))
                .overhead());
    }

    @Test
    void keptAttached() throws ConfigException {
        AgentConfig config = ConfigLoader.parse("s.yaml", "overhead:\n  keep_attached: [syscalls, sched]\n");
        assertEquals(List.of("syscalls", "sched"), config.overhead().keepAttached());
        assertEquals(List.of(), ConfigLoader.parse("s.yaml", "overhead:\n  keep_attached: []\n").overhead()
                .keepAttached());
    }

    @Test
    void refusals() {
        ConfigException zero = assertThrows(ConfigException.class, () -> ConfigLoader.parse("s.yaml",
                "overhead:\n  window_seconds: 0\n"));
        assertEquals("overhead.window_seconds", zero.key());
        ConfigException shorter = assertThrows(ConfigException.class, () -> ConfigLoader.parse("s.yaml",
                "overhead:\n  window_seconds: 5\n  period_seconds: 5\n"));
        assertEquals("overhead.period_seconds", shorter.key());
        assertEquals(3, shorter.line());
        assertTrue(shorter.getMessage().contains("more than window_seconds"), shorter.getMessage());
    }
}
