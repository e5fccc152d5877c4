package io.sonde.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sonde.agent.metrics.CounterFamily;
import io.sonde.agent.metrics.Log2Histogram;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The top remote endpoints by traffic keep their own series; the rest are summed as "other". */
class TcpProbeRemotesTest {
    private static TcpProbe.Remote v4(int last, int port) {
        return new TcpProbe.Remote(new byte[] {10, 0, 0, (byte) last}, port);
    }

    @Test
    void topByTrafficThenOther() {
        TcpProbe.Remote a = v4(1, 80);
        TcpProbe.Remote b = v4(2, 443);
        TcpProbe.Remote c = v4(3, 5432);
        Map<TcpProbe.Remote, String> labels = TcpProbe.topRemotes(Map.of(a, 10L, b, 1000L, c, 500L), 2);
        assertEquals("10.0.0.2:443", labels.get(b));
        assertEquals("10.0.0.3:5432", labels.get(c));
        assertEquals(List.of(b, c), List.copyOf(labels.keySet()), "ranked by traffic, the rest are other");
    }

    @Test
    void equalTrafficRanksByLabelAndIpv6IsBracketed() {
        TcpProbe.Remote v6 = new TcpProbe.Remote(new byte[] {(byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
                7);
        TcpProbe.Remote v4 = v4(9, 7);
        Map<TcpProbe.Remote, String> labels = TcpProbe.topRemotes(Map.of(v6, 5L, v4, 5L), 1);
        assertEquals(Map.of(v4, "10.0.0.9:7"), labels);
        assertEquals("[fd00::2]:7", TcpProbe.topRemotes(Map.of(v6, 5L), 1).get(v6));
    }

    @Test
    void theOtherRemotesAddUpToWhatEachWouldHaveAdded() {
        Map<TcpProbe.Remote, Long> traffic = new HashMap<>();
        Map<TcpProbe.Remote, ByteBuffer> values = new HashMap<>();
        for (int r = 1; r <= 40; r++) {
            TcpProbe.Remote remote = v4(r, 1000 + r);
            traffic.put(remote, (long) (r % 7)); // ties, so that labels decide
            // struct tcp_remote_stats: u64 traffic, u64 retransmits, then the RTT histogram's slots and sum
            ByteBuffer v = ByteBuffer.allocate(16 + (Log2Histogram.SLOTS + 1) * 8).order(ByteOrder.nativeOrder());
            v.putLong(8, r * 3L);
            for (int s = 0; s < Log2Histogram.SLOTS; s++) {
                v.putLong(16 + s * 8, (r * 31L + s) % 5);
            }
            v.putLong(16 + Log2Histogram.SLOTS * 8, 123_456_789L * r);
            values.put(remote, v);
        }
        Map<TcpProbe.Remote, String> labels = TcpProbe.topRemotes(traffic, 5);
        CounterFamily retransmits = new CounterFamily("r", "r", null, "remote");
        Log2Histogram rtt = new Log2Histogram("h", "h", null, "remote");
        TcpProbe.addRemotes(labels, values, retransmits, rtt);
        // what adding every remote on its own gives
        CounterFamily eachRetransmits = new CounterFamily("r", "r", null, "remote");
        Log2Histogram eachRtt = new Log2Histogram("h", "h", null, "remote");
        values.keySet().forEach(remote -> {
            String label = labels.getOrDefault(remote, "other");
            ByteBuffer v = values.get(remote);
            long[] slots = new long[Log2Histogram.SLOTS];
            for (int s = 0; s < slots.length; s++) {
                slots[s] = v.getLong(16 + s * 8);
            }
            eachRetransmits.add(v.getLong(8), label);
            eachRtt.add(slots, v.getLong(16 + Log2Histogram.SLOTS * 8), label);
        });
        CounterSnapshot got = retransmits.snapshot();
        assertEquals(6, got.getDataPoints().size(), "five remotes and other");
        CounterSnapshot eachGot = eachRetransmits.snapshot();
        for (int i = 0; i < got.getDataPoints().size(); i++) {
            assertEquals(eachGot.getDataPoints().get(i).getLabels(), got.getDataPoints().get(i).getLabels());
            assertEquals(eachGot.getDataPoints().get(i).getValue(), got.getDataPoints().get(i).getValue());
        }
        HistogramSnapshot h = rtt.snapshot();
        HistogramSnapshot each = eachRtt.snapshot();
        assertEquals(each.getDataPoints().size(), h.getDataPoints().size());
        for (int i = 0; i < h.getDataPoints().size(); i++) {
            HistogramSnapshot.HistogramDataPointSnapshot a = h.getDataPoints().get(i);
            HistogramSnapshot.HistogramDataPointSnapshot b = each.getDataPoints().get(i);
            assertEquals(b.getLabels(), a.getLabels());
            for (int k = 0; k < b.getClassicBuckets().size(); k++) {
                assertEquals(b.getClassicBuckets().getCount(k), a.getClassicBuckets().getCount(k));
            }
            assertEquals(b.getCount(), a.getCount());
            assertEquals(b.getSum(), a.getSum(), b.getSum() * 1e-12, "the sum, added in nanoseconds then converted");
        }
    }

    @Test
    void theTopOfThousandsWithTiesIsWhatAFullSortGives() {
        java.util.Random random = new java.util.Random(42);
        Map<TcpProbe.Remote, Long> traffic = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            byte[] addr = {10, (byte) random.nextInt(4), (byte) random.nextInt(256), (byte) random.nextInt(256)};
            traffic.put(new TcpProbe.Remote(addr, random.nextInt(3) * 1000), (long) random.nextInt(40)); // many ties
        }
        for (int top : new int[] {1, 50, 2999, 3000, 5000}) {
            List<Map.Entry<TcpProbe.Remote, Long>> sorted = new java.util.ArrayList<>(traffic.entrySet());
            sorted.sort(Map.Entry.<TcpProbe.Remote, Long>comparingByValue().reversed()
                    .thenComparing(e -> e.getKey().label()));
            List<TcpProbe.Remote> expected = sorted.stream().limit(top).map(Map.Entry::getKey).toList();
            Map<TcpProbe.Remote, String> labels = TcpProbe.topRemotes(traffic, top);
            assertEquals(expected, List.copyOf(labels.keySet()), "the top, ranked");
            for (TcpProbe.Remote r : expected) {
                assertEquals(r.label(), labels.get(r));
            }
        }
    }
}
