package io.sonde.bpf;

/**
 * XdpMode chooses where an XDP program runs: the kernel's choice, the generic (skb) path that every
 * driver supports, the driver's native path, or offloaded to the NIC.
 *
 * <pre>{@code
 * program.attachXdp(ifindex, XdpMode.GENERIC);
 * }</pre>
 */
public enum XdpMode {
    DEFAULT(0), GENERIC(1 << 1), NATIVE(1 << 2), OFFLOAD(1 << 3);

    private final int flags;

    XdpMode(int flags) {
        this.flags = flags;
    }

    /** The kernel's XDP_FLAGS_* value for this mode. */
    public int flags() {
        return flags;
    }
}
