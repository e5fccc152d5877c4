package io.sonde.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The namespace pair carries IPv4 and IPv6 between its sides, and nftables and /proc/net/snmp count in it. */
class NetPairTest {
    @Test
    void pingsBothWaysAndCountsWithNftables() {
        KernelHost.require();
        try (NetPair net = NetPair.create()) {
            net.nft(NetPair.Side.B, """
                    table inet t {
                      chain in {
                        type filter hook input priority 0;
                        tcp dport 9 counter
                      }
                    }
                    """);
            long resetsBefore = net.snmp(NetPair.Side.B, "Tcp").get("OutRsts");
            // bash's /dev/tcp to a closed port: the SYN gets a RST, proving the path both ways
            String out = net.exec(NetPair.Side.A, "bash", "-c", "exec 3<>/dev/tcp/" + net.ipv4(NetPair.Side.B)
                    + "/9 2>&1 || echo refused; exec 3<>/dev/tcp/" + net.ipv6(NetPair.Side.B) + "/9 2>&1 || echo refused6");
            assertTrue(out.contains("refused") && out.contains("refused6"), out);
            assertEquals(2, net.snmp(NetPair.Side.B, "Tcp").get("OutRsts") - resetsBefore);
            assertTrue(net.exec(NetPair.Side.B, "nft", "list", "table", "inet", "t").contains("packets 2 "));
        }
    }
}
