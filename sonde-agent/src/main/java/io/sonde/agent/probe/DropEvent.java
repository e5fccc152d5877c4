package io.sonde.agent.probe;

import io.sonde.agent.events.Event;
import io.sonde.bpf.ringbuf.RingRecord;

import java.util.Map;

/**
 * DropEvent is one packet the kernel dropped, from the drops probe's ring buffer (drops.h {@code struct
 * drop_event}): the kernel's reason, the protocol, the packet's addresses as they were on the packet
 * (source is the sender), the device, and the owner of the packet's socket when it had one (the root
 * cgroup when not). pid and comm name the task that was running only when it is that owner.
 *
 * <pre>{@code
 * bus.subscribe("netfilter", 1024, e -> e instanceof DropEvent d && d.reason().equals("NETFILTER_DROP"));
 * }</pre>
 *
 * @param timestampNanos kernel monotonic time of the drop
 * @param pid the socket owner's process, when it was the task running; else 0
 * @param comm its command name, or ""
 * @param cgroup the cgroup of the packet's socket ("/" when none)
 * @param container its container id, or ""
 * @param reason the kernel's drop reason without its {@code SKB_DROP_REASON_} prefix
 * @param protocol tcp, udp, icmp, icmpv6, ipv4, ipv6, arp or other
 * @param family ipv4, ipv6, or "" when the packet had no IP header the kernel had found
 * @param saddr the packet's source address, or ""
 * @param sport its source port (TCP, UDP), or 0
 * @param daddr the packet's destination address, or ""
 * @param dport its destination port, or 0
 * @param ifindex the device the packet was on, or 0
 */
public record DropEvent(long timestampNanos, int pid, String comm, String cgroup, String container, String reason,
        String protocol, String family, String saddr, int sport, String daddr, int dport, int ifindex)
        implements Event {
    static final int SIZE = 88;

    @Override
    public String type() {
        return "drop";
    }

    /** Decodes one ring-buffer record with the kernel's reason names. */
    static DropEvent decode(RingRecord r, Attribution attribution, Map<Long, String> reasons) {
        if (r.length() < SIZE) {
            throw new IllegalArgumentException("drop record of " + r.length() + " bytes, expected " + SIZE);
        }
        String cgroup = attribution.cgroupPath(r.getLong(8));
        int af = Short.toUnsignedInt(r.getShort(28));
        return new DropEvent(r.getLong(0), r.getInt(20), r.getString(72, 16), cgroup, attribution.container(cgroup),
                DropsProbe.reasonName(reasons, Integer.toUnsignedLong(r.getInt(16))),
                DropsProbe.protocolName(Short.toUnsignedInt(r.getShort(24)), Byte.toUnsignedInt(r.getByte(26))),
                af == 10 ? "ipv6" : af == 2 ? "ipv4" : "", TcpEvents.address(r, 40, af),
                Short.toUnsignedInt(r.getShort(30)), TcpEvents.address(r, 56, af), Short.toUnsignedInt(r.getShort(32)),
                r.getInt(36));
    }
}
