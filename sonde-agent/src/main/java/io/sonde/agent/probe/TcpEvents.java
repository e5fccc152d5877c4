package io.sonde.agent.probe;

import io.sonde.agent.events.Event;
import io.sonde.bpf.ringbuf.RingRecord;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * TcpEvents are the records the tcp probe publishes on the event bus, one per connect (failed ones
 * always, successful ones unless {@code probes.tcp.connection_events} is off), accept, close,
 * retransmission and reset, decoded from tcp.h {@code struct tcp_event}. Addresses are seen from the
 * socket: source is the local end, destination the remote one.
 *
 * <pre>{@code
 * try (EventBus.Subscription s = bus.subscribe("failed-connects", 1024,
 *         e -> e instanceof TcpEvents.Connect c && !c.result().equals("established"))) {
 *     TcpEvents.Connect c = (TcpEvents.Connect) s.poll(1, TimeUnit.SECONDS);
 * }
 * }</pre>
 */
public final class TcpEvents {
    private TcpEvents() {}

    static final int SIZE = 112;
    private static final String[] RESULTS = {"established", "refused", "timeout", "error"};

    /** A connect that ended: established, refused, timeout or error; latency from SYN to the result. */
    public record Connect(long timestampNanos, int pid, String comm, String cgroup, String container, String family,
            String saddr, int sport, String daddr, int dport, String result, long latencyNanos) implements Event {
        @Override
        public String type() {
            return "tcp_connect";
        }
    }

    /** A passive open that reached ESTABLISHED, attributed to the listener's owner. */
    public record Accept(long timestampNanos, int pid, String comm, String cgroup, String container, String family,
            String saddr, int sport, String daddr, int dport) implements Event {
        @Override
        public String type() {
            return "tcp_accept";
        }
    }

    /** A connection that closed, with the bytes it sent (acknowledged) and received, and how long it was open. */
    public record Close(long timestampNanos, int pid, String comm, String cgroup, String container, String family,
            String saddr, int sport, String daddr, int dport, long sentBytes, long receivedBytes, long durationNanos)
            implements Event {
        @Override
        public String type() {
            return "tcp_close";
        }
    }

    /** Segments the kernel retransmitted on a connection. */
    public record Retransmit(long timestampNanos, int pid, String comm, String cgroup, String container, String family,
            String saddr, int sport, String daddr, int dport, int segments, String state) implements Event {
        @Override
        public String type() {
            return "tcp_retransmit";
        }
    }

    /** A reset sent or received ("sent", "received"). */
    public record Reset(long timestampNanos, int pid, String comm, String cgroup, String container, String family,
            String saddr, int sport, String daddr, int dport, String direction) implements Event {
        @Override
        public String type() {
            return "tcp_reset";
        }
    }

    /** Decodes one ring-buffer record; attribution fills cgroup and container. */
    static Event decode(RingRecord r, Attribution attribution) {
        if (r.length() < SIZE) {
            throw new IllegalArgumentException("tcp record of " + r.length() + " bytes, expected " + SIZE);
        }
        long ts = r.getLong(0);
        String cgroup = attribution.cgroupPath(r.getLong(8));
        String container = attribution.container(cgroup);
        int pid = r.getInt(44);
        String comm = r.getString(96, 16);
        int af = Short.toUnsignedInt(r.getShort(48));
        String family = af == 10 ? "ipv6" : af == 2 ? "ipv4" : "";
        String saddr = address(r, 64, af);
        String daddr = address(r, 80, af);
        int sport = Short.toUnsignedInt(r.getShort(50));
        int dport = Short.toUnsignedInt(r.getShort(52));
        int detail = Short.toUnsignedInt(r.getShort(54));
        return switch (r.getInt(40)) {
            case 1 -> new Connect(ts, pid, comm, cgroup, container, family, saddr, sport, daddr, dport,
                    RESULTS[detail & 3], r.getLong(16));
            case 2 -> new Accept(ts, pid, comm, cgroup, container, family, saddr, sport, daddr, dport);
            case 3 -> new Close(ts, pid, comm, cgroup, container, family, saddr, sport, daddr, dport, r.getLong(24),
                    r.getLong(32), r.getLong(16));
            case 4 -> new Retransmit(ts, pid, comm, cgroup, container, family, saddr, sport, daddr, dport, r.getInt(56),
                    state(r.getInt(60)));
            case 5 -> new Reset(ts, pid, comm, cgroup, container, family, saddr, sport, daddr, dport,
                    detail == 1 ? "received" : "sent");
            default -> throw new IllegalArgumentException("tcp record of unknown type " + r.getInt(40));
        };
    }

    /** An address of a record (16 bytes at offset; IPv4 in the first 4), as text; "" when the family is unknown. */
    static String address(RingRecord r, int offset, int family) {
        if (family != 2 && family != 10) {
            return "";
        }
        byte[] b = new byte[family == 2 ? 4 : 16];
        r.getBytes(offset, b, 0, b.length);
        return addressText(b);
    }

    /** An IPv4 or IPv6 address as text, IPv6 in its short form (RFC 5952), IPv4-mapped IPv6 as IPv4. */
    static String addressText(byte[] b) {
        InetAddress a;
        try {
            a = InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            return "";
        }
        if (!(a instanceof Inet6Address)) {
            return a.getHostAddress();
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8;) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    private static final String[] STATES = {"", "established", "syn_sent", "syn_recv", "fin_wait1", "fin_wait2",
        "time_wait", "close", "close_wait", "last_ack", "listen", "closing", "new_syn_recv"};

    static String state(int s) {
        return s >= 0 && s < STATES.length ? STATES[s] : Integer.toString(s);
    }
}
