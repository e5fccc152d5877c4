package io.sonde.agent.enrich;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * MountInfo is one line of {@code /proc/self/mountinfo}, the fields the cgroup mount finders need:
 * {@code id parent major:minor root mount-point options [optional...] - fstype source super-options}.
 *
 * <pre>{@code
 * for (MountInfo m : MountInfo.parse(Files.readAllLines(Cgroup2Mount.MOUNTINFO))) { ... }
 * }</pre>
 *
 * @param root the directory of the file system that is mounted ("/" for all of it), unescaped
 * @param mountPoint where it is mounted, unescaped
 * @param fstype the file system type, such as {@code cgroup2}
 * @param superOptions the file system's own options (for cgroup v1: its controllers), or ""
 */
record MountInfo(String root, Path mountPoint, String fstype, String superOptions) {
    /** Whether the mount shows the whole file system, not a bind mount of a subtree. */
    boolean wholeHierarchy() {
        return root.equals("/");
    }

    /** The well-formed lines of a mountinfo file; others are skipped. */
    static List<MountInfo> parse(List<String> lines) {
        List<MountInfo> out = new ArrayList<>();
        for (String line : lines) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] before = line.substring(0, dash).split(" ");
            String[] after = line.substring(dash + 3).split(" ");
            if (before.length < 5 || after.length < 1 || after[0].isEmpty()) {
                continue;
            }
            out.add(new MountInfo(Cgroup2Mount.unescape(before[3]), Path.of(Cgroup2Mount.unescape(before[4])),
                    after[0], after.length >= 3 ? after[2] : ""));
        }
        return out;
    }
}
