package io.sonde.bpf;

/**
 * AttachType names the kernel's attach points ({@code enum bpf_attach_type}) that this library
 * attaches to explicitly: cgroup hooks, XDP and TC (tcx).
 *
 * <pre>{@code
 * try (Link link = program.attachCgroup(Path.of("/sys/fs/cgroup/unified/test"), AttachType.CGROUP_INET_EGRESS)) { ... }
 * }</pre>
 */
public enum AttachType {
    CGROUP_INET_INGRESS(0), CGROUP_INET_EGRESS(1), CGROUP_INET_SOCK_CREATE(2), CGROUP_SOCK_OPS(3),
    CGROUP_DEVICE(6), CGROUP_INET4_BIND(8), CGROUP_INET6_BIND(9), CGROUP_INET4_CONNECT(10),
    CGROUP_INET6_CONNECT(11), CGROUP_INET4_POST_BIND(12), CGROUP_INET6_POST_BIND(13), CGROUP_UDP4_SENDMSG(14),
    CGROUP_UDP6_SENDMSG(15), CGROUP_SYSCTL(18), CGROUP_UDP4_RECVMSG(19), CGROUP_UDP6_RECVMSG(20),
    CGROUP_GETSOCKOPT(21), CGROUP_SETSOCKOPT(22), XDP(37), PERF_EVENT(41), TCX_INGRESS(46), TCX_EGRESS(47);

    private final int value;

    AttachType(int value) {
        this.value = value;
    }

    /** The kernel's number for this attach type. */
    public int value() {
        return value;
    }
}
