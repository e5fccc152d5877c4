package io.sonde.agent.enrich;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * CgroupHost decides whether tests that create cgroups can run here: they need root and a cgroup v2
 * mount. They skip with the reason otherwise, and fail instead under SONDE_REQUIRE_BPF=1, as CI sets.
 */
final class CgroupHost {
    private CgroupHost() {}

    /** The cgroup v2 mount, after skipping (or failing) the test when cgroups cannot be created here. */
    static Path requireWritableCgroup2() {
        String reason = null;
        Optional<Path> mount = Cgroup2Mount.find();
        if (!"0".equals(effectiveUid())) {
            reason = "creating cgroups needs root";
        } else if (mount.isEmpty()) {
            reason = "no cgroup2 file system is mounted";
        } else if (!Files.isWritable(mount.get())) {
            reason = "the cgroup2 mount " + mount.get() + " is read-only";
        }
        if (reason != null) {
            if ("1".equals(System.getenv("SONDE_REQUIRE_BPF"))) {
                fail("SONDE_REQUIRE_BPF=1 but " + reason);
            }
            assumeTrue(false, reason);
        }
        return mount.get();
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
