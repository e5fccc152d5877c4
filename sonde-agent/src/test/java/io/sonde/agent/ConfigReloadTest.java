package io.sonde.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * {@code sonde agent --config.file F} in its own process: after F changes, SIGHUP applies its run-time
 * settings to the running probe (file-open events switched on with a comm filter: the enter programs
 * attached, the settings shown in /api/probes) without reloading programs (the exit programs keep
 * their ids); a file with a bad value changes nothing and is logged with its key.
 */
class ConfigReloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void sighupAppliesRunTimeSettings() throws Exception {
        KernelHost.require();
        Path config = Files.createTempFile("sonde-reload", ".yaml");
        Files.writeString(config, "probes:\n  enabled: [files]\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process agent = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "io.sonde.agent.cli.Main", "agent", "--config.file",
                config.toString(), "--web.listen-address", "127.0.0.1:0").redirectErrorStream(true).start();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(agent.getInputStream()));
            Pattern listening = Pattern.compile("event=listening address=.*:(\\d+)");
            int port = -1;
            for (String line; port < 0 && (line = out.readLine()) != null;) {
                log.add(line);
                Matcher m = listening.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertTrue(port > 0, "the agent says where it listens: " + log);
            Thread.ofPlatform().daemon().start(() -> out.lines().forEach(log::add));
            String base = "http://127.0.0.1:" + port;
            JsonNode files = await(base, f -> f.path("state").asText().equals("up"));
            List<Integer> exitIds = programIds(files, "exit_");
            assertTrue(programIds(files, "enter_").isEmpty(), "events off: no enter program attached");

            Files.writeString(config, "probes:\n  enabled: [files]\n  files:\n    events: true\n    comm: cat\n");
            hup(agent);
            files = await(base, f -> f.path("settings").path("events").asBoolean());
            assertEquals("cat", files.path("settings").path("comm").asText());
            assertTrue(!programIds(files, "enter_").isEmpty(), "events on: the enter programs are attached");
            assertEquals(exitIds, programIds(files, "exit_"), "no program was reloaded");
            assertTrue(awaitLog(log, "event=reloaded probes_failed=0"), log.toString());

            Files.writeString(config, "probes:\n  enabled: [files]\n  files:\n    events: true\n    sample_every: 0\n");
            hup(agent);
            assertTrue(awaitLog(log, "event=reload_failed"), log.toString());
            assertTrue(log.stream().anyMatch(l -> l.contains("event=reload_failed") && l.contains(
                    "probes.files.sample_every")), log.toString());
            files = await(base, f -> true);
            assertEquals("cat", files.path("settings").path("comm").asText(), "a bad file changes nothing");
            assertEquals(1, files.path("settings").path("sample_every").asInt());
        } finally {
            agent.toHandle().destroy();
            agent.waitFor(30, TimeUnit.SECONDS);
            Files.deleteIfExists(config);
        }
        assertEquals(0, agent.exitValue());
    }

    private static void hup(Process p) throws Exception {
        new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor();
    }

    private static boolean awaitLog(List<String> log, String text) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            synchronized (log) {
                if (log.stream().anyMatch(l -> l.contains(text))) {
                    return true;
                }
            }
            Thread.sleep(50);
        }
        return false;
    }

    private JsonNode await(String base, java.util.function.Predicate<JsonNode> until) throws Exception {
        JsonNode files = null;
        for (int i = 0; i < 100; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/probes")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                for (JsonNode p : JSON.readTree(r.body()).path("probes")) {
                    if (p.path("name").asText().equals("files")) {
                        files = p;
                    }
                }
                if (files != null && until.test(files)) {
                    return files;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the files probe never reached the expected state: " + files);
    }

    private static List<Integer> programIds(JsonNode probe, String prefix) {
        List<Integer> ids = new ArrayList<>();
        for (JsonNode p : probe.path("programs")) {
            if (p.path("name").asText().startsWith(prefix)) {
                ids.add(p.path("id").asInt());
            }
        }
        return ids;
    }
}
