package io.sonde.agent;

import static io.sonde.agent.Exposition.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sonde.agent.NetPair.Side;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Traffic between two network namespaces, sender and receiver each in a test cgroup: the netdev probe's
 * packets per cgroup equal the datagrams the workload sent exactly (UDP), and its bytes agree with the
 * bytes the workload moved plus the headers (exactly for UDP, within 5% for a TCP transfer).
 */
@Timeout(120)
class NetdevProbeTest {
    private Path client;
    private Path server;

    @BeforeEach
    void cgroups() throws Exception {
        KernelHost.require();
        client = KernelHost.newCgroup();
        server = KernelHost.newCgroup();
    }

    @AfterEach
    void removeCgroups() {
        KernelHost.removeCgroup(client);
        KernelHost.removeCgroup(server);
    }

    @Test
    void udpPacketsAndBytesPerCgroupAreExact() throws Exception {
        String c = KernelHost.label(client);
        String s = KernelHost.label(server);
        int n = 2000;
        int size = 500;
        long ipBytes = (long) n * (size + 8 + 20); // UDP and IPv4 headers
        try (NetPair net = NetPair.create(); AgentHarness agent = AgentHarness.start(TcpProbeTest.config("netdev"))) {
            String ip = net.ipv4(Side.B);
            try (NetProcess srv = NetProcess.start(net, Side.B, server, "udprecv", ip, "5005", "" + n);
                    NetProcess cli = NetProcess.start(net, Side.A, client, "udpsend", ip, "5005", "" + n, "" + size)) {
                srv.expect("ready");
                cli.expect("ready");
                cli.go();
                cli.expect("done");
                assertEquals("" + (long) n * size, srv.expect("received"));
                cli.exited();
                srv.exited();
            }
            String after = agent.scrape();
            System.out.printf("netdev udp: %d datagrams of %d bytes: sent %.0f packets %.0f bytes, received %.0f "
                    + "packets %.0f bytes%n", n, size,
                    value(after, "sonde_network_packets_total", "cgroup", c, "direction", "sent"),
                    value(after, "sonde_network_bytes_total", "cgroup", c, "direction", "sent"),
                    value(after, "sonde_network_packets_total", "cgroup", s, "direction", "received"),
                    value(after, "sonde_network_bytes_total", "cgroup", s, "direction", "received"));
            assertEquals(n, value(after, "sonde_network_packets_total", "cgroup", c, "direction", "sent"), "sent");
            assertEquals(n, value(after, "sonde_network_packets_total", "cgroup", s, "direction", "received"),
                    "received");
            assertEquals(0, value(after, "sonde_network_packets_total", "cgroup", c, "direction", "received"));
            assertEquals(0, value(after, "sonde_network_packets_total", "cgroup", s, "direction", "sent"));
            assertEquals(ipBytes, value(after, "sonde_network_bytes_total", "cgroup", c, "direction", "sent"),
                    "bytes sent");
            assertEquals(ipBytes, value(after, "sonde_network_bytes_total", "cgroup", s, "direction", "received"),
                    "bytes received");
        }
    }

    @Test
    void tcpBytesPerCgroupAgreeWithTheTransferWithinFivePercent() throws Exception {
        String c = KernelHost.label(client);
        String s = KernelHost.label(server);
        long bytes = 4L << 20;
        try (NetPair net = NetPair.create(); AgentHarness agent = AgentHarness.start(TcpProbeTest.config("netdev"))) {
            String ip = net.ipv4(Side.B);
            try (NetProcess srv = NetProcess.start(net, Side.B, server, "serve", ip, "5006", "1", "sink");
                    NetProcess cli = NetProcess.start(net, Side.A, client, "connect", ip, "5006", "1", "" + bytes)) {
                srv.expect("ready");
                cli.expect("ready");
                cli.go();
                assertEquals("0", cli.expect("done"));
                assertEquals("" + bytes, srv.expect("received"));
                cli.exited();
                srv.exited();
            }
            Thread.sleep(200); // the last ACKs
            String after = agent.scrape();
            double sent = value(after, "sonde_network_bytes_total", "cgroup", c, "direction", "sent");
            double received = value(after, "sonde_network_bytes_total", "cgroup", s, "direction", "received");
            double packets = value(after, "sonde_network_packets_total", "cgroup", c, "direction", "sent");
            System.out.printf("netdev tcp: %d bytes moved: client sent %.0f bytes in %.0f packets, server received "
                    + "%.0f bytes%n", bytes, sent, packets, received);
            assertTrue(sent >= bytes && sent <= bytes * 1.05, "client sent " + sent + " for " + bytes);
            assertTrue(received >= bytes && received <= bytes * 1.05, "server received " + received + " for " + bytes);
            // at least one packet per MSS-sized segment (1448 bytes of data with timestamps on a 1500 MTU)
            assertTrue(packets >= bytes / 1448.0, "segments sent: " + packets);
        }
    }
}
