package io.sonde.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The cgroups probe's settings: defaults, values, refusals, and their survival of --probes. */
class CgroupsConfigTest {
    @Test
    void defaults() throws ConfigException {
        AgentConfig.Cgroups c = ConfigLoader.parse("s.yaml", "").probes().cgroups();
        assertEquals(List.of("/system.slice/*.service"), c.include());
        assertEquals(10_000, c.maxCgroups());
        assertEquals(c, new AgentConfig.Probes(null, null, null, null).cgroups());
    }

    @Test
    void values() throws ConfigException {
        AgentConfig config = ConfigLoader.parse("s.yaml", "probes:\n  cgroups:\n    include: [\"/kubepods.slice/**\", "
                + "/init.scope]\n    max_cgroups: 50\n");
        assertEquals(List.of("/kubepods.slice/**", "/init.scope"), config.probes().cgroups().include());
        assertEquals(50, config.probes().cgroups().maxCgroups());
        assertEquals(List.of(), ConfigLoader.parse("s.yaml", "probes:\n  cgroups:\n    include: []\n").probes()
                .cgroups().include());
        AgentConfig narrowed = config.withEnabledProbes(List.of("cgroups"));
        assertEquals(config.probes().cgroups(), narrowed.probes().cgroups());
        assertEquals(Map.of("include", List.of("/kubepods.slice/**", "/init.scope"), "max_cgroups", 50),
                narrowed.settingsOf("cgroups"));
    }

    @Test
    void refusals() {
        ConfigException relative = assertThrows(ConfigException.class, () -> ConfigLoader.parse("s.yaml",
                "probes:\n  cgroups:\n    include: [system.slice]\n"));
        assertEquals(3, relative.line());
        assertEquals("probes.cgroups.include", relative.key());
        assertTrue(relative.getMessage().contains("must start with /"), relative.getMessage());
        ConfigException zero = assertThrows(ConfigException.class, () -> ConfigLoader.parse("s.yaml",
                "probes:\n  cgroups:\n    max_cgroups: 0\n"));
        assertEquals("probes.cgroups.max_cgroups", zero.key());
    }
}
