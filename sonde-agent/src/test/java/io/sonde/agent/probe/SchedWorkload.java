package io.sonde.agent.probe;

import io.sonde.agent.KernelHost;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * SchedWorkload is one run of the test workload inside a cgroup, driven line by line, with what the
 * kernel keeps on it: its scheduler state and its context switch counts from /proc.
 */
final class SchedWorkload implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final OutputStream in;

    private SchedWorkload(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream()));
        this.in = process.getOutputStream();
    }

    /** Starts the workload in a cgroup (it joins before exec, so every thread it makes is inside). */
    static SchedWorkload start(Path cgroup, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("bash", "-c", "echo $$ > "
                + cgroup.resolve("cgroup.procs") + " && exec \"$0\" \"$@\"", KernelHost.workload().toString()));
        command.addAll(List.of(args));
        return new SchedWorkload(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    long pid() {
        return process.pid();
    }

    /** Reads the next line and fails unless it is the expected one. */
    void expect(String line) throws IOException {
        String got = out.readLine();
        if (!line.equals(got)) {
            throw new AssertionError("workload said " + got + ", expected " + line);
        }
    }

    void send(String line) throws IOException {
        in.write((line + "\n").getBytes());
        in.flush();
    }

    /** Waits until the workload sleeps (its single thread blocked and switched out). */
    void awaitBlocked() throws IOException, InterruptedException {
        for (int i = 0; i < 500; i++) {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            if (state == 'S' || state == 'D') {
                Thread.sleep(30); // state is set just before the switch; let the switch happen
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the workload did not block");
    }

    /** A field of /proc/PID/status, such as voluntary_ctxt_switches. */
    long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).strip());
            }
        }
        throw new AssertionError("no " + field + " in /proc/" + pid() + "/status");
    }

    /** Its /proc/PID/schedstat: time on the CPU (ns), time waiting on a run queue (ns), times run. */
    long[] schedstat() throws IOException {
        String[] f = Files.readString(Path.of("/proc", Long.toString(pid()), "schedstat")).strip().split(" ");
        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
    }

    /** Waits for the workload to exit 0. */
    void awaitExit() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("workload did not finish");
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("workload exited " + process.exitValue());
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
