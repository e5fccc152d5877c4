package io.sonde.bpf;

import io.sonde.bpf.internal.LibBpf;
import io.sonde.bpf.internal.LibC;
import io.sonde.bpf.internal.Native;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Kernel answers what the running kernel offers and prepares it: the tracing and BPF file systems,
 * online CPUs, BTF, support for program, map and helper types (through libbpf's probes), and
 * run-time statistics for a sampling window.
 *
 * <pre>{@code
 * Kernel.ensureTracefs();
 * Kernel.ensureBpffs();
 * if (Kernel.supports(ProgramType.TRACING)) { ... }
 * try (Kernel.StatsWindow window = Kernel.enableStats()) {
 *     Thread.sleep(2000);   // programs count run time only inside the window
 * }
 * }</pre>
 */
public final class Kernel {
    private Kernel() {}

    public static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    public static final Path BPFFS = Path.of("/sys/fs/bpf");
    public static final Path VMLINUX_BTF = Path.of("/sys/kernel/btf/vmlinux");

    /** The kernel release, as {@code uname -r} prints it. */
    public static String release() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }

    /** The version of the libbpf shared library in use, such as "1.1". */
    public static String libbpfVersion() {
        if (LibBpf.UNAVAILABLE != null) {
            throw new BpfException("libbpf", LibBpf.UNAVAILABLE);
        }
        return LibBpf.version();
    }

    /** Why libbpf cannot be used here, or null when it can. */
    public static String libbpfUnavailable() {
        return LibBpf.UNAVAILABLE;
    }

    /** Whether the kernel exposes its own BTF, which CO-RE programs need. */
    public static boolean hasBtf() {
        return Files.isReadable(VMLINUX_BTF);
    }

    /** The file system type mounted at a path, from /proc/self/mountinfo, or null when nothing is. */
    public static String mountedType(Path mountPoint) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                int dash = line.indexOf(" - ");
                if (f.length > 4 && f[4].equals(mountPoint.toString()) && dash > 0) {
                    return line.substring(dash + 3).split(" ")[0];
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /** Mounts tracefs at /sys/kernel/tracing unless it is there; returns true when this call mounted it. */
    public static boolean ensureTracefs() {
        return ensureMounted(TRACEFS, "tracefs", "tracefs");
    }

    /** Mounts the BPF file system at /sys/fs/bpf unless it is there; returns true when this call mounted it. */
    public static boolean ensureBpffs() {
        return ensureMounted(BPFFS, "bpf", "bpf");
    }

    /** Mounts a file system of a type at a path unless one of that type is there; true when this call mounted it. */
    static synchronized boolean ensureMounted(Path at, String fstype, String source) {
        if (fstype.equals(mountedType(at))) {
            return false;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = Native.capture();
            int rc = LibC.mount(capture, a.allocateFrom(source), a.allocateFrom(at.toString()),
                    a.allocateFrom(fstype), 0);
            if (rc < 0) {
                throw new BpfException("mount", Native.errno(capture), null, null,
                        "cannot mount " + fstype + " at " + at, null);
            }
            return true;
        }
    }

    /**
     * Switches libbpf's debug messages on or off. Its warnings and information always go to the
     * {@code io.sonde.bpf.libbpf} System.Logger; debug lines only when this is on.
     */
    public static void libbpfVerbose(boolean on) {
        io.sonde.bpf.internal.LibbpfLog.install();
        io.sonde.bpf.internal.LibbpfLog.setVerbose(on);
    }

    /** The CPUs that are online now, from /sys/devices/system/cpu/online. */
    public static List<Integer> onlineCpus() {
        try {
            return parseCpuList(Files.readString(Path.of("/sys/devices/system/cpu/online")));
        } catch (IOException e) {
            throw new BpfException("online_cpus", "cannot read /sys/devices/system/cpu/online: " + e.getMessage());
        }
    }

    /** Parses a kernel CPU list such as "0-3,5,7-8". */
    public static List<Integer> parseCpuList(String list) {
        List<Integer> cpus = new ArrayList<>();
        for (String part : list.strip().split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            int dash = part.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
            int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1));
            for (int c = from; c <= to; c++) {
                cpus.add(c);
            }
        }
        return cpus;
    }

    /** The number of possible CPUs: the number of slots in a per-CPU map value. */
    public static int possibleCpus() {
        int n = LibBpf.numPossibleCpus();
        if (n <= 0) {
            throw new BpfException("possible_cpus", -n, null, null, "cannot read the possible CPUs", null);
        }
        return n;
    }

    /** Whether the kernel loads programs of this type (libbpf's probe: a trivial program, for real). */
    public static boolean supports(ProgramType type) {
        return LibBpf.probeProgramType(type.value()) == 1;
    }

    /** Whether the kernel creates maps of this type (libbpf's probe). */
    public static boolean supports(MapType type) {
        return LibBpf.probeMapType(type.value()) == 1;
    }

    /** Whether programs of a type may call a helper, by the helper's number (libbpf's probe). */
    public static boolean supportsHelper(ProgramType type, int helperId) {
        return LibBpf.probeHelper(type.value(), helperId) == 1;
    }

    /** The index of a network interface in this process's network namespace. */
    public static int ifindex(String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = Native.capture();
            int idx = LibC.ifNameToIndex(capture, a.allocateFrom(name));
            if (idx == 0) {
                throw new BpfException("if_nametoindex", Native.errno(capture), null, null,
                        "no network interface " + name, null);
            }
            return idx;
        }
    }

    /**
     * Opens the program with a kernel id (as {@link ProgramInfo#id()} reports it); returns its file
     * descriptor, or a negative errno (-ENOENT once the program is gone). Close it with {@link #closeFd}.
     */
    public static int programFdById(int id) {
        return LibBpf.progGetFdById(id);
    }

    /** Closes a file descriptor this class handed out. */
    public static void closeFd(int fd) {
        LibC.close(fd);
    }

    /** The memory the kernel charges for a BPF program or map, from /proc/self/fdinfo, or -1. */
    public static long memlock(int fd) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
                if (line.startsWith("memlock:")) {
                    return Long.parseLong(line.substring(8).strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    static long perfEventOpenSyscall() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 298;
            case "aarch64", "riscv64" -> 241;
            case "s390x" -> 331;
            case "ppc64le", "ppc64" -> 319;
            default -> throw new BpfException("perf_event_open", "unknown architecture " + System.getProperty("os.arch"));
        };
    }

    /**
     * The processes other than this one that hold run-time statistics on (an open {@code bpf-stats}
     * file descriptor from BPF_ENABLE_STATS, which the kernel.bpf_stats_enabled sysctl does not show):
     * while any does, every program on the machine counts runs. Scans /proc/PID/fd; processes it may not
     * read are passed over.
     */
    public static List<Long> otherStatsHolders() {
        List<Long> out = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (var procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (pid != self && holdsStats(proc.resolve("fd"))) {
                    out.add(pid);
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    private static boolean holdsStats(Path fds) {
        try (var links = Files.newDirectoryStream(fds)) {
            for (Path fd : links) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals("anon_inode:bpf-stats")) {
                        return true;
                    }
                } catch (IOException | UnsupportedOperationException gone) {
                    // closed meanwhile
                }
            }
        } catch (IOException | SecurityException e) {
            return false;
        }
        return false;
    }

    /**
     * Switches run-time statistics on for every program until the returned window is closed.
     * Statistics slow every program (two clock reads per run): keep windows short.
     */
    public static StatsWindow enableStats() {
        int fd = LibBpf.enableStats(0); // BPF_STATS_RUN_TIME
        if (fd < 0) {
            throw new BpfException("enable_stats", -fd, null, null, "cannot switch on run-time statistics", null);
        }
        return new StatsWindow(fd);
    }

    /**
     * StatsWindow holds run-time statistics on; closing it switches them off again (when no other
     * holder remains). Idempotent close.
     */
    public static final class StatsWindow implements AutoCloseable {
        private int fd;

        private StatsWindow(int fd) {
            this.fd = fd;
        }

        @Override
        public synchronized void close() {
            if (fd >= 0) {
                LibC.close(fd);
                fd = -1;
            }
        }
    }
}
