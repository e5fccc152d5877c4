package io.sonde.agent.probe;

import io.sonde.agent.enrich.Cgroup2Mount;
import io.sonde.agent.metrics.CounterFamily;
import io.sonde.bpf.AttachType;
import io.sonde.bpf.BpfMap;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.nio.file.Path;
import java.util.List;

/**
 * NetdevProbe counts the IP packets and bytes every cgroup's sockets send and receive, from two
 * cgroup_skb programs (ingress, egress) attached to the cgroup v2 root through BPF links, which run for
 * the sockets of every cgroup below it. Each packet is charged to the cgroup of its socket (where the
 * kernel stored the socket's owner at creation), also when the kernel sends or receives it in softirq
 * context. Packets of no socket (forwarded, ARP, neighbour discovery, refused) are not seen. Kernel
 * side: netdev.bpf.c and netdev.h.
 *
 * <p>Map layout (netdev.h): {@code netdev_counts} is a per-CPU hash keyed by {cgroup_id u64, direction
 * u32 (0 received, 1 sent), pad u32} of {bytes u64, packets u64}.
 */
public final class NetdevProbe extends BpfProbe {
    private static final String[] DIRECTIONS = {"received", "sent"};

    public NetdevProbe() {
        super("netdev", "/bpf/netdev.bpf.o");
    }

    @Override
    public String description() {
        return "IP packets and bytes sent and received per cgroup of the socket (cgroup_skb ingress and egress on the "
                + "cgroup v2 root)";
    }

    @Override
    protected List<Attachment> attachments() {
        Path root = Cgroup2Mount.find().orElseThrow(() -> new IllegalStateException(
                "no cgroup2 mount in /proc/self/mountinfo: cgroup_skb programs need one"));
        return List.of(Attachment.of("count_ingress", p -> p.attachCgroup(root, AttachType.CGROUP_INET_INGRESS)),
                Attachment.of("count_egress", p -> p.attachCgroup(root, AttachType.CGROUP_INET_EGRESS)));
    }

    @Override
    public MultiCollector metrics() {
        return this::collect;
    }

    private MetricSnapshots collect() {
        CounterFamily bytes = new CounterFamily("sonde_network_bytes", "IP bytes (headers included, link layer not) "
                + "sent and received, per cgroup of the socket and direction (cgroup_skb egress and ingress on the "
                + "cgroup v2 root).", context.budget(), "cgroup", "container", "direction");
        CounterFamily packets = new CounterFamily("sonde_network_packets", "IP packets sent and received (a "
                + "segmentation-offload packet counts as its segments), per cgroup of the socket and direction.",
                context.budget(), "cgroup", "container", "direction");
        BpfMap map = map("netdev_counts");
        if (map != null) {
            try {
                forEachCgroupEntry(map, (cgroup, container, k, v) -> {
                    int d = k.getInt(8);
                    String direction = d >= 0 && d < DIRECTIONS.length ? DIRECTIONS[d] : "other";
                    bytes.add(map.sumPerCpu(v, 0), cgroup, container, direction);
                    packets.add(map.sumPerCpu(v, 8), cgroup, container, direction);
                });
            } catch (RuntimeException ex) {
                context.self().mapError("netdev_counts", "read");
            }
        }
        return MetricSnapshots.of(bytes.snapshot(), packets.snapshot());
    }
}
