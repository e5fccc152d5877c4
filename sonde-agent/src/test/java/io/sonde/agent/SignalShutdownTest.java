package io.sonde.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.sonde.bpf.BpfException;
import io.sonde.bpf.ProgramInfo;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** `sonde agent` in its own process: on SIGTERM it detaches every program and exits 0. */
class SignalShutdownTest {
    @Test
    void sigtermDetachesEverythingAndExitsZero() throws Exception {
        KernelHost.require();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process agent = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "io.sonde.agent.cli.Main", "agent",
                "--web.listen-address", "127.0.0.1:0").redirectErrorStream(true).start();
        try {
            BufferedReader log = new BufferedReader(new InputStreamReader(agent.getInputStream()));
            Pattern listening = Pattern.compile("event=listening address=.*:(\\d+)");
            int port = -1;
            List<String> lines = new ArrayList<>();
            for (String line; port < 0 && (line = log.readLine()) != null;) {
                lines.add(line);
                Matcher m = listening.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertTrue(port > 0, "the agent says where it listens: " + lines);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> ready = null;
            for (int i = 0; i < 100; i++) {
                ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    break;
                }
                Thread.sleep(50);
            }
            assertEquals(200, ready.statusCode());
            JsonNode probes = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + port + "/api/probes")).build(), HttpResponse.BodyHandlers.ofString())
                    .body()).path("probes");
            List<Integer> ids = new ArrayList<>();
            for (JsonNode p : probes) {
                for (JsonNode prog : p.path("programs")) {
                    ids.add(prog.path("id").asInt());
                }
            }
            assertTrue(ids.size() >= 7, "programs of every probe: " + ids);

            agent.toHandle().destroy(); // SIGTERM, leaving its output readable
            String rest = String.join("\n", log.lines().toList()); // to the end of its output
            assertTrue(agent.waitFor(30, TimeUnit.SECONDS), "the agent stops");
            assertEquals(0, agent.exitValue());
            assertTrue(rest.contains("event=stopped"), rest);
            // the kernel frees a detached program after an RCU grace period: give it a moment
            List<Integer> left = ids;
            for (int i = 0; i < 50 && !left.isEmpty(); i++) {
                Thread.sleep(100);
                left = left.stream().filter(SignalShutdownTest::exists).toList();
            }
            assertEquals(List.of(), left, "programs still in the kernel after the agent exited");
        } finally {
            agent.destroyForcibly();
        }
    }

    private static boolean exists(int programId) {
        int fd = io.sonde.bpf.Kernel.programFdById(programId);
        if (fd < 0) {
            return false;
        }
        try {
            ProgramInfo.of(fd);
            return true;
        } catch (BpfException e) {
            return false;
        } finally {
            io.sonde.bpf.Kernel.closeFd(fd);
        }
    }
}
