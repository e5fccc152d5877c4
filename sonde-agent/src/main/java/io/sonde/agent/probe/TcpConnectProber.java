package io.sonde.agent.probe;

import io.sonde.agent.config.ProbeTarget;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * TcpConnectProber probes a TCP {@code host:port} by connecting: the RTT is the time {@code connect}
 * takes (SYN out, SYN-ACK in), and a refused, reset or timed-out connect is a lost probe. Each probe
 * connects on a virtual thread of its own and closes the connection at once; the socket is created in
 * the target's network namespace.
 */
final class TcpConnectProber extends TargetProber {
    private final ExecutorService connects = Executors.newVirtualThreadPerTaskExecutor();

    TcpConnectProber(ProbeTarget target, NetNamespace namespace, long intervalNanos, long timeoutNanos, int window) {
        super(target, namespace, intervalNanos, timeoutNanos, window);
    }

    @Override
    void open() {
        // a socket per probe, opened when it is sent
    }

    @Override
    void send(long seq) {
        if (closed()) {
            return;
        }
        connects.execute(() -> connect(seq));
    }

    private void connect(long seq) {
        long sent = sentAt(seq);
        if (sent < 0) {
            return; // already timed out
        }
        try (SocketChannel channel = NetNamespace.call(namespace, SocketChannel::open)) {
            InetSocketAddress remote = new InetSocketAddress(resolve(), target.port());
            long waited = System.nanoTime() - sent;
            int timeoutMs = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos - waited));
            long t0 = System.nanoTime();
            channel.socket().connect(remote, timeoutMs);
            answered(seq, System.nanoTime() - t0);
        } catch (IOException e) {
            failed(seq); // refused, reset, unreachable, timed out, or closed by close()
        } catch (RuntimeException e) {
            warnOnce(e);
            failed(seq);
        }
    }

    @Override
    void closeSockets() {
        connects.shutdownNow(); // interrupting a connect closes its channel
        try {
            connects.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
