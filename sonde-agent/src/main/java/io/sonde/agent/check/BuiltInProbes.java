package io.sonde.agent.check;

import io.sonde.bpf.Kernel;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * BuiltInProbes lists what each of Sonde's built-in probes needs from the kernel, and decides from a
 * check's findings which of them can run here.
 */
final class BuiltInProbes {
    private BuiltInProbes() {}

    /**
     * What one probe needs: one of the program types (the first that works is used; empty for a
     * probe without BPF), the tracepoints that must exist, map types, and whether it needs cgroup v2.
     */
    private record Needs(String probe, List<String> anyProgramType, List<String> tracepoints, List<String> mapTypes,
            boolean cgroup2) {}

    private static final List<String> COUNTERS = List.of("percpu_hash");

    private static final List<Needs> PROBES = List.of(
            new Needs("syscalls", List.of("raw_tracepoint"), List.of(), COUNTERS, false),
            new Needs("process", List.of("tracepoint"), List.of("sched/sched_process_exec", "sched/sched_process_exit",
                    "sched/sched_process_fork", "oom/mark_victim"), List.of("ringbuf"), false),
            new Needs("files", List.of("tracepoint"), List.of("syscalls/sys_enter_openat", "syscalls/sys_exit_openat"),
                    COUNTERS, false),
            new Needs("sched", List.of("tp_btf", "raw_tracepoint"), List.of(), COUNTERS, false),
            new Needs("block", List.of("tracepoint"), List.of("block/block_rq_issue", "block/block_rq_complete"),
                    COUNTERS, false),
            new Needs("tcp", List.of("tp_btf"), List.of("sock/inet_sock_set_state", "tcp/tcp_probe",
                    "tcp/tcp_retransmit_skb", "tcp/tcp_send_reset", "tcp/tcp_receive_reset"),
                    List.of("hash", "lru_hash", "array", "ringbuf"), false),
            new Needs("drops", List.of("tp_btf"), List.of("skb/kfree_skb"), List.of("percpu_hash", "ringbuf"), false),
            new Needs("netdev", List.of("cgroup_skb"), List.of(), COUNTERS, true),
            new Needs("cgroups", List.of(), List.of(), List.of(), true),
            new Needs("probe", List.of(), List.of(), List.of(), false));

    /** One verdict per built-in probe, from the checked features and the host. */
    static List<ProbeVerdict> decide(List<Feature> programTypes, List<Feature> mapTypes, Host host) {
        List<ProbeVerdict> verdicts = new ArrayList<>();
        for (Needs needs : PROBES) {
            verdicts.add(decide(needs, programTypes, mapTypes, host));
        }
        return verdicts;
    }

    private static ProbeVerdict decide(Needs needs, List<Feature> programTypes, List<Feature> mapTypes, Host host) {
        List<String> missing = new ArrayList<>();
        String via = needs.anyProgramType().isEmpty() ? "no BPF" : null;
        for (String type : needs.anyProgramType()) {
            if (works(programTypes, type)) {
                via = type;
                break;
            }
        }
        if (via == null) {
            missing.add(String.join(" or ", needs.anyProgramType()));
        }
        if (!needs.anyProgramType().isEmpty() && !host.btf().supported()) {
            missing.add("BTF");
        }
        for (String tp : needs.tracepoints()) {
            if (!Files.isDirectory(Kernel.TRACEFS.resolve("events").resolve(tp))) {
                missing.add("tracepoint " + tp);
            }
        }
        for (String map : needs.mapTypes()) {
            if (!works(mapTypes, map)) {
                missing.add(map + " maps");
            }
        }
        if (needs.cgroup2() && !host.cgroup2().supported()) {
            missing.add("cgroup v2");
        }
        if (!missing.isEmpty()) {
            return new ProbeVerdict(needs.probe(), false, "needs " + String.join(", ", missing));
        }
        String fallback = needs.anyProgramType().size() > 1 && !via.equals(needs.anyProgramType().get(0))
                ? " (" + needs.anyProgramType().get(0) + " unavailable)" : "";
        return new ProbeVerdict(needs.probe(), true, via + fallback);
    }

    private static boolean works(List<Feature> features, String name) {
        return features.stream().anyMatch(f -> f.name().equals(name) && f.supported());
    }
}
