package io.sonde.bpf;

/**
 * ProgramType names the kernel's program types ({@code enum bpf_prog_type}) with their numbers.
 *
 * <pre>{@code
 * if (program.type() == ProgramType.TRACEPOINT) { ... }
 * }</pre>
 */
public enum ProgramType {
    UNSPEC, SOCKET_FILTER, KPROBE, SCHED_CLS, SCHED_ACT, TRACEPOINT, XDP, PERF_EVENT, CGROUP_SKB, CGROUP_SOCK,
    LWT_IN, LWT_OUT, LWT_XMIT, SOCK_OPS, SK_SKB, CGROUP_DEVICE, SK_MSG, RAW_TRACEPOINT, CGROUP_SOCK_ADDR,
    LWT_SEG6LOCAL, LIRC_MODE2, SK_REUSEPORT, FLOW_DISSECTOR, CGROUP_SYSCTL, RAW_TRACEPOINT_WRITABLE,
    CGROUP_SOCKOPT, TRACING, STRUCT_OPS, EXT, LSM, SK_LOOKUP, SYSCALL, NETFILTER;

    /** The kernel's number for this type. */
    public int value() {
        return ordinal();
    }

    /** The type with the kernel's number, or UNSPEC for a number this library does not know. */
    public static ProgramType of(int value) {
        ProgramType[] all = values();
        return value >= 0 && value < all.length ? all[value] : UNSPEC;
    }
}
