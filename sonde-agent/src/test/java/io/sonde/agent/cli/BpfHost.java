package io.sonde.agent.cli;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sonde.bpf.Kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * BpfHost decides whether kernel tests can run here: they skip with one reason when the host cannot
 * load BPF (no libbpf, not root, no BTF), and fail instead under SONDE_REQUIRE_BPF=1, as CI sets.
 */
final class BpfHost {
    private BpfHost() {}

    /** Skips the test (or fails it under SONDE_REQUIRE_BPF=1) unless BPF can be used here. */
    static void require() {
        String reason = null;
        if (Kernel.libbpfUnavailable() != null) {
            reason = Kernel.libbpfUnavailable();
        } else if (!"0".equals(effectiveUid())) {
            reason = "kernel tests need root";
        } else if (!Kernel.hasBtf()) {
            reason = "the kernel has no BTF at " + Kernel.VMLINUX_BTF;
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
}
