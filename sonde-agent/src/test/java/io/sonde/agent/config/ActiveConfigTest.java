package io.sonde.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The active prober's settings (probes.probe): defaults, values, address forms, and refusals naming the key. */
class ActiveConfigTest {
    @Test
    void defaultsHaveNoTargets() throws ConfigException {
        AgentConfig.Active a = ConfigLoader.parse("s.yaml", "").probes().probe();
        assertEquals(List.of(), a.targets());
        assertEquals(1000, a.intervalMs());
        assertEquals(1000, a.timeoutMs());
        assertEquals(100, a.window());
        assertEquals(a, new AgentConfig.Active());
        assertEquals(a, ConfigLoader.parse("s.yaml", "probes:\n  probe: {}\n").probes().probe());
    }

    @Test
    void values() throws ConfigException {
        AgentConfig config = ConfigLoader.parse("s.yaml", """
                probes:
                  probe:
                    interval_ms: 250
                    timeout_ms: 2000
                    window: 600
                    targets:
                      - {kind: tcp, address: "db.internal:5432"}
                      - {kind: icmp, address: 10.0.0.1}
                      - {kind: icmp, address: "fd00::1", name: edge6}
                      - {kind: udp, address: "[fd00::1]:7", netns: blue}
                      - {kind: tcp, address: "127.0.0.1:80", netns: /proc/1/ns/net}
                """);
        AgentConfig.Active a = config.probes().probe();
        assertEquals(250, a.intervalMs());
        assertEquals(2000, a.timeoutMs());
        assertEquals(600, a.window());
        List<ProbeTarget> t = a.targets();
        assertEquals(5, t.size());
        assertEquals("db.internal", t.get(0).host());
        assertEquals(5432, t.get(0).port());
        assertEquals("db.internal:5432", t.get(0).label());
        assertNull(t.get(0).netnsPath());
        assertEquals("10.0.0.1", t.get(1).host());
        assertEquals(-1, t.get(1).port());
        assertEquals("fd00::1", t.get(2).host());
        assertEquals("edge6", t.get(2).label());
        assertEquals("fd00::1", t.get(3).host());
        assertEquals(7, t.get(3).port());
        assertEquals("/var/run/netns/blue", t.get(3).netnsPath());
        assertEquals("/proc/1/ns/net", t.get(4).netnsPath());
        AgentConfig narrowed = config.withEnabledProbes(List.of("probe"));
        assertEquals(a, narrowed.probes().probe());
        Map<String, Object> settings = narrowed.settingsOf("probe");
        assertEquals(250, settings.get("interval_ms"));
        assertEquals(Map.of("kind", "udp", "address", "[fd00::1]:7", "target", "[fd00::1]:7", "netns", "blue"),
                ((List<?>) settings.get("targets")).get(3));
        assertEquals(a, ConfigLoader.parse("s.yaml", "probes:\n  probe:\n    interval_ms: 250\n    timeout_ms: 2000\n"
                + "    window: 600\n    targets: " + "[" + String.join(", ", t.stream().map(ActiveConfigTest::flow)
                .toList()) + "]\n").probes().probe());
    }

    private static String flow(ProbeTarget t) {
        return "{kind: " + t.kind() + ", address: \"" + t.address() + "\"" + (t.name() == null ? "" : ", name: "
                + t.name()) + (t.netns() == null ? "" : ", netns: " + t.netns()) + "}";
    }

    @Test
    void theDocumentedTargetsParse() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/configuration.md"));
        String yaml = doc.substring(doc.indexOf("```yaml") + 7, doc.indexOf("```", doc.indexOf("```yaml") + 7));
        List<ProbeTarget> t = ConfigLoader.parse("configuration.md", yaml).probes().probe().targets();
        assertEquals(List.of("tcp", "icmp", "udp"), t.stream().map(ProbeTarget::kind).toList());
        assertEquals("edge-echo", t.get(2).label());
        assertEquals("/var/run/netns/blue", t.get(2).netnsPath());
    }

    @Test
    void addressForms() {
        assertEquals("::1", new ProbeTarget("icmp", "::1", null, null).host());
        assertEquals("::1", new ProbeTarget("icmp", "[::1]", null, null).host());
        assertEquals("example.com.", new ProbeTarget("icmp", "example.com.", null, null).host());
        assertEquals(65535, new ProbeTarget("udp", "a-b.example:65535", null, null).port());
        for (String[] bad : new String[][] {
            {"tcp", "10.0.0.1"},            // no port
            {"udp", "::1"},                 // IPv6 with a port needs brackets
            {"tcp", "10.0.0.1:0"},
            {"tcp", "10.0.0.1:65536"},
            {"tcp", "10.0.0.1:http"},
            {"tcp", ":80"},
            {"icmp", "10.0.0.1:80"},        // icmp has no port
            {"icmp", "10.0.0.300"},
            {"icmp", "bad_name.example"},
            {"icmp", "-lead.example"},
            {"icmp", "[10.0.0.1]"},
            {"tcp", "[fd00::1:80"},
            {"tcp", "[fd00::1]80"},
            {"icmp", ""},
        }) {
            ConfigValueException e = assertThrows(ConfigValueException.class,
                    () -> new ProbeTarget(bad[0], bad[1], null, null), bad[0] + " " + bad[1]);
            assertEquals("address", e.key(), bad[1]);
        }
    }

    @Test
    void refusalsNameTheKey() {
        refused("probes:\n  probe:\n    targets:\n      - kind: http\n        address: x:80\n",
                "probes.probe.targets[0].kind", 4, "must be one of icmp, tcp, udp, got \"http\"");
        refused("probes:\n  probe:\n    targets:\n      - address: x:80\n",
                "probes.probe.targets[0].kind", 4, "got nothing");
        refused("probes:\n  probe:\n    targets:\n      - {kind: icmp, address: 10.0.0.1}\n"
                + "      - {kind: tcp, address: 10.0.0.1}\n",
                "probes.probe.targets[1].address", 5, "tcp needs host:port");
        refused("probes:\n  probe:\n    targets:\n      - {kind: udp, address: \"h:7\", netns: a/b}\n",
                "probes.probe.targets[0].netns", 4, "a name under /var/run/netns or an absolute path");
        refused("probes:\n  probe:\n    targets:\n      - {kind: udp, address: \"h:7\", name: \"\"}\n",
                "probes.probe.targets[0].name", 4, "must not be empty");
        refused("probes:\n  probe:\n    targets:\n      - {kind: udp, address: \"h:7\"}\n"
                + "      - {kind: udp, address: \"g:7\", name: \"h:7\"}\n",
                "probes.probe.targets", 3, "two udp targets are labelled \"h:7\"");
        refused("probes:\n  probe:\n    interval_ms: 0\n", "probes.probe.interval_ms", 3, "must be at least 1, got 0");
        refused("probes:\n  probe:\n    timeout_ms: -5\n", "probes.probe.timeout_ms", 3, "must be at least 1");
        refused("probes:\n  probe:\n    window: 0\n", "probes.probe.window", 3, "must be at least 1");
        refused("probes:\n  probe:\n    window: 100001\n", "probes.probe.window", 3, "must be at most 100000");
        refused("probes:\n  probe:\n    targets:\n      - {kind: tcp, address: \"h:7\", port: 7}\n",
                "probes.probe.targets[0].port", 4, "unknown key");
    }

    private static void refused(String yaml, String key, int line, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("s.yaml", yaml), yaml);
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertEquals(line, e.line(), e.getMessage());
    }
}
