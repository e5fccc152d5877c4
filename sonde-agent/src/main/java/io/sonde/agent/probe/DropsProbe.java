package io.sonde.agent.probe;

import io.sonde.agent.metrics.CounterFamily;
import io.sonde.bpf.BpfMap;
import io.sonde.bpf.BpfObject;
import io.sonde.bpf.Btf;
import io.sonde.bpf.Program;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * DropsProbe counts the packets the kernel drops, per drop reason and protocol, and publishes each drop
 * as a {@link DropEvent}. The reasons are the kernel's own names: the values of {@code enum
 * skb_drop_reason} read from the running kernel's BTF when the probe starts (without the {@code
 * SKB_DROP_REASON_} prefix), so a kernel with new reasons needs no new agent. Kernel side: drops.bpf.c
 * and drops.h (BTF tracepoint {@code kfree_skb}; frees that are not drops go through {@code
 * consume_skb}, which is not hooked).
 *
 * <p>Map layout (drops.h): {@code drop_counts} is a per-CPU hash keyed by {reason u32, ethertype u16,
 * l4 u8, pad u8} of u64 drops.
 */
public final class DropsProbe extends BpfProbe {
    private static final System.Logger LOG = System.getLogger("io.sonde.agent.probe.drops");
    private static final String PREFIX = "SKB_DROP_REASON_";

    private volatile Map<Long, String> reasons = Map.of();
    /** The kernel side wakes the consumer only for a quarter-full ring: records wait at most this long. */
    private static final Duration POLL = Duration.ofMillis(250);
    private EventRing events;

    public DropsProbe() {
        super("drops", "/bpf/drops.bpf.o");
    }

    @Override
    public String description() {
        return "packets dropped per kernel drop reason and protocol, with drop records (BTF tracepoint kfree_skb)";
    }

    @Override
    protected void configure(BpfObject object) {
        try (Btf btf = Btf.vmlinux()) {
            Map<Long, String> names = new HashMap<>();
            btf.enumValues("skb_drop_reason").forEach((value, name) ->
                    names.put(value, name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name));
            reasons = Map.copyOf(names);
        }
    }

    @Override
    protected List<Attachment> attachments() {
        return List.of(Attachment.of("on_kfree_skb", Program::attach));
    }

    @Override
    protected void started(BpfObject object) {
        events = EventRing.start("drops", object.map("drop_events"), context.events(),
                rec -> DropEvent.decode(rec, context.attribution(), reasons), POLL);
    }

    @Override
    protected void stopping() {
        if (events != null) {
            events.close();
        }
    }

    /** The kernel's name of a drop reason; subsystem reasons (high 16 bits set) and unknown values by number. */
    static String reasonName(Map<Long, String> reasons, long value) {
        String name = reasons.get(value);
        if (name != null) {
            return name;
        }
        return value >> 16 != 0 ? "SUBSYS_" + (value >> 16) + "_" + (value & 0xffff) : "REASON_" + value;
    }

    /** The protocol label of an ethertype and IP protocol. */
    static String protocolName(int ethertype, int l4) {
        return switch (ethertype) {
            case 0x0800 -> switch (l4) {
                case 6 -> "tcp";
                case 17 -> "udp";
                case 1 -> "icmp";
                default -> "ipv4";
            };
            case 0x86DD -> switch (l4) {
                case 6 -> "tcp";
                case 17 -> "udp";
                case 58 -> "icmpv6";
                default -> "ipv6";
            };
            case 0x0806 -> "arp";
            default -> "other";
        };
    }

    @Override
    public MultiCollector metrics() {
        return this::collect;
    }

    private MetricSnapshots collect() {
        CounterFamily drops = new CounterFamily("sonde_packet_drops", "Packets the kernel dropped, per drop reason "
                + "(the kernel's enum skb_drop_reason, read from its BTF) and protocol (BTF tracepoint kfree_skb).",
                context.budget(), "reason", "protocol");
        BpfMap map = map("drop_counts");
        if (map != null) {
            try {
                for (BpfMap.Entry e : map.entries()) {
                    ByteBuffer k = ByteBuffer.wrap(e.key()).order(ByteOrder.nativeOrder());
                    drops.add(map.sumPerCpu(e.value(), 0), reasonName(reasons, Integer.toUnsignedLong(k.getInt(0))),
                            protocolName(Short.toUnsignedInt(k.getShort(4)), Byte.toUnsignedInt(k.get(6))));
                }
            } catch (RuntimeException ex) {
                context.self().mapError("drop_counts", "read");
            }
        }
        return MetricSnapshots.of(drops.snapshot());
    }
}
