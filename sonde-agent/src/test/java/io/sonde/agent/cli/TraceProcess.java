package io.sonde.agent.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code sonde trace ...} as a child JVM, as a user runs it; the constructor returns once it says it is tracing. */
public final class TraceProcess implements AutoCloseable {
    public final Process process;
    private final List<String> out = Collections.synchronizedList(new ArrayList<>());
    private final List<String> err = Collections.synchronizedList(new ArrayList<>());

    public TraceProcess(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.sonde.agent.cli.Main", "trace"));
        cmd.addAll(List.of(args));
        process = new ProcessBuilder(cmd).start();
        Thread.ofPlatform().daemon().start(() -> pump(process.getInputStream(), out));
        Thread.ofPlatform().daemon().start(() -> pump(process.getErrorStream(), err));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && process.isAlive() && err.stream().noneMatch(l -> l.startsWith(
                "Tracing "))) {
            Thread.sleep(20);
        }
    }

    private static void pump(java.io.InputStream s, List<String> into) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(s, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null;) {
                into.add(line);
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    public List<String> awaitLines(int n, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (out.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(out.size() >= n, "expected " + n + " lines: " + out + "\nstderr: " + err);
        return stdout();
    }

    public void interrupt() throws Exception {
        Thread.sleep(300); // anything that should not come would arrive now
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
        assertTrue(process.waitFor(15, TimeUnit.SECONDS), "Ctrl-C ends it");
    }

    public int exitCode() throws InterruptedException {
        process.waitFor(15, TimeUnit.SECONDS);
        Thread.sleep(100); // the pumps read the last lines
        return process.exitValue();
    }

    public List<String> stdout() {
        synchronized (out) {
            return List.copyOf(out);
        }
    }

    public String stderr() {
        synchronized (err) {
            return String.join("\n", err);
        }
    }

    public String lastStderrLine() {
        synchronized (err) {
            return err.isEmpty() ? "" : err.get(err.size() - 1);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
