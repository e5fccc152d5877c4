package io.sonde.agent.check;

import io.sonde.bpf.BpfException;
import io.sonde.bpf.Kernel;
import io.sonde.bpf.MapType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * KernelCheck finds out what this host offers Sonde: it prepares the file systems BPF needs, loads a
 * trivial program of every program type for real, probes the map types, and decides which built-in
 * probes can run. It needs root (or CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN) and libbpf.
 *
 * <pre>{@code
 * CheckReport report = KernelCheck.run();
 * report.feature("raw_tracepoint").supported();
 * }</pre>
 */
public final class KernelCheck {
    private KernelCheck() {}

    /** The map types Sonde uses, by their keys in the report. */
    private static final List<Map.Entry<String, MapType>> MAPS = List.of(
            Map.entry("hash", MapType.HASH), Map.entry("array", MapType.ARRAY),
            Map.entry("percpu_hash", MapType.PERCPU_HASH), Map.entry("percpu_array", MapType.PERCPU_ARRAY),
            Map.entry("lru_hash", MapType.LRU_HASH), Map.entry("ringbuf", MapType.RINGBUF),
            Map.entry("perf_event_array", MapType.PERF_EVENT_ARRAY), Map.entry("prog_array", MapType.PROG_ARRAY),
            Map.entry("sk_storage", MapType.SK_STORAGE));

    /** The core needs: without any of these, Sonde's built-in probes cannot run. */
    static final List<String> CORE = List.of("tracepoint", "raw_tracepoint", "ringbuf");

    /** Runs the whole check. Expected failures become entries of the report, never exceptions. */
    public static CheckReport run() {
        String problem = cannotStart();
        if (problem != null) {
            return CheckReport.cannotStart(problem);
        }
        Host host = host();
        Path cgroup2 = host.cgroup2().supported() ? Path.of(host.cgroup2().detail()) : null;
        List<Feature> programTypes = ProgramTypeChecks.run(cgroup2);
        List<Feature> mapTypes = new ArrayList<>();
        for (Map.Entry<String, MapType> m : MAPS) {
            mapTypes.add(Kernel.supports(m.getValue()) ? Feature.yes(m.getKey(), "created")
                    : Feature.no(m.getKey(), "the kernel does not create " + m.getValue() + " maps"));
        }
        List<String> missing = new ArrayList<>();
        if (!host.btf().supported()) {
            missing.add("btf");
        }
        for (String core : CORE) {
            if (programTypes.stream().noneMatch(f -> f.name().equals(core) && f.supported())
                    && mapTypes.stream().noneMatch(f -> f.name().equals(core) && f.supported())) {
                missing.add(core);
            }
        }
        return new CheckReport(host, programTypes, mapTypes, BuiltInProbes.decide(programTypes, mapTypes, host),
                missing.isEmpty(), missing, null);
    }

    /** Why the check cannot start (one sentence), or null when it can. */
    static String cannotStart() {
        if (Kernel.libbpfUnavailable() != null) {
            return "sonde check cannot run: " + Kernel.libbpfUnavailable() + ".";
        }
        if (!ProcSelf.privileged()) {
            return "sonde check needs root (or the capabilities CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN): "
                    + "run it with sudo.";
        }
        return null;
    }

    private static Host host() {
        Feature btf = Kernel.hasBtf() ? Feature.yes("btf", Kernel.VMLINUX_BTF.toString())
                : Feature.no("btf", "no " + Kernel.VMLINUX_BTF + ": CO-RE programs cannot be relocated");
        Feature tracefs = mount("tracefs", Kernel.TRACEFS, true);
        Feature bpffs = mount("bpffs", Kernel.BPFFS, false);
        Path cg = io.sonde.agent.enrich.Cgroup2Mount.find().orElse(null);
        Feature cgroup2 = cg != null ? Feature.yes("cgroup2", cg.toString())
                : Feature.no("cgroup2", "no cgroup2 file system in /proc/self/mountinfo");
        return new Host(Kernel.release(), Kernel.libbpfVersion(), btf, tracefs, bpffs, cgroup2, Kernel.onlineCpus());
    }

    private static Feature mount(String name, Path at, boolean tracing) {
        try {
            boolean mountedNow = tracing ? Kernel.ensureTracefs() : Kernel.ensureBpffs();
            return Feature.yes(name, at + (mountedNow ? " (was not mounted: mounted it now)" : ""));
        } catch (BpfException e) {
            return Feature.failed(name, "not mounted at " + at + ", and mounting failed", e);
        }
    }
}
