package io.sonde.agent.probe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * ProbeCatalog is the registry of built-in probes: one line per probe.
 *
 * <pre>{@code
 * List<Probe> probes = ProbeCatalog.create(List.of("syscalls", "files"));
 * }</pre>
 */
public final class ProbeCatalog {
    private ProbeCatalog() {}

    private static final Map<String, Supplier<Probe>> PROBES = new LinkedHashMap<>();

    static {
        PROBES.put("syscalls", SyscallsProbe::new);
        PROBES.put("process", ProcessProbe::new);
        PROBES.put("files", FilesProbe::new);
        PROBES.put("sched", SchedProbe::new);
        PROBES.put("cgroups", CgroupsProbe::new);
        PROBES.put("block", BlockProbe::new);
        PROBES.put("probe", ActiveProbe::new);
        PROBES.put("tcp", TcpProbe::new);
        PROBES.put("drops", DropsProbe::new);
        PROBES.put("netdev", NetdevProbe::new);
    }

    /** The names of every built-in probe, in start order. */
    public static List<String> names() {
        return List.copyOf(PROBES.keySet());
    }

    /** Throws IllegalArgumentException naming the first unknown probe and the known ones. */
    public static void check(List<String> names) {
        for (String n : names) {
            if (!PROBES.containsKey(n)) {
                throw new IllegalArgumentException("unknown probe \"" + n + "\"; the probes are " + names());
            }
        }
    }

    /**
     * Creates the named probes in start order (the catalog's, whatever the order of {@code names}), after
     * {@link #check}. Probes that share work are wired here: files takes its counts from syscalls when
     * both are named, which is why syscalls starts first.
     */
    public static List<Probe> create(List<String> names) {
        check(names);
        List<String> order = names();
        List<Probe> probes = new java.util.ArrayList<>();
        SyscallsProbe syscalls = null;
        for (String n : names.stream().distinct().sorted(java.util.Comparator.comparingInt(order::indexOf)).toList()) {
            Probe p = n.equals("files") ? new FilesProbe(syscalls) : PROBES.get(n).get();
            if (p instanceof SyscallsProbe s) {
                syscalls = s;
            }
            probes.add(p);
        }
        return List.copyOf(probes);
    }

}
