package io.sonde.agent.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** ProcSelf reads what /proc/self says about this process's privileges. */
final class ProcSelf {
    private ProcSelf() {}

    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_PERFMON = 38;
    private static final int CAP_BPF = 39;

    /** Whether this process may load and attach every kind of program: root, or the three capabilities. */
    static boolean privileged() {
        String uid = null;
        long caps = 0;
        for (String line : lines(Path.of("/proc/self/status"))) {
            String[] f = line.split("\\s+");
            if (f[0].equals("Uid:") && f.length > 2) {
                uid = f[2]; // the effective uid
            } else if (f[0].equals("CapEff:") && f.length > 1) {
                caps = Long.parseUnsignedLong(f[1], 16);
            }
        }
        long needed = (1L << CAP_BPF) | (1L << CAP_PERFMON) | (1L << CAP_NET_ADMIN);
        return "0".equals(uid) || (caps & needed) == needed;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }
}
