package io.sonde.agent.check;

import java.util.List;

/**
 * Host is what the check learns about the machine before loading anything: versions, BTF, the file
 * systems BPF needs, and the CPUs.
 *
 * <pre>{@code
 * Host host = report.host();
 * if (!host.btf().supported()) { ... }
 * }</pre>
 *
 * @param kernel the kernel release
 * @param libbpf the libbpf version in use
 * @param btf whether the kernel's BTF is readable
 * @param tracefs the tracing file system at /sys/kernel/tracing
 * @param bpffs the BPF file system at /sys/fs/bpf
 * @param cgroup2 the cgroup v2 mount (detail: its path)
 * @param onlineCpus the CPUs online now
 */
public record Host(String kernel, String libbpf, Feature btf, Feature tracefs, Feature bpffs, Feature cgroup2,
        List<Integer> onlineCpus) {}
