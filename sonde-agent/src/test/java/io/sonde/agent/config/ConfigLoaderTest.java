package io.sonde.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** Configuration files are read strictly, and every refusal names the file, line and key. */
class ConfigLoaderTest {
    @Test
    void emptyAndMissingSectionsGiveDefaults() throws ConfigException {
        AgentConfig c = ConfigLoader.parse("s.yaml", "");
        assertEquals("127.0.0.1:9949", c.web().listenAddress());
        assertEquals(1000, c.metrics().seriesBudget());
        AgentConfig d = ConfigLoader.parse("s.yaml", "metrics:\n  series_budget: 50\n");
        assertEquals(50, d.metrics().seriesBudget());
        assertEquals(16384, d.probes().syscalls().maxEntries());
    }

    @Test
    void theDocumentedExampleParses() throws Exception {
        String doc = java.nio.file.Files.readString(Path.of("../docs/configuration.md"));
        String yaml = doc.substring(doc.indexOf("```yaml") + 7, doc.indexOf("```", doc.indexOf("```yaml") + 7));
        AgentConfig c = ConfigLoader.parse("configuration.md", yaml);
        assertEquals(java.util.List.of("syscalls", "process", "files"), c.probes().enabled());
    }

    @Test
    void unknownKeyNamesLineAndKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("s.yaml",
                "web:\n  listen_address: 127.0.0.1:1\nmetrics:\n  series_budgett: 5\n"));
        assertEquals(4, e.line());
        assertEquals("metrics.series_budgett", e.key());
        assertTrue(e.getMessage().startsWith("s.yaml:4: metrics.series_budgett: unknown key"), e.getMessage());
        assertTrue(e.getMessage().contains("series_budget"), "lists the known keys: " + e.getMessage());
    }

    @Test
    void wrongTypeNamesLineAndKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("s.yaml",
                "probes:\n  files:\n    sample_every: lots\n"));
        assertEquals(3, e.line());
        assertEquals("probes.files.sample_every", e.key());
        assertTrue(e.getMessage().contains("integer"), e.getMessage());
    }

    @Test
    void impossibleValueNamesLineAndKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("s.yaml",
                "# budget\nmetrics:\n\n  series_budget: 0\n"));
        assertEquals(4, e.line());
        assertEquals("metrics.series_budget", e.key());
        assertTrue(e.getMessage().contains("must be at least 1, got 0"), e.getMessage());
        ConfigException port = assertThrows(ConfigException.class, () -> ConfigLoader.parse("s.yaml",
                "web:\n  listen_address: 127.0.0.1:99999\n"));
        assertEquals(2, port.line());
        assertEquals("web.listen_address", port.key());
    }

    @Test
    void brokenYamlAndMissingFile() {
        ConfigException yaml = assertThrows(ConfigException.class, () -> ConfigLoader.parse("s.yaml",
                "web: [unclosed\n"));
        assertTrue(yaml.getMessage().startsWith("s.yaml:"), yaml.getMessage());
        ConfigException missing = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Path.of("/nonexistent/sonde.yaml")));
        assertEquals("/nonexistent/sonde.yaml: no such file", missing.getMessage());
    }
}
