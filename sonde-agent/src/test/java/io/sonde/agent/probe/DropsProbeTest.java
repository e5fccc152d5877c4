package io.sonde.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** Labels of the drops probe: the kernel's reason names, protocols from ethertype and IP protocol. */
class DropsProbeTest {
    @Test
    void reasonsByTheKernelsNamesElseByNumber() {
        Map<Long, String> names = Map.of(2L, "NOT_SPECIFIED", 12L, "NETFILTER_DROP");
        assertEquals("NETFILTER_DROP", DropsProbe.reasonName(names, 12));
        assertEquals("REASON_99", DropsProbe.reasonName(names, 99));
        assertEquals("SUBSYS_1_3", DropsProbe.reasonName(names, (1L << 16) | 3));
    }

    @Test
    void protocols() {
        assertEquals("tcp", DropsProbe.protocolName(0x0800, 6));
        assertEquals("udp", DropsProbe.protocolName(0x86DD, 17));
        assertEquals("icmp", DropsProbe.protocolName(0x0800, 1));
        assertEquals("icmpv6", DropsProbe.protocolName(0x86DD, 58));
        assertEquals("ipv4", DropsProbe.protocolName(0x0800, 47));
        assertEquals("arp", DropsProbe.protocolName(0x0806, 0));
        assertEquals("other", DropsProbe.protocolName(0x88cc, 0));
    }
}
