package io.sonde.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sonde.agent.check.CheckReport;
import io.sonde.agent.check.Feature;
import io.sonde.agent.check.KernelCheck;
import io.sonde.agent.check.ProbeVerdict;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Runs {@code sonde check} in-process on this kernel (which has no kprobes and refuses fentry and LSM). */
class CheckCommandTest {
    /** The result of one command-line run: exit code, stdout, stderr. */
    private record Run(int exit, String out, String err) {}

    private static Run execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void jsonReportParsesAndSaysTheCoreWorks() throws Exception {
        io.sonde.agent.KernelHost.require();
        Run run = execute("check", "--json");
        assertEquals(0, run.exit(), run.out() + run.err());
        JsonNode report = new ObjectMapper().readTree(run.out());
        assertTrue(report.get("ready").asBoolean());
        assertNull(report.get("problem"));
        for (String type : List.of("tracepoint", "raw_tracepoint", "xdp")) {
            JsonNode f = find(report.get("programTypes"), type);
            assertTrue(f.get("supported").asBoolean(), type + ": " + f);
        }
        JsonNode kprobe = find(report.get("programTypes"), "kprobe");
        if (!kprobe.get("supported").asBoolean()) {
            assertFalse(kprobe.get("detail").asText().isBlank(), "kprobe needs a reason: " + kprobe);
            assertNotNull(kprobe.get("errno"), "kprobe failed with an errno: " + kprobe);
        }
        assertEquals(10, report.get("probes").size());
    }

    @Test
    void reportCoversEveryTypeAndDecidesEveryProbe() {
        io.sonde.agent.KernelHost.require();
        CheckReport report = KernelCheck.run();
        assertTrue(report.ready(), String.valueOf(report.missing()));
        assertEquals(List.of("tracepoint", "raw_tracepoint", "tp_btf", "kprobe", "fentry", "uprobe", "perf_event",
                "xdp", "tc", "cgroup_skb", "socket_filter", "lsm"),
                report.programTypes().stream().map(Feature::name).toList());
        for (Feature f : report.programTypes()) {
            assertTrue(f.supported() ? f.detail().startsWith("loaded, attached") : f.detail().contains("failed: E"),
                    f.toString());
        }
        assertTrue(report.feature("ringbuf").supported());
        assertTrue(report.feature("sk_storage").supported(), "socket-local storage");
        assertTrue(report.host().onlineCpus().size() >= 1);
        for (ProbeVerdict v : report.probes()) {
            assertTrue(v.canRun(), v.toString()); // every built-in probe runs on our build and CI hosts
        }
    }

    @Test
    void humanOutputHasAlignedColumnsAndNoStackTrace() {
        io.sonde.agent.KernelHost.require();
        Run run = execute("check");
        assertEquals(0, run.exit(), run.out() + run.err());
        assertFalse(run.out().contains("Exception") || run.err().contains("Exception"), run.out() + run.err());
        Pattern row = Pattern.compile("^  (\\S+(?: \\S+)*)( +)(yes|no)( +)\\S.*$", Pattern.MULTILINE);
        Matcher m = row.matcher(run.out());
        int rows = 0;
        while (m.find()) {
            assertEquals(21, m.start(3) - m.start(), "status column of: " + m.group());
            rows++;
        }
        assertTrue(rows >= 12 + 8 + 9, "rows: " + rows + "\n" + run.out());
        assertTrue(run.out().contains("\nready: "), run.out());
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertEquals(2, execute("check", "--no-such-option").exit());
    }

    private static JsonNode find(JsonNode list, String name) {
        for (JsonNode f : list) {
            if (f.get("name").asText().equals(name)) {
                return f;
            }
        }
        throw new AssertionError("no entry " + name + " in " + list);
    }
}
