package io.sonde.agent.enrich;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Cgroup2Mount finds where the cgroup v2 file system is mounted, from {@code /proc/self/mountinfo}:
 * {@code /sys/fs/cgroup} on a unified host, {@code /sys/fs/cgroup/unified} on a hybrid one. It is
 * never assumed.
 *
 * <p>When there are several cgroup2 mounts (a bind mount of a subtree beside the real one), the
 * first that shows the whole hierarchy (mount root {@code /}) wins, else the first of all.
 *
 * <pre>{@code
 * Path mount = Cgroup2Mount.find().orElseThrow(() -> new IllegalStateException("no cgroup v2"));
 * Path cpuStat = mount.resolve("system.slice/cpu.stat");
 * }</pre>
 */
public final class Cgroup2Mount {
    /** Where the kernel describes this process's mounts. */
    public static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private Cgroup2Mount() {}

    /**
     * Find returns the mount point of the cgroup v2 file system as this process sees it, or empty
     * when none is mounted.
     *
     * @throws UncheckedIOException when {@code /proc/self/mountinfo} cannot be read
     */
    public static Optional<Path> find() {
        try {
            return parse(Files.readAllLines(MOUNTINFO));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MOUNTINFO, e);
        }
    }

    /** Parse picks the cgroup v2 mount point from the lines of a mountinfo file, as {@link #find()} does. */
    public static Optional<Path> parse(List<String> mountinfo) {
        Path first = null;
        for (MountInfo m : MountInfo.parse(mountinfo)) {
            if (!m.fstype().equals("cgroup2")) {
                continue;
            }
            if (m.wholeHierarchy()) {
                return Optional.of(m.mountPoint());
            }
            if (first == null) {
                first = m.mountPoint();
            }
        }
        return Optional.ofNullable(first);
    }

    /** The kernel writes space, tab, newline and backslash in mountinfo paths as octal escapes (\040). */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder sb = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                sb.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
