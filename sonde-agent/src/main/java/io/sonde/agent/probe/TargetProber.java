package io.sonde.agent.probe;

import io.sonde.agent.config.ProbeTarget;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * TargetProber probes one target on its own schedule: a virtual thread sends probe {@code seq} every
 * interval, without waiting for earlier probes to finish, and finishes each probe exactly once, as
 * answered (its RTT) when the kind's reply arrives within the timeout, or as lost when it does not (or
 * the send fails). A slow or silent target therefore never delays its own schedule nor, as every
 * target has its own threads, anyone else's. Subclasses open the sockets and send; their receivers
 * call {@link #answered} or {@link #failed}.
 *
 * <pre>{@code
 * TargetProber p = TargetProber.create(target, null, intervalNanos, timeoutNanos, 100); // null: this namespace
 * p.start();
 * TargetStats.Snapshot s = p.stats().snapshot();
 * p.close();
 * }</pre>
 */
abstract class TargetProber implements AutoCloseable {
    /** The bytes of an echo payload: the prober's token, the probe's sequence number, its send time. */
    static final int PAYLOAD = 24;

    private static final System.Logger LOG = System.getLogger("io.sonde.agent.probe");

    final ProbeTarget target;
    final NetNamespace namespace;
    final long intervalNanos;
    final long timeoutNanos;
    /** Tells this prober's echoes from anyone else's. */
    final long token = ThreadLocalRandom.current().nextLong();
    private final TargetStats stats;
    private final ConcurrentSkipListMap<Long, Long> pending = new ConcurrentSkipListMap<>(); // seq -> sent at
    private volatile boolean sending = true;
    private volatile boolean closed;
    private volatile boolean warned;
    private long nextSeq; // the scheduler's
    private Thread scheduler;

    TargetProber(ProbeTarget target, NetNamespace namespace, long intervalNanos, long timeoutNanos, int window) {
        this.target = target;
        this.namespace = namespace;
        this.intervalNanos = intervalNanos;
        this.timeoutNanos = timeoutNanos;
        this.stats = new TargetStats(window);
    }

    /** The prober of the target's kind. */
    static TargetProber create(ProbeTarget target, NetNamespace namespace, long intervalNanos, long timeoutNanos,
            int window) {
        return switch (target.kind()) {
            case "tcp" -> new TcpConnectProber(target, namespace, intervalNanos, timeoutNanos, window);
            case "udp" -> new UdpEchoProber(target, namespace, intervalNanos, timeoutNanos, window);
            case "icmp" -> new IcmpEchoProber(target, namespace, intervalNanos, timeoutNanos, window);
            default -> throw new IllegalArgumentException("no prober for kind " + target.kind());
        };
    }

    /** Opens what the kind needs (sockets, receivers), then starts the schedule. */
    final void start() throws IOException {
        open();
        scheduler = Thread.ofVirtual().name("probe-" + target.kind() + "-" + target.label()).start(this::schedule);
    }

    /** Opens the sockets and starts the receivers. */
    abstract void open() throws IOException;

    /** Sends probe {@code seq}, quickly (a slow step goes to a thread of its own). */
    abstract void send(long seq) throws IOException;

    /** Closes the sockets and stops the receivers. */
    abstract void closeSockets();

    TargetStats stats() {
        return stats;
    }

    /** Whether {@link #close} was called. */
    final boolean closed() {
        return closed;
    }

    private void schedule() {
        long next = System.nanoTime();
        while (!closed) {
            long now = System.nanoTime();
            expire(now);
            if (sending && now - next >= 0) {
                long seq = next(now);
                try {
                    send(seq);
                } catch (IOException | RuntimeException e) {
                    warnOnce(e);
                    failed(seq);
                }
                next += intervalNanos;
                if (now - next >= 0) {
                    next = now + intervalNanos; // fell behind by a whole interval: skip, do not burst
                }
                continue;
            }
            long wake = sending ? next - now : TimeUnit.MILLISECONDS.toNanos(50);
            Map.Entry<Long, Long> oldest = pending.firstEntry();
            if (oldest != null) {
                wake = Math.min(wake, oldest.getValue() + timeoutNanos - now);
            }
            LockSupport.parkNanos(Math.max(wake, 1000));
        }
    }

    private long next(long now) {
        long s = nextSeq++;
        pending.put(s, now);
        return s;
    }

    /** Finishes every probe older than the timeout as lost. */
    private void expire(long now) {
        for (Map.Entry<Long, Long> e = pending.firstEntry(); e != null && now - e.getValue() >= timeoutNanos;
                e = pending.firstEntry()) {
            if (pending.remove(e.getKey()) != null) {
                stats.record(e.getKey(), TargetStats.LOST);
            }
        }
    }

    /** The time probe {@code seq} was sent, or -1 when it is not pending (finished, or never sent). */
    final long sentAt(long seq) {
        Long t = pending.get(seq);
        return t == null ? -1 : t;
    }

    /** Finishes probe {@code seq} as answered after {@code rttNanos} (lost if that is past the timeout). */
    final void answered(long seq, long rttNanos) {
        if (pending.remove(seq) != null) {
            stats.record(seq, rttNanos > timeoutNanos ? TargetStats.LOST : Math.max(rttNanos, 0));
        }
    }

    /** Finishes probe {@code seq} as answered by a reply received at {@code nowNanos}. */
    final void answeredAt(long seq, long nowNanos) {
        Long sent = pending.get(seq);
        if (sent != null) {
            answered(seq, nowNanos - sent);
        }
    }

    /** Finishes probe {@code seq} as lost (refused, unreachable, send failed). */
    final void failed(long seq) {
        if (pending.remove(seq) != null) {
            stats.record(seq, TargetStats.LOST);
        }
    }

    /** Logs the first failure to send (an unresolvable name, a missing route); later ones only count as lost. */
    final void warnOnce(Exception e) {
        if (!warned) {
            warned = true;
            LOG.log(System.Logger.Level.WARNING, "event=probe_send_failed target=\"{0}\" kind={1} reason=\"{2}\"",
                    target.label(), target.kind(), String.valueOf(e.getMessage()).replace('"', '\''));
        }
    }

    /** The target's address now (names are resolved through the JVM's cache). */
    final InetAddress resolve() throws IOException {
        return InetAddress.getByName(target.host());
    }

    /** Writes the echo payload of probe {@code seq} sent at {@code nanos}. */
    final void payload(ByteBuffer into, long seq, long nanos) {
        into.putLong(token).putLong(seq).putLong(nanos);
    }

    /** The sequence number of an echo payload of this prober at the buffer's position, or -1. */
    final long echoed(ByteBuffer from) {
        if (from.remaining() < PAYLOAD || from.getLong(from.position()) != token) {
            return -1;
        }
        return from.getLong(from.position() + 8);
    }

    /** Stops sending (for good); probes already sent still finish. */
    final void stopSending() {
        sending = false;
    }

    /**
     * Stops sending and waits until every probe sent has finished (at most the timeout and a little);
     * the schedule does not resume. For tests that compare what was sent with the kernel's counters.
     */
    final void quiesce() throws InterruptedException {
        stopSending();
        long deadline = System.nanoTime() + timeoutNanos + TimeUnit.SECONDS.toNanos(1);
        while (!pending.isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
    }

    /** Stops the schedule at once and closes the sockets; probes still pending are not counted. */
    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        Thread s = scheduler;
        if (s != null) {
            LockSupport.unpark(s);
        }
        closeSockets();
        if (s != null) {
            try {
                s.join(TimeUnit.SECONDS.toMillis(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        pending.clear();
    }
}
