package io.sonde.agent;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sonde.agent.enrich.Cgroup2Mount;
import io.sonde.bpf.Kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * KernelHost is what the agent's kernel tests share: the requirement check (skip with one reason, or
 * fail under SONDE_REQUIRE_BPF=1 as CI sets), test cgroups, the static test workload, and commands.
 */
public final class KernelHost {
    private KernelHost() {}

    /** Skips the test (or fails it under SONDE_REQUIRE_BPF=1) unless BPF can be used here. */
    public static void require() {
        String reason = null;
        if (Kernel.libbpfUnavailable() != null) {
            reason = Kernel.libbpfUnavailable();
        } else if (!"0".equals(effectiveUid())) {
            reason = "kernel tests need root";
        } else if (!Kernel.hasBtf()) {
            reason = "the kernel has no BTF at " + Kernel.VMLINUX_BTF;
        } else if (Cgroup2Mount.find().isEmpty()) {
            reason = "no cgroup2 mount in /proc/self/mountinfo";
        } else if (!Files.isWritable(Cgroup2Mount.find().get())) {
            reason = "the cgroup2 mount " + Cgroup2Mount.find().get() + " is read-only";
        }
        if (reason != null) {
            if ("1".equals(System.getenv("SONDE_REQUIRE_BPF"))) {
                fail("SONDE_REQUIRE_BPF=1 but " + reason);
            }
            assumeTrue(false, reason);
        }
    }

    private static String effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2];
                }
            }
        } catch (IOException e) {
            return "?";
        }
        return "?";
    }

    /** The cgroup v2 mount, after skipping (or failing) the test unless cgroups can be created here. */
    public static Path requireCgroup2() {
        require();
        return cgroup2();
    }

    /** The cgroup v2 mount. */
    public static Path cgroup2() {
        return Cgroup2Mount.find().orElseThrow();
    }

    /** Creates a child cgroup of the cgroup2 root with a random name; returns its directory. */
    public static Path newCgroup() throws IOException {
        Path dir = cgroup2().resolve("sonde-test-" + Long.toString(System.nanoTime() % 100_000_000, 36));
        Files.createDirectory(dir);
        return dir;
    }

    /** The cgroup path as metrics show it ("/sonde-test-..."). */
    public static String label(Path cgroupDir) {
        return "/" + cgroup2().relativize(cgroupDir);
    }

    /** Removes a test cgroup, killing whatever is left in it first. */
    public static void removeCgroup(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        try {
            Path kill = dir.resolve("cgroup.kill");
            if (Files.exists(kill)) {
                Files.writeString(kill, "1");
            }
            for (int i = 0; i < 100; i++) {
                try {
                    Files.delete(dir);
                    return;
                } catch (IOException busy) {
                    Thread.sleep(20);
                }
            }
        } catch (IOException | InterruptedException e) {
            // best effort: the name is random, a leftover does not disturb the next run
        }
    }

    private static Path workload;

    /** The static test workload (src/test/c/workload.c), compiled once per run. */
    public static synchronized Path workload() {
        if (workload == null) {
            Path out = Path.of("target/workload");
            run("gcc", "-static", "-O2", "-Wall", "-Werror", "-o", out.toString(), "src/test/c/workload.c");
            workload = out.toAbsolutePath();
        }
        return workload;
    }

    private static Path netload;

    /** The static network test workload (src/test/c/netload.c), compiled once per run. */
    public static synchronized Path netload() {
        if (netload == null) {
            Path out = Path.of("target/netload");
            run("gcc", "-static", "-O2", "-Wall", "-Werror", "-o", out.toString(), "src/test/c/netload.c");
            netload = out.toAbsolutePath();
        }
        return netload;
    }

    /** Runs a command and fails the test when it does not exit 0; returns its output. */
    public static String run(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("timed out: " + List.of(command));
            }
            if (p.exitValue() != 0) {
                fail(List.of(command) + " exited " + p.exitValue() + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + List.of(command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
