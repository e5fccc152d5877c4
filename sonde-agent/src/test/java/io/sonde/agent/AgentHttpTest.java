package io.sonde.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.sonde.agent.web.WebServer;

import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP interface: health, readiness, /api/probes, content negotiation, errors, and the metrics catalogue. */
class AgentHttpTest {
    private static AgentHarness agent;

    @BeforeAll
    static void start() throws Exception {
        KernelHost.require();
        agent = AgentHarness.start();
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void healthReadinessAndProbes() throws Exception {
        assertEquals(200, agent.get("/-/healthy").statusCode());
        assertEquals(200, agent.get("/-/ready").statusCode());
        HttpResponse<String> r = agent.get("/api/probes");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode probes = new ObjectMapper().readTree(r.body()).path("probes");
        List<String> names = new ArrayList<>();
        for (JsonNode p : probes) {
            names.add(p.path("name").asText());
            assertEquals("up", p.path("state").asText(), p.toString());
            for (JsonNode program : p.path("programs")) {
                assertTrue(program.path("id").asInt() > 0 && !program.path("attached").asText().isEmpty(),
                        p.toString());
            }
        }
        assertEquals(io.sonde.agent.probe.ProbeCatalog.names(), names);
        assertTrue(probes.get(0).path("programs").size() >= 1 && probes.get(0).path("maps").size() >= 3,
                "the syscalls probe shows its programs and maps: " + probes.get(0));
    }

    @Test
    void readyIsNotReadyUntilProbesHaveStarted() throws Exception {
        try (WebServer web = WebServer.start(new InetSocketAddress("127.0.0.1", 0), new PrometheusRegistry(),
                () -> false, List::of)) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + web.address().getPort() + "/-/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, r.statusCode());
        }
    }

    @Test
    void prometheusTextAndOpenMetrics() throws Exception {
        HttpResponse<String> text = agent.get("/metrics");
        assertTrue(text.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        assertTrue(text.body().contains("sonde_probe_up{probe=\"syscalls\"} 1"), "probe up");
        HttpResponse<String> om = agent.get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0");
        assertTrue(om.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
        assertTrue(om.body().strip().endsWith("# EOF"), "OpenMetrics ends with # EOF");
    }

    @Test
    void errorsAreJsonWithTheReason() throws Exception {
        HttpResponse<String> missing = agent.get("/nope");
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().contains("no such endpoint: /nope"), missing.body());
        HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(agent.url()
                + "/metrics")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertTrue(post.body().contains("method POST not allowed"), post.body());
    }

    @Test
    void aFailingCollectorIsA500WithTheReasonNotADroppedConnection() throws Exception {
        io.prometheus.metrics.model.registry.MultiCollector broken = () -> {
            throw new IllegalStateException("collector broke");
        };
        agent.agent().registry().register(broken);
        try {
            HttpResponse<String> r = agent.get("/metrics");
            assertEquals(500, r.statusCode());
            assertTrue(r.body().contains("collector broke"), r.body());
        } finally {
            agent.agent().registry().unregister(broken);
        }
        assertEquals(200, agent.get("/metrics").statusCode());
    }

    @Test
    void everyMetricIsInTheCatalogue() throws Exception {
        String catalogue = Files.readString(Path.of("../docs/metrics.md"));
        List<String> missing = new ArrayList<>();
        for (String line : agent.scrape().split("\n")) {
            if (!line.startsWith("# TYPE ")) {
                continue;
            }
            String[] f = line.split(" ");
            String name = f[2] + (f[3].equals("counter") && !f[2].endsWith("_total") ? "_total"
                    : f[3].equals("info") ? "_info" : "");
            if (name.startsWith("jvm_") || name.startsWith("process_")) {
                continue; // the JVM families, listed as families in the catalogue
            }
            if (!catalogue.contains("`" + name + "`")) {
                missing.add(name);
            }
        }
        assertEquals(List.of(), missing, "metrics missing from docs/metrics.md");
    }
}
