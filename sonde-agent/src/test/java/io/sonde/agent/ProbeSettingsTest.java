package io.sonde.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.events.EnrichedEvent;
import io.sonde.agent.events.EventBus;
import io.sonde.agent.probe.FileOpenEvent;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * PUT /api/probes/{probe}/settings changes what the kernel side does while it runs: two processes open
 * a file every 5 ms; after a pid filter naming the first is PUT, the second's opens stop arriving (none
 * stamped later than one second after the request was sent), the first's go on. Bad settings get a 400
 * naming the field, and nothing changes.
 */
class ProbeSettingsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aPidFilterTakesEffectWithinOneSecond() throws Exception {
        KernelHost.require();
        Path cgroup = KernelHost.newCgroup();
        AgentConfig config = new AgentConfig(null, new AgentConfig.Probes(List.of("files"), null, null,
                new AgentConfig.Files(true, null, null, null, null, null, null)), null, null);
        try (AgentHarness agent = AgentHarness.start(config);
                Opener one = new Opener(cgroup);
                Opener two = new Opener(cgroup);
                EventBus.Subscription sub = agent.agent().events().subscribe("test", 100_000,
                        e -> e instanceof FileOpenEvent && (e.pid() == one.pid() || e.pid() == two.pid()))) {
            List<FileOpenEvent> before = collect(sub, 700);
            assertTrue(before.stream().anyMatch(e -> e.pid() == one.pid()), "opens of the first before");
            assertTrue(before.stream().anyMatch(e -> e.pid() == two.pid()), "opens of the second before");

            long sent = System.nanoTime();
            HttpResponse<String> r = put(agent, "files", "{\"pid\": " + one.pid() + "}");
            long answered = System.nanoTime();
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(one.pid(), JSON.readTree(r.body()).path("settings").path("pid").asLong());
            List<FileOpenEvent> after = collect(sub, 1500);
            List<FileOpenEvent> late = after.stream().filter(e -> e.pid() == two.pid()
                    && e.timestampNanos() > sent + TimeUnit.SECONDS.toNanos(1)).toList();
            long lastOfTwo = after.stream().filter(e -> e.pid() == two.pid()).mapToLong(FileOpenEvent::timestampNanos)
                    .max().orElse(sent);
            System.out.printf("settings: put took %.1f ms; last open of the filtered-out pid %.1f ms after the put "
                    + "was sent%n", (answered - sent) / 1e6, (lastOfTwo - sent) / 1e6);
            assertEquals(List.of(), late, "no opens of the filtered-out pid a second after the change");
            long ofOneLate = after.stream().filter(e -> e.pid() == one.pid()
                    && e.timestampNanos() > sent + TimeUnit.SECONDS.toNanos(1)).count();
            assertTrue(ofOneLate > 0, "the kept pid's opens go on");

            // /api/probes shows the settings in force
            JsonNode probes = JSON.readTree(agent.get("/api/probes").body()).path("probes");
            JsonNode files = null;
            for (JsonNode p : probes) {
                if (p.path("name").asText().equals("files")) {
                    files = p;
                }
            }
            assertEquals(one.pid(), files.path("settings").path("pid").asLong());
            assertTrue(files.path("settings").path("events").asBoolean());

            // events off: nothing more arrives (the enter programs are detached)
            assertEquals(200, put(agent, "files", "{\"events\": false, \"pid\": 0}").statusCode());
            long off = System.nanoTime();
            List<FileOpenEvent> whileOff = collect(sub, 1200);
            assertEquals(0, whileOff.stream().filter(e -> e.timestampNanos() > off + TimeUnit.SECONDS.toNanos(1))
                    .count(), "no events once they are off");
        } finally {
            KernelHost.removeCgroup(cgroup);
        }
    }

    @Test
    void badSettingsAre400NamingTheFieldAndChangeNothing() throws Exception {
        KernelHost.require();
        AgentConfig config = new AgentConfig(null, new AgentConfig.Probes(List.of("files", "syscalls", "process"),
                null, null, null), null, null);
        try (AgentHarness agent = AgentHarness.start(config)) {
            String[][] cases = {
                {"files", "{\"pid\": -1}", "pid"},
                {"files", "{\"pid\": \"12\"}", "pid"},
                {"files", "{\"comm\": \"a-name-longer-than-15\"}", "comm"},
                {"files", "{\"cgroup\": \"/sonde-no-such-cgroup\"}", "cgroup"},
                {"files", "{\"cgroup\": \"relative\"}", "cgroup"},
                {"files", "{\"sample_every\": 0}", "sample_every"},
                {"files", "{\"ring_bytes\": 8192}", "ring_bytes"},
                {"files", "{\"events\": \"yes\"}", "events"},
                {"files", "{\"colour\": \"red\"}", "colour"},
                {"files", "[1, 2]", "body"},
                {"files", "{\"pid\": ", "body"},
                {"syscalls", "{\"slow_threshold_us\": 0}", "slow_threshold_us"},
                {"syscalls", "{\"latency\": true}", "latency"},
                {"syscalls", "{\"max_entries\": 5}", "max_entries"},
            };
            for (String[] c : cases) {
                HttpResponse<String> r = put(agent, c[0], c[1]);
                assertEquals(400, r.statusCode(), c[1] + " -> " + r.body());
                JsonNode body = JSON.readTree(r.body());
                assertEquals(c[2], body.path("field").asText(), r.body());
                assertTrue(body.path("error").asText().startsWith(c[2] + ": "), r.body());
            }
            assertEquals(404, put(agent, "nosuch", "{}").statusCode());
            assertEquals(409, put(agent, "process", "{}").statusCode(), "the process probe has no run-time settings");
            assertEquals(405, agent.get("/api/probes/files/settings").statusCode());
            JsonNode probes = JSON.readTree(agent.get("/api/probes").body()).path("probes");
            for (JsonNode p : probes) {
                if (p.path("name").asText().equals("files")) {
                    assertEquals(JSON.valueToTree(AgentConfig.settingsMap(new AgentConfig.Files())), p.path("settings"),
                            "refused changes left the defaults");
                }
            }
        }
    }

    private HttpResponse<String> put(AgentHarness agent, String probe, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(agent.url() + "/api/probes/" + probe + "/settings"))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static List<FileOpenEvent> collect(EventBus.Subscription sub, long millis) throws InterruptedException {
        List<FileOpenEvent> out = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            EnrichedEvent e = sub.poll(50, TimeUnit.MILLISECONDS);
            if (e != null) {
                out.add((FileOpenEvent) e.event());
            }
        }
        return out;
    }

    /** A workload that opens /proc/self/stat every 5 ms until closed. */
    static final class Opener implements AutoCloseable {
        private final Process process;

        Opener(Path cgroup) throws Exception {
            process = new ProcessBuilder("bash", "-c", "echo $$ > " + cgroup.resolve("cgroup.procs")
                    + " && exec \"$0\" openloop 5", KernelHost.workload().toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String ready = new BufferedReader(new InputStreamReader(process.getInputStream())).readLine();
            if (!"ready".equals(ready)) {
                throw new AssertionError("openloop did not start: " + ready);
            }
        }

        int pid() {
            return (int) process.pid();
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
