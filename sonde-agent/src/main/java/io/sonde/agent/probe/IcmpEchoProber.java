package io.sonde.agent.probe;

import io.sonde.agent.config.ProbeTarget;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * IcmpEchoProber probes a host with ICMP echo requests (ICMPv6 for an IPv6 address); the target's
 * kernel answers them. The request's data is the echo payload (token, sequence number, send time),
 * which the reply carries back unchanged. Each address family gets an {@link IcmpSocket} (ping socket
 * or raw socket) in the target's namespace, opened at start for a literal address and at the first
 * probe for a host name, and a platform thread that receives on it.
 */
final class IcmpEchoProber extends TargetProber {
    private static final int ECHO_REQUEST = 8;
    private static final int ECHO_REPLY = 0;
    private static final int ECHO6_REQUEST = 128;
    private static final int ECHO6_REPLY = 129;
    private static final int HEADER = 8;
    private static final int POLL_MS = 50;
    private static final System.Logger LOG = System.getLogger("io.sonde.agent.probe");

    /** The echo identifier of a raw socket (a ping socket's is the kernel's). */
    private final int identifier = ThreadLocalRandom.current().nextInt(1 << 16);
    private final byte[] packet = new byte[HEADER + PAYLOAD];
    private final Receiver[] receivers = new Receiver[2]; // IPv4, IPv6

    /** One socket and the thread that receives on it. */
    private record Receiver(IcmpSocket socket, Thread thread) {}

    IcmpEchoProber(ProbeTarget target, NetNamespace namespace, long intervalNanos, long timeoutNanos, int window) {
        super(target, namespace, intervalNanos, timeoutNanos, window);
    }

    @Override
    void open() throws IOException {
        InetAddress literal;
        try {
            literal = InetAddress.ofLiteral(target.host());
        } catch (IllegalArgumentException e) {
            return; // a host name: the socket of its family is opened when it is first probed
        }
        receiver(literal instanceof Inet6Address);
    }

    private synchronized Receiver receiver(boolean v6) throws IOException {
        Receiver r = receivers[v6 ? 1 : 0];
        if (r == null) {
            if (closed()) {
                throw new IOException("closed");
            }
            IcmpSocket socket = NetNamespace.call(namespace, () -> IcmpSocket.open(v6));
            Thread thread = Thread.ofPlatform().daemon().name("probe-icmp-receive-" + target.label())
                    .unstarted(() -> receive(socket));
            r = new Receiver(socket, thread);
            receivers[v6 ? 1 : 0] = r;
            thread.start();
            LOG.log(System.Logger.Level.INFO,
                    "event=icmp_socket target=\"{0}\" family={1} socket={2}", target.label(), v6 ? "ipv6" : "ipv4",
                    socket.raw() ? "raw" : "ping");
        }
        return r;
    }

    @Override
    void send(long seq) throws IOException {
        InetAddress to = resolve();
        boolean v6 = to instanceof Inet6Address;
        Receiver r = receiver(v6);
        ByteBuffer b = ByteBuffer.wrap(packet);
        b.put((byte) (v6 ? ECHO6_REQUEST : ECHO_REQUEST)).put((byte) 0).putShort((short) 0)
                .putShort((short) identifier).putShort((short) seq);
        payload(b, seq, sentAt(seq));
        if (!v6) {
            b.putShort(2, (short) checksum(packet, 0, packet.length)); // a ping socket recomputes it
        }
        r.socket().send(to, packet, packet.length);
    }

    private void receive(IcmpSocket socket) {
        byte[] in = new byte[1500];
        while (!closed()) {
            int n;
            try {
                n = socket.receive(in, POLL_MS);
            } catch (IOException e) {
                if (closed()) {
                    return;
                }
                warnOnce(e);
                continue;
            }
            long now = System.nanoTime();
            int at = 0;
            if (socket.raw() && !socket.v6()) {
                if (n < 20 || (in[0] & 0xf0) != 0x40) {
                    continue;
                }
                at = (in[0] & 0x0f) * 4; // a raw IPv4 socket sees the IP header
            }
            if (n - at < HEADER + PAYLOAD || (in[at] & 0xff) != (socket.v6() ? ECHO6_REPLY : ECHO_REPLY)
                    || in[at + 1] != 0) {
                continue;
            }
            if (socket.raw() && IcmpSocket.u16(in, at + 4) != identifier) {
                continue; // someone else's echo: a raw socket sees every reply
            }
            long seq = echoed(ByteBuffer.wrap(in, at + HEADER, n - at - HEADER));
            if (seq >= 0) {
                answeredAt(seq, now);
            }
        }
    }

    /** The Internet checksum (RFC 1071) of {@code length} bytes from {@code offset}. */
    static int checksum(byte[] data, int offset, int length) {
        long sum = 0;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += IcmpSocket.u16(data, offset + i);
        }
        if ((length & 1) != 0) {
            sum += (data[offset + length - 1] & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    @Override
    synchronized void closeSockets() {
        for (Receiver r : receivers) {
            if (r == null) {
                continue;
            }
            try {
                r.thread().join(POLL_MS * 10L); // it sees closed() within one poll
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!r.thread().isAlive()) {
                r.socket().close();
            }
        }
    }
}
