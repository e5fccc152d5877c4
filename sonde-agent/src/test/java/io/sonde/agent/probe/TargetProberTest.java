package io.sonde.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sonde.agent.config.ProbeTarget;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/**
 * The schedule of one target, with a fake kind that answers, refuses or ignores probes by their
 * sequence number: every probe sent finishes exactly once, ignored ones by the timeout; the schedule
 * does not wait for pending probes; quiesce drains; close stops sending at once. Also the ICMP checksum.
 */
class TargetProberTest {
    private static final ProbeTarget TARGET = new ProbeTarget("udp", "127.0.0.1:9", "fake", null);

    /** Answers seq % 4 == 0 and 1 at once, refuses 2, ignores 3 (lost when the timeout passes). */
    private static final class FakeProber extends TargetProber {
        final AtomicLong sent = new AtomicLong();
        final Set<Long> seqs = ConcurrentHashMap.newKeySet();
        volatile boolean socketsClosed;

        FakeProber(long intervalNanos, long timeoutNanos) {
            super(TARGET, null, intervalNanos, timeoutNanos, 100_000);
        }

        @Override
        void open() {}

        @Override
        void send(long seq) {
            sent.incrementAndGet();
            assertTrue(seqs.add(seq), "sequence numbers are not reused");
            switch ((int) (seq % 4)) {
                case 0, 1 -> answered(seq, TimeUnit.MICROSECONDS.toNanos(100 + seq % 2 * 100));
                case 2 -> failed(seq);
                default -> { }
            }
            if (seq % 4 != 3) {
                answered(seq, 1); // a second reply to a finished probe changes nothing
            }
        }

        @Override
        void closeSockets() {
            socketsClosed = true;
        }
    }

    @Test
    void everyProbeFinishesOnceAndTheScheduleDoesNotWaitForPendingOnes() throws Exception {
        // a timeout 100 intervals long: were the schedule to wait for pending probes, 25% of them
        // would stretch it a hundredfold and the loop below would not end in time
        FakeProber p = new FakeProber(TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(100));
        p.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (p.sent.get() < 400 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(p.sent.get() >= 400, "sent " + p.sent.get());
            p.quiesce();
            long sent = p.sent.get();
            Thread.sleep(20);
            assertEquals(sent, p.sent.get(), "quiesce stops sending");
            TargetStats.Snapshot s = p.stats().snapshot();
            assertEquals(sent, s.finished(), "each probe sent finished exactly once");
            long answered = (sent + 3) / 4 + (sent + 2) / 4; // seq % 4 == 0 or 1 among 0..sent-1
            assertEquals(answered, s.answered());
            assertEquals((double) (sent - answered) / sent, s.lossRatio(), 1e-12);
            assertEquals(0.00005, s.jitter(), 1e-9); // RTTs of 100 and 200 µs in equal numbers
        } finally {
            p.close();
        }
        assertTrue(p.socketsClosed);
    }

    @Test
    void closeStopsTheScheduleAtOnce() throws Exception {
        FakeProber p = new FakeProber(TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(30));
        p.start();
        Thread.sleep(50);
        long t0 = System.nanoTime();
        p.close();
        long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(closeMs < 5_000, "close waited " + closeMs + " ms (the timeout is 30 s)");
        long sent = p.sent.get();
        Thread.sleep(30);
        assertEquals(sent, p.sent.get(), "nothing is sent after close");
        assertFalse(p.stats().snapshot().finished() > sent);
        p.close(); // idempotent
    }

    @Test
    void icmpChecksum() {
        // an echo request, id 0x1234, seq 1, data "abcd": the sum of its words complemented
        byte[] packet = {8, 0, 0, 0, 0x12, 0x34, 0, 1, 'a', 'b', 'c', 'd'};
        int sum = 0x0800 + 0x1234 + 0x0001 + 0x6162 + 0x6364;
        assertEquals(~sum & 0xffff, IcmpEchoProber.checksum(packet, 0, packet.length));
        packet[2] = (byte) (~sum >> 8);
        packet[3] = (byte) ~sum;
        assertEquals(0, IcmpEchoProber.checksum(packet, 0, packet.length), "a packet with its checksum sums to 0");
        assertEquals(~0x0100 & 0xffff, IcmpEchoProber.checksum(new byte[] {1}, 0, 1), "an odd byte is padded");
    }
}
