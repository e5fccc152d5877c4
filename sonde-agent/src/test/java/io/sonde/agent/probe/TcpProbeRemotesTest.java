package io.sonde.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The top remote endpoints by traffic keep their own series; the rest are "other". */
class TcpProbeRemotesTest {
    private static TcpProbe.Remote v4(int last, int port) {
        return new TcpProbe.Remote(new byte[] {10, 0, 0, (byte) last}, port);
    }

    @Test
    void topByTrafficThenOther() {
        TcpProbe.Remote a = v4(1, 80);
        TcpProbe.Remote b = v4(2, 443);
        TcpProbe.Remote c = v4(3, 5432);
        Map<TcpProbe.Remote, String> labels = TcpProbe.remoteLabels(Map.of(a, 10L, b, 1000L, c, 500L), 2);
        assertEquals("10.0.0.2:443", labels.get(b));
        assertEquals("10.0.0.3:5432", labels.get(c));
        assertEquals("other", labels.get(a));
        assertEquals(List.of(b, c, a), List.copyOf(labels.keySet()), "ranked by traffic");
    }

    @Test
    void equalTrafficRanksByLabelAndIpv6IsBracketed() {
        TcpProbe.Remote v6 = new TcpProbe.Remote(new byte[] {(byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
                7);
        TcpProbe.Remote v4 = v4(9, 7);
        Map<TcpProbe.Remote, String> labels = TcpProbe.remoteLabels(Map.of(v6, 5L, v4, 5L), 1);
        assertEquals("10.0.0.9:7", labels.get(v4));
        assertEquals("other", labels.get(v6));
        assertEquals("[fd00::2]:7", TcpProbe.remoteLabels(Map.of(v6, 5L), 1).get(v6));
    }
}
