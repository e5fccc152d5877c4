package io.sonde.agent.probe;

import io.sonde.agent.config.ProbeTarget;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * UdpEchoProber probes a UDP echo service ({@code host:port}, RFC 862 or anything that sends a
 * datagram back unchanged): each probe is one datagram carrying the prober's token, the sequence
 * number and the send time, and it is answered when the same payload comes back. One dual-stack socket
 * (created in the target's network namespace) sends without blocking (a datagram the socket cannot
 * take at once, as when packets to an unresolvable neighbour fill its buffer, is a lost probe), and a
 * platform thread receives.
 */
final class UdpEchoProber extends TargetProber {
    private static final int POLL_MS = 50;

    private final ByteBuffer out = ByteBuffer.allocate(PAYLOAD);
    private DatagramChannel channel;
    private Selector selector;
    private Thread receiver;

    UdpEchoProber(ProbeTarget target, NetNamespace namespace, long intervalNanos, long timeoutNanos, int window) {
        super(target, namespace, intervalNanos, timeoutNanos, window);
    }

    @Override
    void open() throws IOException {
        channel = NetNamespace.call(namespace, DatagramChannel::open);
        channel.configureBlocking(false);
        selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
        receiver = Thread.ofPlatform().daemon().name("probe-udp-receive-" + target.label()).start(this::receive);
    }

    @Override
    void send(long seq) throws IOException {
        InetSocketAddress remote = new InetSocketAddress(resolve(), target.port());
        out.clear();
        payload(out, seq, sentAt(seq));
        out.flip();
        if (channel.send(out, remote) == 0) {
            failed(seq); // the socket's buffer is full
        }
    }

    private void receive() {
        ByteBuffer in = ByteBuffer.allocate(PAYLOAD + 1);
        while (!closed()) {
            try {
                selector.select(POLL_MS);
                selector.selectedKeys().clear();
                while (true) {
                    in.clear();
                    if (channel.receive(in) == null) {
                        break;
                    }
                    long now = System.nanoTime();
                    in.flip();
                    long seq = in.remaining() == PAYLOAD ? echoed(in) : -1;
                    if (seq >= 0) {
                        answeredAt(seq, now);
                    }
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed()) {
                    return;
                }
                warnOnce(e); // an ICMP error queued on the socket; keep receiving
            }
        }
    }

    @Override
    void closeSockets() {
        try {
            if (receiver != null) {
                selector.wakeup();
                receiver.join(POLL_MS * 10L);
            }
            if (selector != null) {
                selector.close();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // closing a datagram socket does not fail in a way that matters here
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
