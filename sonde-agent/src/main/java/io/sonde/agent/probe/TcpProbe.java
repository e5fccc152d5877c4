package io.sonde.agent.probe;

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.metrics.CounterFamily;
import io.sonde.agent.metrics.Log2Histogram;
import io.sonde.agent.metrics.SeriesBudget;
import io.sonde.bpf.BpfMap;
import io.sonde.bpf.BpfObject;
import io.sonde.bpf.Btf;
import io.sonde.bpf.Program;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * TcpProbe follows every TCP socket from connect or accept to close and counts, per cgroup of the
 * socket's owner: connects by result, accepts, connect and connection durations, bytes sent and
 * received, smoothed RTT samples, retransmitted segments and resets; and per remote endpoint (the top
 * {@code probes.tcp.top_remotes} by traffic) RTT and retransmits. Kernel side: tcp.bpf.c and tcp.h
 * (BTF tracepoints inet_sock_set_state, tcp_probe, tcp_retransmit_skb, tcp_send_reset,
 * tcp_receive_reset).
 *
 * <p>Attribution: the owner is the cgroup the kernel stored in the socket when it was created
 * ({@code sk->sk_cgrp_data}), which a passive open inherits from its listener: right also when the
 * kernel works on the socket in softirq context on behalf of no task.
 *
 * <p>Bytes: {@code bytes_acked} and {@code bytes_received} of the socket itself. A closing socket adds
 * its final figures to its cgroup in the kernel; at every scrape the agent lists the open sockets it
 * finds in the {@code live} map, runs {@code refresh_listed} (BPF_PROG_TEST_RUN), which copies their
 * counters into their entries, and adds them up: long-lived connections count up to the scrape. A
 * connection that closes while a scrape reads may be missing from that one scrape (never counted
 * twice); one that opens meanwhile counts from the next; the exposed counter never goes down.
 *
 * <p>RTT: every received segment runs {@code on_segment}, which reads the socket's next sample time from
 * the slot of the array {@code rtt_due} that the socket's address hashes to (kernel side only) and
 * compares it with the socket's own timestamp {@code tcp_clock_cache}: no helper call, no hash lookup and
 * no clock read unless a sample is due, at most once per {@code probes.tcp.rtt_interval_ms} per socket
 * (sockets sharing a slot share its due time). A due socket with no entry in {@code live} is one open
 * before the probe (or one the LRU forgot): it is adopted there. {@code on_segment} reads the socket as a
 * tcp_sock through {@code bpf_rdonly_cast}; where the kernel's BTF lacks that kfunc (before 6.2),
 * {@code on_segment_compat} (a helper call) is loaded instead.
 *
 * <p>Map layouts (tcp.h): {@code cgroup_stats} hash by cgroup id of {@code struct tcp_cgroup_stats};
 * {@code remote_stats} LRU hash by {@code struct tcp_remote} of {@code struct tcp_remote_stats};
 * {@code live} LRU hash by socket address of {@code struct tcp_live}; {@code refresh_list} array of
 * socket addresses; {@code rtt_due} array of 65,536 u64 due times; records: {@code struct tcp_event}, published as {@link TcpEvents}.
 */
public final class TcpProbe extends BpfProbe {
    private static final System.Logger LOG = System.getLogger("io.sonde.agent.probe.tcp");
    private static final String[] RESULTS = {"established", "refused", "timeout", "error"};
    private static final String OTHER = SeriesBudget.OTHER;
    private static final int HIST_BYTES = (Log2Histogram.SLOTS + 1) * 8;
    private static final int STATS_CONNECT = 80;
    private static final int STATS_DURATION = STATS_CONNECT + HIST_BYTES;
    private static final int STATS_RTT = STATS_DURATION + HIST_BYTES;
    /** Offsets in tcp.h {@code struct tcp_live}. */
    private static final int LIVE_ESTABLISHED = 16;
    private static final int LIVE_BASE_ACKED = 24;
    private static final int LIVE_BASE_RECEIVED = 32;
    private static final int LIVE_ACKED = 40;
    private static final int LIVE_RECEIVED = 48;
    private static final int LIVE_REMOTE = 56;

    /** Bytes per cgroup already exposed: the exposed counters never go down. */
    private final Map<Long, long[]> exposedBytes = new HashMap<>();
    private int topRemotes = 50;
    private String segmentProgram = "on_segment";
    /** The kernel side wakes the consumer only for a quarter-full ring: records wait at most this long. */
    private static final Duration POLL = Duration.ofMillis(250);
    private EventRing events;

    public TcpProbe() {
        super("tcp", "/bpf/tcp.bpf.o");
    }

    @Override
    public String description() {
        return "TCP connects, accepts, durations, bytes, RTT, retransmits and resets per cgroup of the socket, RTT "
                + "and retransmits per top remote (BTF tracepoints inet_sock_set_state, tcp_probe, "
                + "tcp_retransmit_skb, tcp_send_reset, tcp_receive_reset)";
    }

    @Override
    protected void configure(BpfObject object) {
        AgentConfig.Tcp settings = context.config().probes().tcp();
        object.setGlobal("rtt_interval_ns", settings.rttIntervalMs() * 1_000_000L);
        object.setGlobal("connection_events", settings.connectionEvents());
        object.map("live").resize(settings.maxConnections());
        object.map("refresh_list").resize(settings.maxConnections());
        topRemotes = settings.topRemotes();
        // the per-segment program sees the socket as a tcp_sock through a cast that costs nothing (6.2 and
        // later), else through a helper call
        try (Btf btf = Btf.vmlinux()) {
            segmentProgram = btf.hasFunction("bpf_rdonly_cast") ? "on_segment" : "on_segment_compat";
        }
        object.program("on_segment").setAutoload(segmentProgram.equals("on_segment"));
        object.program("on_segment_compat").setAutoload(segmentProgram.equals("on_segment_compat"));
    }

    @Override
    protected List<Attachment> attachments() {
        return List.of(Attachment.of("on_state", Program::attach), Attachment.of(segmentProgram, Program::attach),
                Attachment.of("on_retransmit", Program::attach), Attachment.of("on_send_reset", Program::attach),
                Attachment.of("on_receive_reset", Program::attach));
    }

    @Override
    protected void started(BpfObject object) {
        events = EventRing.start("tcp", object.map("tcp_events"), context.events(),
                rec -> TcpEvents.decode(rec, context.attribution()), POLL);
    }

    @Override
    protected void stopping() {
        if (events != null) {
            events.close();
        }
    }

    @Override
    public MultiCollector metrics() {
        return this::collect;
    }

    /** One scrape's families. */
    private final class Families {
        final CounterFamily connects = new CounterFamily("sonde_tcp_connects", "TCP connects that ended, per cgroup "
                + "of the socket and result: established, refused (reset), timeout or error (BTF tracepoint "
                + "inet_sock_set_state).", context.budget(), "cgroup", "container", "result");
        final CounterFamily accepts = new CounterFamily("sonde_tcp_accepts", "TCP passive opens that reached "
                + "ESTABLISHED, per cgroup of the listening socket (BTF tracepoint inet_sock_set_state).",
                context.budget(), "cgroup", "container");
        final Log2Histogram connect = new Log2Histogram("sonde_tcp_connect_duration_seconds", "Time from a TCP "
                + "connect's SYN to ESTABLISHED, per cgroup of the socket.", context.budget(), "cgroup", "container");
        final Log2Histogram duration = new Log2Histogram("sonde_tcp_connection_duration_seconds", "Time TCP "
                + "connections spent from ESTABLISHED to CLOSE, per cgroup of the socket.", context.budget(), "cgroup",
                "container");
        final CounterFamily sent = new CounterFamily("sonde_tcp_sent_bytes", "Bytes TCP connections sent and the "
                + "peer acknowledged (the socket's bytes_acked), per cgroup of the socket; open connections count up "
                + "to the scrape.", context.budget(), "cgroup", "container");
        final CounterFamily received = new CounterFamily("sonde_tcp_received_bytes", "Bytes TCP connections "
                + "received (the socket's bytes_received), per cgroup of the socket; open connections count up to the "
                + "scrape.", context.budget(), "cgroup", "container");
        final Log2Histogram rtt = new Log2Histogram("sonde_tcp_rtt_seconds", "Smoothed round-trip time of TCP "
                + "connections, sampled per socket at most every probes.tcp.rtt_interval_ms when a segment arrives "
                + "(BTF tracepoint tcp_probe), per cgroup of the socket.", context.budget(), "cgroup", "container");
        final CounterFamily retransmits = new CounterFamily("sonde_tcp_retransmits", "TCP segments retransmitted "
                + "(as RetransSegs counts them), per cgroup of the socket (BTF tracepoint tcp_retransmit_skb).",
                context.budget(), "cgroup", "container");
        final CounterFamily resets = new CounterFamily("sonde_tcp_resets", "TCP resets, per cgroup of the socket and "
                + "direction: sent or received (BTF tracepoints tcp_send_reset, tcp_receive_reset); resets no socket "
                + "sent are the root cgroup's.", context.budget(), "cgroup", "container", "direction");
        final Log2Histogram remoteRtt = new Log2Histogram("sonde_tcp_remote_rtt_seconds", "Smoothed round-trip time "
                + "samples of TCP connections, per remote endpoint (ip:port) for the probes.tcp.top_remotes "
                + "endpoints with the most traffic, the rest as \"other\".", context.budget(), "remote");
        final CounterFamily remoteRetransmits = new CounterFamily("sonde_tcp_remote_retransmits", "TCP segments "
                + "retransmitted, per remote endpoint (ip:port) for the probes.tcp.top_remotes endpoints with the "
                + "most traffic, the rest as \"other\".", context.budget(), "remote");

        MetricSnapshots snapshots() {
            return MetricSnapshots.of(connects.snapshot(), accepts.snapshot(), connect.snapshot(), duration.snapshot(),
                    sent.snapshot(), received.snapshot(), rtt.snapshot(), retransmits.snapshot(), resets.snapshot(),
                    remoteRtt.snapshot(), remoteRetransmits.snapshot());
        }
    }

    private MetricSnapshots collect() {
        Families f = new Families();
        if (object() != null) {
            try {
                synchronized (this) {
                    read(f);
                }
            } catch (RuntimeException e) {
                context.self().mapError("tcp", "read");
            }
        }
        return f.snapshots();
    }

    private void read(Families f) {
        Attribution a = context.attribution();
        // closed connections first, then the open ones: a connection closing in between is missed once,
        // never counted twice
        Map<Long, long[]> bytes = new HashMap<>();
        Map<Long, ByteBuffer> stats = new HashMap<>();
        BpfMap statsMap = map("cgroup_stats");
        for (BpfMap.Entry e : statsMap.entries()) {
            long id = BpfMap.longAt(e.key(), 0);
            if (a.cgroupGone(id)) {
                statsMap.delete(e.key());
                exposedBytes.remove(id);
                continue;
            }
            ByteBuffer v = ByteBuffer.wrap(e.value()).order(ByteOrder.nativeOrder());
            stats.put(id, v);
            bytes.put(id, new long[] {v.getLong(64), v.getLong(72)});
        }
        Map<Remote, Long> liveTraffic = new HashMap<>();
        for (BpfMap.Entry e : refreshLive(map("live"))) {
            ByteBuffer v = ByteBuffer.wrap(e.value()).order(ByteOrder.nativeOrder());
            if (v.getLong(LIVE_ESTABLISHED) == 0) {
                continue;
            }
            long sent = Math.max(0, v.getLong(LIVE_ACKED) - v.getLong(LIVE_BASE_ACKED));
            long received = Math.max(0, v.getLong(LIVE_RECEIVED) - v.getLong(LIVE_BASE_RECEIVED));
            long[] b = bytes.computeIfAbsent(v.getLong(0), k -> new long[2]);
            b[0] += sent;
            b[1] += received;
            liveTraffic.merge(Remote.of(e.value(), LIVE_REMOTE), sent + received, Long::sum);
        }
        for (Map.Entry<Long, long[]> e : bytes.entrySet()) {
            long id = e.getKey();
            if (a.cgroupGone(id)) {
                continue;
            }
            String cgroup = a.cgroupPath(id);
            String container = a.container(cgroup);
            long[] shown = exposedBytes.computeIfAbsent(id, k -> new long[2]);
            shown[0] = Math.max(shown[0], e.getValue()[0]);
            shown[1] = Math.max(shown[1], e.getValue()[1]);
            f.sent.add(shown[0], cgroup, container);
            f.received.add(shown[1], cgroup, container);
            ByteBuffer v = stats.get(id);
            if (v != null) {
                cgroupFigures(f, v, cgroup, container);
            }
        }
        readRemotes(f, liveTraffic);
    }

    /**
     * The entries of {@code live}, the established ones with their socket's counters as of now: their keys
     * go into {@code refresh_list}, {@code refresh_listed} copies the counters, and the map is read again.
     */
    private List<BpfMap.Entry> refreshLive(BpfMap live) {
        List<BpfMap.Entry> entries = live.entries();
        BpfMap list = map("refresh_list");
        List<byte[]> open = new ArrayList<>();
        for (BpfMap.Entry e : entries) {
            if (BpfMap.longAt(e.value(), LIVE_ESTABLISHED) != 0 && open.size() < list.maxEntries()) {
                open.add(e.key());
            }
        }
        if (open.isEmpty()) {
            return entries;
        }
        int n = Math.min(open.size() + 1, list.maxEntries()); // a zero key ends the list
        try (Arena a = Arena.ofConfined()) {
            MemorySegment indexes = a.allocate(ValueLayout.JAVA_INT, n);
            MemorySegment keys = a.allocate(ValueLayout.JAVA_LONG, n);
            for (int i = 0; i < n; i++) {
                indexes.setAtIndex(ValueLayout.JAVA_INT, i, i);
                if (i < open.size()) {
                    MemorySegment.copy(open.get(i), 0, keys, ValueLayout.JAVA_BYTE, i * 8L, 8);
                }
            }
            list.update(indexes, keys, n);
        }
        object().program("refresh_listed").run();
        return live.entries();
    }

    private static void cgroupFigures(Families f, ByteBuffer v, String cgroup, String container) {
        for (int r = 0; r < RESULTS.length; r++) {
            long n = v.getLong(r * 8);
            if (n > 0 || r == 0) {
                f.connects.add(n, cgroup, container, RESULTS[r]);
            }
        }
        f.accepts.add(v.getLong(32), cgroup, container);
        f.retransmits.add(v.getLong(40), cgroup, container);
        f.resets.add(v.getLong(48), cgroup, container, "sent");
        f.resets.add(v.getLong(56), cgroup, container, "received");
        f.connect.add(slots(v, STATS_CONNECT), v.getLong(STATS_CONNECT + Log2Histogram.SLOTS * 8), cgroup, container);
        f.duration.add(slots(v, STATS_DURATION), v.getLong(STATS_DURATION + Log2Histogram.SLOTS * 8), cgroup,
                container);
        f.rtt.add(slots(v, STATS_RTT), v.getLong(STATS_RTT + Log2Histogram.SLOTS * 8), cgroup, container);
    }

    private static long[] slots(ByteBuffer v, int offset) {
        long[] s = new long[Log2Histogram.SLOTS];
        for (int i = 0; i < s.length; i++) {
            s[i] = v.getLong(offset + i * 8);
        }
        return s;
    }

    /** A remote endpoint of tcp.h {@code struct tcp_remote}. */
    record Remote(byte[] addr, int port) {
        static Remote of(byte[] b, int offset) {
            ByteBuffer v = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
            int family = Short.toUnsignedInt(v.getShort(offset + 18));
            byte[] addr = Arrays.copyOfRange(b, offset, offset + (family == 10 ? 16 : 4));
            return new Remote(addr, Short.toUnsignedInt(v.getShort(offset + 16)));
        }

        String label() {
            String ip = TcpEvents.addressText(addr);
            return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Remote r && r.port == port && Arrays.equals(r.addr, addr);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(addr) * 31 + port;
        }
    }

    /** The endpoints with the most traffic (closed plus open connections) get their own series. */
    private void readRemotes(Families f, Map<Remote, Long> liveTraffic) {
        Map<Remote, ByteBuffer> values = new HashMap<>();
        Map<Remote, Long> traffic = new HashMap<>();
        for (BpfMap.Entry e : map("remote_stats").entries()) {
            Remote remote = Remote.of(e.key(), 0);
            ByteBuffer v = ByteBuffer.wrap(e.value()).order(ByteOrder.nativeOrder());
            values.put(remote, v);
            traffic.put(remote, v.getLong(0) + liveTraffic.getOrDefault(remote, 0L));
        }
        addRemotes(topRemotes(traffic, topRemotes), values, f.remoteRetransmits, f.remoteRtt);
    }

    /**
     * Adds each remote's retransmits and RTT histogram ({@code struct tcp_remote_stats} from offset 8): the
     * top ones under their labels, the rest summed here and added once as "other" (there may be thousands,
     * and each would pass the series budget and merge its 40 slots on its own).
     */
    static void addRemotes(Map<Remote, String> top, Map<Remote, ByteBuffer> values, CounterFamily retransmits,
            Log2Histogram rtt) {
        top.forEach((remote, label) -> {
            ByteBuffer v = values.get(remote);
            retransmits.add(v.getLong(8), label);
            rtt.add(slots(v, 16), v.getLong(16 + Log2Histogram.SLOTS * 8), label);
        });
        if (values.size() == top.size()) {
            return;
        }
        long otherRetransmits = 0;
        long[] otherSlots = new long[Log2Histogram.SLOTS];
        long otherSumNanos = 0;
        for (Map.Entry<Remote, ByteBuffer> e : values.entrySet()) {
            if (top.containsKey(e.getKey())) {
                continue;
            }
            ByteBuffer v = e.getValue();
            otherRetransmits += v.getLong(8);
            for (int i = 0; i < otherSlots.length; i++) {
                otherSlots[i] += v.getLong(16 + i * 8);
            }
            otherSumNanos += v.getLong(16 + Log2Histogram.SLOTS * 8);
        }
        retransmits.add(otherRetransmits, OTHER);
        rtt.add(otherSlots, otherSumNanos, OTHER);
    }

    /**
     * The {@code top} remotes with the most traffic (equal traffic in label order, so that the choice does
     * not flap), ranked, with their labels ({@code ip:port}); the rest are "other". Only they and the ties
     * at the least traffic that makes the top get a label: ranking thousands of remotes cost milliseconds.
     */
    static Map<Remote, String> topRemotes(Map<Remote, Long> traffic, int top) {
        PriorityQueue<Long> largest = new PriorityQueue<>(top + 1);
        for (Long amount : traffic.values()) {
            if (largest.size() < top) {
                largest.add(amount);
            } else if (amount > largest.peek()) {
                largest.poll();
                largest.add(amount);
            }
        }
        long floor = largest.size() < top || largest.isEmpty() ? Long.MIN_VALUE : largest.peek();
        record Ranked(Remote remote, long traffic, String label) {}
        List<Ranked> candidates = new ArrayList<>();
        traffic.forEach((remote, amount) -> {
            if (amount >= floor) {
                candidates.add(new Ranked(remote, amount, remote.label()));
            }
        });
        candidates.sort(Comparator.comparingLong(Ranked::traffic).reversed().thenComparing(Ranked::label));
        Map<Remote, String> labels = new java.util.LinkedHashMap<>();
        for (int i = 0; i < Math.min(top, candidates.size()); i++) {
            labels.put(candidates.get(i).remote(), candidates.get(i).label());
        }
        return labels;
    }
}
