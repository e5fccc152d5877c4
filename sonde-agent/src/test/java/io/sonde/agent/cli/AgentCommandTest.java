package io.sonde.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** Bad configuration and unknown probe names stop `sonde agent` with one clear error and exit code 2. */
class AgentCommandTest {
    private record Result(int code, String err) {}

    private static Result run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, err.toString());
    }

    @Test
    void badConfigurationExitsTwo() throws Exception {
        Path f = Files.createTempFile("sonde", ".yaml");
        try {
            Files.writeString(f, "metrics:\n  series_budget: -3\n");
            Result r = run("agent", "--config.file", f.toString());
            assertEquals(2, r.code());
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
            assertTrue(r.err().contains(f + ":2: metrics.series_budget: must be at least 1, got -3"), r.err());
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Test
    void unknownProbeExitsTwo() {
        Result r = run("agent", "--probes", "syscalls,nosuch");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown probe \"nosuch\"") && r.err().contains("syscalls, process, files"),
                r.err());
    }

    @Test
    void unknownProbeInTheFileExitsTwo() throws Exception {
        Path f = Files.createTempFile("sonde", ".yaml");
        try {
            Files.writeString(f, "probes:\n  enabled: [files, nosuch]\n");
            Result r = run("agent", "--config.file", f.toString());
            assertEquals(2, r.code());
            assertTrue(r.err().contains("probes.enabled") && r.err().contains("nosuch"), r.err());
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Test
    void unknownProbeKeptAttachedExitsTwo() throws Exception {
        Path f = Files.createTempFile("sonde", ".yaml");
        try {
            Files.writeString(f, "overhead:\n  keep_attached: [process, nosuch]\n");
            Result r = run("agent", "--config.file", f.toString());
            assertEquals(2, r.code());
            assertTrue(r.err().contains(f + ": overhead.keep_attached: unknown probe \"nosuch\""), r.err());
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Test
    void unknownFlagExitsTwo() {
        assertEquals(2, run("agent", "--no-such-flag").code());
    }
}
