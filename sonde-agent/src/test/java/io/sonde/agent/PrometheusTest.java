package io.sonde.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Debian's promtool accepts the exposition without complaint, and a real Prometheus server, started
 * on loopback by the test, scrapes the agent: a PromQL query returns the workload's exact numbers.
 */
class PrometheusTest {
    @Test
    void promtoolAndPrometheusAcceptTheExposition() throws Exception {
        KernelHost.require();
        requireTool("promtool");
        requireTool("prometheus");
        Path cgroup = KernelHost.newCgroup();
        Path dir = Files.createTempDirectory("sonde-prometheus");
        Process prometheus = null;
        try (AgentHarness agent = AgentHarness.start()) {
            int getppids = 31;
            AgentHarness.runWorkload(cgroup, () -> { }, "run", "3", "1", "0", "0", "" + getppids);
            String text = agent.scrape();

            Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
            promtool.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            promtool.getOutputStream().close();
            String complaints = new String(promtool.getInputStream().readAllBytes()).strip();
            assertTrue(promtool.waitFor(60, TimeUnit.SECONDS));
            assertEquals("", complaints, "promtool check metrics");
            assertEquals(0, promtool.exitValue());

            int port = freePort();
            Files.writeString(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                    scrape_configs:
                      - job_name: sonde
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    """.formatted(agent.agent().address().getPort()));
            prometheus = new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            String query = "sonde_syscalls_total{cgroup=\"" + KernelHost.label(cgroup) + "\",syscall=\"getppid\"}";
            double seen = -1;
            for (int i = 0; i < 60 && seen != getppids; i++) {
                Thread.sleep(500);
                seen = query(port, query);
            }
            assertEquals(getppids, seen, "PromQL " + query);
            assertEquals(1, query(port, "sonde_probe_up{probe=\"syscalls\"}"));
        } finally {
            if (prometheus != null) {
                prometheus.destroy();
                prometheus.waitFor(10, TimeUnit.SECONDS);
            }
            KernelHost.removeCgroup(cgroup);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void requireTool(String tool) {
        if (Stream.of(System.getenv("PATH").split(":")).noneMatch(d -> Files.isExecutable(Path.of(d, tool)))) {
            fail(tool + " is not installed (Debian package prometheus; make deps installs it)");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The value of an instant query with one result, or -1 when it has none yet. */
    private static double query(int port, String promql) throws IOException, InterruptedException {
        HttpResponse<String> r;
        try {
            r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException notUpYet) {
            return -1;
        }
        JsonNode result = new ObjectMapper().readTree(r.body()).path("data").path("result");
        return result.size() == 1 ? result.get(0).path("value").get(1).asDouble() : -1;
    }
}
