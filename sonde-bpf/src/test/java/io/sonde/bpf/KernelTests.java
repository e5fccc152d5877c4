package io.sonde.bpf;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sonde.bpf.internal.LibC;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * KernelTests holds what the kernel tests share: the requirement check (skip with one reason, or fail
 * under SONDE_REQUIRE_BPF=1), the test's own thread id, and running commands.
 */
final class KernelTests {
    private KernelTests() {}

    static final long SYS_GETPPID = 110; // x86_64

    /** Skips the test (or fails it under SONDE_REQUIRE_BPF=1) unless BPF can be used here. */
    static void requireBpf() {
        String reason = null;
        if (Kernel.libbpfUnavailable() != null) {
            reason = Kernel.libbpfUnavailable();
        } else if (!"0".equals(uid())) {
            reason = "kernel tests need root (or CAP_BPF and CAP_PERFMON)";
        } else if (!Kernel.hasBtf()) {
            reason = "the kernel has no BTF at /sys/kernel/btf/vmlinux";
        }
        if (reason != null) {
            if ("1".equals(System.getenv("SONDE_REQUIRE_BPF"))) {
                fail("SONDE_REQUIRE_BPF=1 but " + reason);
            }
            assumeTrue(false, reason);
        }
        Kernel.ensureTracefs();
        Kernel.ensureBpffs();
    }

    private static String uid() {
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

    /** The cgroup v2 mount point, from /proc/self/mountinfo. */
    static Path cgroup2Root() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                int dash = line.indexOf(" - ");
                if (dash > 0 && line.substring(dash + 3).startsWith("cgroup2 ")) {
                    return Path.of(line.split(" ")[4]);
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no cgroup2 mount in /proc/self/mountinfo");
    }

    /** A short random suffix for names of namespaces, interfaces and cgroups a test creates. */
    static String suffix() {
        return Long.toString(System.nanoTime() % 1_000_000, 36);
    }

    static int tid() {
        return LibC.gettid();
    }

    /** Makes the getppid system call directly, n times, on the calling thread. */
    static void getppid(int n) {
        for (int i = 0; i < n; i++) {
            LibC.syscall0(SYS_GETPPID);
        }
    }

    /** Runs a command and fails the test when it does not exit 0; returns its output. */
    static String run(String... command) {
        return run(List.of(command));
    }

    static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("timed out: " + command);
            }
            if (p.exitValue() != 0) {
                fail(command + " exited " + p.exitValue() + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs a command, ignoring its exit code (for clean-up). */
    static void runQuietly(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            // nothing to clean
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
