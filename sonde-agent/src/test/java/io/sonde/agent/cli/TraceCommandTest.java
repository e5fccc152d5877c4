package io.sonde.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.sonde.agent.KernelHost;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * {@code sonde trace exec} in its own process, as a user runs it, while a workload in a test cgroup
 * execs K children: with {@code --json --cgroup} exactly K lines, each with the child's pid, the
 * workload's pid as parent, the comm, the file executed and the cgroup; Ctrl-C (SIGINT) ends it with
 * exit 0 and the summary line. Without {@code --json}, a header and K aligned rows, ended by
 * {@code --duration}. The workload is moved into the cgroup after it started, so that its own exec
 * is not in the cgroup and the K children are all there is.
 */
public class TraceCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int K = 7;

    @Test
    void traceExecJsonPrintsExactlyTheCgroupsExecs() throws Exception {
        KernelHost.require();
        Path cgroup = KernelHost.newCgroup();
        String label = KernelHost.label(cgroup);
        try (TraceProcess trace = new TraceProcess("exec", "--json", "--cgroup", label)) {
            Workload w = Workload.run(cgroup, K);
            List<String> lines = trace.awaitLines(K, 10);
            trace.interrupt();
            assertEquals(0, trace.exitCode(), trace.stderr());
            assertEquals(K, trace.stdout().size(), "exactly K lines: " + trace.stdout());
            String exe = KernelHost.workload().toRealPath().toString();
            for (int i = 0; i < K; i++) {
                JsonNode e = JSON.readTree(lines.get(i));
                assertEquals("exec", e.path("type").asText());
                assertEquals((int) w.children.get(i), e.path("pid").asInt(), lines.get(i));
                assertEquals(w.pid, e.path("ppid").asLong(), lines.get(i));
                assertEquals("workload", e.path("comm").asText());
                assertEquals(exe, e.path("filename").asText());
                assertEquals(label, e.path("cgroup").asText());
            }
            assertEquals(K + " events shown, 0 lost", trace.lastStderrLine());
        } finally {
            KernelHost.removeCgroup(cgroup);
        }
    }

    @Test
    void traceExecTableHasAHeaderAndAlignedRowsAndStopsAfterItsDuration() throws Exception {
        KernelHost.require();
        Path cgroup = KernelHost.newCgroup();
        try (TraceProcess trace = new TraceProcess("exec", "--cgroup", KernelHost.label(cgroup), "--duration", "5s")) {
            Workload w = Workload.run(cgroup, 3);
            List<String> lines = trace.awaitLines(4, 10);
            assertTrue(trace.process.waitFor(15, TimeUnit.SECONDS), "ends after --duration");
            assertEquals(0, trace.exitCode(), trace.stderr());
            String header = lines.get(0);
            assertTrue(header.matches("TIME\\(UTC\\) +PID +PPID +COMM +CONTAINER +FILENAME"), header);
            int filename = header.indexOf("FILENAME");
            int pidEnd = header.indexOf("PID") + 3;
            for (int i = 1; i <= 3; i++) {
                String row = lines.get(i);
                assertTrue(row.startsWith(KernelHost.workload().toRealPath().toString(), filename), row);
                assertEquals(Integer.toString(w.children.get(i - 1)), row.substring(0, pidEnd).strip().split(" +")[1],
                        row);
                assertTrue(row.contains(" workload "), row);
            }
            assertEquals(4, trace.stdout().size(), trace.stdout().toString());
            assertEquals("3 events shown, 0 lost", trace.lastStderrLine());
        } finally {
            KernelHost.removeCgroup(cgroup);
        }
    }

    @Test
    void badFlagsAreUsageErrorsNamingTheFlag() throws Exception {
        for (String[] c : new String[][] {{"nosuchtool"}, {"exec", "--pid", "-4"}, {"exec", "--min-latency", "soon"},
                {"exec", "--container", "XYZ"}}) {
            TraceProcess t = new TraceProcess(c);
            assertTrue(t.process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(2, t.exitCode(), String.join(" ", c) + ": " + t.stderr());
            String flag = c.length > 1 ? c[1] : "nosuchtool";
            assertTrue(t.stderr().contains(flag), t.stderr());
            t.close();
        }
    }

    /** The workload, started outside the cgroup and moved in before it forks. */
    public record Workload(long pid, List<Integer> children) {
        public static Workload run(Path cgroup, int k) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(KernelHost.workload().toString(), "execs", Integer.toString(k))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<Integer> children = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
                    OutputStream in = p.getOutputStream()) {
                assertEquals("ready", r.readLine());
                Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(p.pid()));
                in.write("go\n".getBytes());
                in.flush();
                for (String line; (line = r.readLine()) != null;) {
                    if (line.startsWith("child ")) {
                        children.add(Integer.parseInt(line.substring(6)));
                    }
                }
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
            assertEquals(k, children.size());
            return new Workload(p.pid(), children);
        }
    }
}
