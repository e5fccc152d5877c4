package io.sonde.agent;

import static io.sonde.agent.Exposition.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sonde.agent.NetPair.Side;
import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.events.EnrichedEvent;
import io.sonde.agent.events.Event;
import io.sonde.agent.events.EventBus;
import io.sonde.agent.probe.DropEvent;
import io.sonde.agent.probe.TcpEvents;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connections between two network namespaces, client and server each in a test cgroup: the tcp probe's
 * connects, accepts, bytes, durations, resets and retransmits for those cgroups equal the work the
 * workload did or the kernel's own counters (RetransSegs of the client's namespace), its RTT agrees
 * with what {@code ss -ti} shows for the same socket, and its events carry the same story.
 */
@Timeout(180)
class TcpProbeTest {
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

    /** Only the given probes, RTT sampled on every segment, every remote its own series. */
    static AgentConfig config(String... probes) {
        return new AgentConfig(null, new AgentConfig.Probes(List.of(probes), null, null, null, null,
                new AgentConfig.Tcp(1, 10_000, null, null), null, null, null), null, null);
    }

    @Test
    void connectsAcceptsAndBytesOverIpv4() throws Exception {
        connectsAcceptsAndBytes(false, 20, 100_000);
    }

    @Test
    void connectsAcceptsAndBytesOverIpv6() throws Exception {
        connectsAcceptsAndBytes(true, 5, 10_000);
    }

    private void connectsAcceptsAndBytes(boolean ipv6, int m, int bytes) throws Exception {
        String c = KernelHost.label(client);
        String s = KernelHost.label(server);
        try (NetPair net = NetPair.create(); AgentHarness agent = AgentHarness.start(config("tcp"));
                EventBus.Subscription events = agent.agent().events().subscribe("test", 100_000,
                        e -> e.cgroup().equals(c) || e.cgroup().equals(s))) {
            String ip = ipv6 ? net.ipv6(Side.B) : net.ipv4(Side.B);
            String clientIp = ipv6 ? net.ipv6(Side.A) : net.ipv4(Side.A);
            try (NetProcess srv = NetProcess.start(net, Side.B, server, "serve", ip, "5001", "" + m, "sink");
                    NetProcess cli = NetProcess.start(net, Side.A, client, "connect", ip, "5001", "" + m, "" + bytes)) {
                srv.expect("ready");
                cli.expect("ready");
                cli.go();
                assertEquals("0", cli.expect("done"), "failed connects");
                assertEquals("" + (long) m * bytes, srv.expect("received"));
                cli.exited();
                srv.exited();
            }
            String after = awaitValue(agent, m, "sonde_tcp_connection_duration_seconds_count", "cgroup", s);
            System.out.printf("tcp %s: %d connects of %d bytes%n", ipv6 ? "ipv6" : "ipv4", m, bytes);
            assertEquals(m, value(after, "sonde_tcp_connects_total", "cgroup", c, "result", "established"),
                    "established connects of the client");
            assertEquals(m, value(after, "sonde_tcp_connects_total", "cgroup", c), "connects of the client");
            assertEquals(m, value(after, "sonde_tcp_accepts_total", "cgroup", s), "accepts of the server");
            assertEquals(0, value(after, "sonde_tcp_accepts_total", "cgroup", c), "accepts of the client");
            assertEquals(0, value(after, "sonde_tcp_connects_total", "cgroup", s), "connects of the server");
            assertEquals((double) m * bytes, value(after, "sonde_tcp_sent_bytes_total", "cgroup", c), "client sent");
            assertEquals((double) m * bytes, value(after, "sonde_tcp_received_bytes_total", "cgroup", s),
                    "server received");
            assertEquals(0, value(after, "sonde_tcp_received_bytes_total", "cgroup", c), "client received");
            assertEquals(0, value(after, "sonde_tcp_sent_bytes_total", "cgroup", s), "server sent");
            assertEquals(m, value(after, "sonde_tcp_connect_duration_seconds_count", "cgroup", c), "connects timed");
            assertTrue(value(after, "sonde_tcp_connect_duration_seconds_sum", "cgroup", c) > 0, "connect time");
            assertEquals(m, value(after, "sonde_tcp_connection_duration_seconds_count", "cgroup", c),
                    "client connections timed");

            List<Event> seen = drain(events);
            assertEquals(m, seen.stream().filter(e -> e instanceof TcpEvents.Connect k && k.cgroup().equals(c)
                    && k.result().equals("established") && k.daddr().equals(ip) && k.dport() == 5001
                    && k.comm().equals("netload") && k.latencyNanos() > 0).count(), "connect events: " + seen);
            assertEquals(m, seen.stream().filter(e -> e instanceof TcpEvents.Accept k && k.cgroup().equals(s)
                    && k.saddr().equals(ip) && k.sport() == 5001).count(), "accept events");
            assertEquals(m, seen.stream().filter(e -> e instanceof TcpEvents.Close k && k.cgroup().equals(c)
                    && k.sentBytes() == bytes && k.receivedBytes() == 0 && k.saddr().equals(clientIp) && k.sport() > 0
                    && k.daddr().equals(ip) && k.dport() == 5001).count(), "close events of the client: " + seen);
            assertEquals(m, seen.stream().filter(e -> e instanceof TcpEvents.Close k && k.cgroup().equals(s)
                    && k.sentBytes() == 0 && k.receivedBytes() == bytes).count(), "close events of the server");
        }
    }

    @Test
    void refusedConnectCountsOneRefusedAndOneReceivedReset() throws Exception {
        String c = KernelHost.label(client);
        try (NetPair net = NetPair.create(); AgentHarness agent = AgentHarness.start(config("tcp"));
                EventBus.Subscription events = agent.agent().events().subscribe("test", 10_000,
                        e -> e.cgroup().equals(c))) {
            try (NetProcess cli = NetProcess.start(net, Side.A, client, "connect", net.ipv4(Side.B), "5002", "1",
                    "0")) {
                cli.expect("ready");
                cli.go();
                assertEquals("1", cli.expect("done"), "failed connects");
                cli.exited();
            }
            String after = awaitValue(agent, 1, "sonde_tcp_connects_total", "cgroup", c, "result", "refused");
            assertEquals(1, value(after, "sonde_tcp_connects_total", "cgroup", c), "connects of the client");
            assertEquals(1, value(after, "sonde_tcp_resets_total", "cgroup", c, "direction", "received"),
                    "resets received");
            assertEquals(0, value(after, "sonde_tcp_resets_total", "cgroup", c, "direction", "sent"), "resets sent");
            List<Event> seen = drain(events);
            assertEquals(1, seen.stream().filter(e -> e instanceof TcpEvents.Connect k && k.result().equals("refused")
                    && k.dport() == 5002 && k.daddr().equals(net.ipv4(Side.B)) && k.pid() > 0).count(),
                    "refused connect event: " + seen);
            assertEquals(1, seen.stream().filter(e -> e instanceof TcpEvents.Reset k
                    && k.direction().equals("received") && k.dport() == 5002).count(), "reset event: " + seen);
        }
    }

    @Test
    void resetByTheServerCountsOneSentAndOneReceived() throws Exception {
        String c = KernelHost.label(client);
        String s = KernelHost.label(server);
        try (NetPair net = NetPair.create(); AgentHarness agent = AgentHarness.start(config("tcp"));
                EventBus.Subscription events = agent.agent().events().subscribe("test", 10_000,
                        e -> e.cgroup().equals(c) || e.cgroup().equals(s))) {
            String ip = net.ipv4(Side.B);
            try (NetProcess srv = NetProcess.start(net, Side.B, server, "serve", ip, "5007", "1", "reset");
                    NetProcess cli = NetProcess.start(net, Side.A, client, "connect", ip, "5007", "1", "0")) {
                srv.expect("ready");
                cli.expect("ready");
                cli.go();
                assertEquals("0", cli.expect("done"));
                cli.exited();
                srv.exited();
            }
            String after = awaitValue(agent, 1, "sonde_tcp_resets_total", "cgroup", c, "direction", "received");
            assertEquals(1, value(after, "sonde_tcp_resets_total", "cgroup", s, "direction", "sent"), "server sent");
            assertEquals(0, value(after, "sonde_tcp_resets_total", "cgroup", s, "direction", "received"));
            assertEquals(0, value(after, "sonde_tcp_resets_total", "cgroup", c, "direction", "sent"));
            assertEquals(1, value(after, "sonde_tcp_connects_total", "cgroup", c, "result", "established"));
            List<Event> seen = drain(events);
            assertEquals(1, seen.stream().filter(e -> e instanceof TcpEvents.Reset r && r.cgroup().equals(s)
                    && r.direction().equals("sent") && r.daddr().equals(net.ipv4(Side.A)))
                    .count(), "reset sent event: " + seen);
        }
    }

    @Test
    void unansweredConnectTimesOutAndItsSynRetransmitsCount() throws Exception {
        String c = KernelHost.label(client);
        try (NetPair net = NetPair.create(); AgentHarness agent = AgentHarness.start(config("tcp"));
                EventBus.Subscription events = agent.agent().events().subscribe("test", 10_000,
                        e -> e.cgroup().equals(c))) {
            // every SYN dies; with tcp_syn_retries 1 the connect gives up after 1 + 2 s
            net.nft(Side.B, "table inet sonde_loss {\n chain input {\n  type filter hook input priority 0; policy accept;\n"
                    + "  tcp dport 5008 tcp flags & syn == syn counter drop\n }\n}\n");
            net.exec(Side.A, "sysctl", "-q", "-w", "net.ipv4.tcp_syn_retries=1");
            long retransBefore = net.snmp(Side.A, "Tcp").get("RetransSegs");
            try (NetProcess cli = NetProcess.start(net, Side.A, client, "connect", net.ipv4(Side.B), "5008", "1",
                    "0")) {
                cli.expect("ready");
                cli.go();
                assertEquals("1", cli.expect("done"), "failed connects");
                cli.exited();
            }
            String after = awaitValue(agent, 1, "sonde_tcp_connects_total", "cgroup", c, "result", "timeout");
            long retrans = net.snmp(Side.A, "Tcp").get("RetransSegs") - retransBefore;
            assertEquals(1, value(after, "sonde_tcp_connects_total", "cgroup", c), "connects");
            System.out.printf("tcp timeout: %d SYNs dropped, RetransSegs +%d%n", nftCounter(net), retrans);
            assertTrue(retrans > 0, "RetransSegs: the SYN was retransmitted");
            assertEquals(retrans, value(after, "sonde_tcp_retransmits_total", "cgroup", c), "retransmits");
            List<Event> seen = drain(events);
            assertEquals(1, seen.stream().filter(e -> e instanceof TcpEvents.Connect k && k.result().equals("timeout")
                    && k.latencyNanos() > 2_500_000_000L).count(), "timeout event: " + seen);
            assertEquals(retrans, seen.stream().filter(e -> e instanceof TcpEvents.Retransmit r
                    && r.state().equals("syn_sent")).mapToInt(e -> ((TcpEvents.Retransmit) e).segments()).sum(),
                    "retransmit events: " + seen);
        }
    }

    private static final Pattern SS_RTT = Pattern.compile("\\brtt:([0-9.]+)/");

    @Test
    void longLivedConnectionCountsBytesAtEveryScrapeAndRttAgreesWithSs() throws Exception {
        String c = KernelHost.label(client);
        String s = KernelHost.label(server);
        int pings = 80;
        int size = 1000;
        long total = (long) pings * size;
        try (NetPair net = NetPair.create(); AgentHarness agent = AgentHarness.start(config("tcp"))) {
            String ip = net.ipv4(Side.B);
            String remote = ip + ":5003";
            // the server answers 20 ms after each request: the client's RTT is those 20 ms (the ACK rides
            // on the answer), steady enough to compare two readings of it
            try (NetProcess srv = NetProcess.start(net, Side.B, server, "serve", ip, "5003", "1", "echo:20")) {
                srv.expect("ready");
                NetProcess cli = NetProcess.start(net, Side.A, client, "ping", ip, "5003", "" + pings, "10", "" + size);
                String port = cli.expect("connected");
                Thread.sleep(800);
                String first = agent.scrape();
                String ss = net.exec(Side.A, "ss", "-tin", "state", "established", "( sport = :" + port + " )");
                Thread.sleep(400);
                String second = agent.scrape();
                Matcher m = SS_RTT.matcher(ss);
                assertTrue(m.find(), "no rtt in ss output: " + ss);
                double ssRtt = Double.parseDouble(m.group(1)) / 1000;
                double probeRtt = mean(first, second, "sonde_tcp_rtt_seconds", "cgroup", c);
                double remoteRtt = mean(first, second, "sonde_tcp_remote_rtt_seconds", "remote", remote);
                System.out.printf("tcp rtt: ss %.6f s, probe %.6f s (cgroup), %.6f s (remote %s)%n", ssRtt, probeRtt,
                        remoteRtt, remote);
                assertEquals(ssRtt, probeRtt, ssRtt * 0.10, "RTT of the client's cgroup against ss -ti");
                assertEquals(ssRtt, remoteRtt, ssRtt * 0.10, "RTT of the remote against ss -ti");

                cli.expect("idle");
                // open connection: the bytes count at the scrape; the server's last answer is acknowledged
                // once the client's delayed ACK leaves
                String open = awaitValue(agent, total, "sonde_tcp_sent_bytes_total", "cgroup", s);
                assertEquals(total, value(open, "sonde_tcp_sent_bytes_total", "cgroup", c), "client sent, open");
                assertEquals(total, value(open, "sonde_tcp_received_bytes_total", "cgroup", c),
                        "client received, open");
                assertEquals(total, value(open, "sonde_tcp_received_bytes_total", "cgroup", s),
                        "server received, open");
                assertEquals(0, value(open, "sonde_tcp_connection_duration_seconds_count", "cgroup", c),
                        "no connection closed yet");
                cli.go();
                cli.expect("done");
                assertEquals("" + total, srv.expect("received"));
                cli.exited();
                srv.exited();
                cli.close();
            }
            String closed = awaitValue(agent, 1, "sonde_tcp_connection_duration_seconds_count", "cgroup", s);
            assertEquals(1, value(closed, "sonde_tcp_connection_duration_seconds_count", "cgroup", c), "closed");
            for (String cg : List.of(c, s)) {
                assertEquals(total, value(closed, "sonde_tcp_sent_bytes_total", "cgroup", cg), "sent, closed: " + cg);
                assertEquals(total, value(closed, "sonde_tcp_received_bytes_total", "cgroup", cg),
                        "received, closed: " + cg);
            }
            assertTrue(value(closed, "sonde_tcp_connection_duration_seconds_sum", "cgroup", c) > 1.0,
                    "the connection was open for more than a second");
        }
    }

    /**
     * A connection open before the probe starts is picked up at its next segment: its bytes count from
     * then on (sent and received alike here, since every request is answered in full), it is not timed,
     * and closing it adds nothing twice.
     */
    @Test
    void connectionOpenBeforeTheProbeCountsFromItsNextSegment() throws Exception {
        String c = KernelHost.label(client);
        int pings = 100;
        int size = 1000;
        long total = (long) pings * size;
        String ip;
        try (NetPair net = NetPair.create();
                NetProcess srv = NetProcess.start(net, Side.B, server, "serve", ip = net.ipv4(Side.B), "5009", "1",
                        "echo:20")) {
            srv.expect("ready");
            try (NetProcess cli = NetProcess.start(net, Side.A, client, "ping", ip, "5009", "" + pings, "10",
                    "" + size)) {
                cli.expect("connected");
                Thread.sleep(300);
                try (AgentHarness agent = AgentHarness.start(config("tcp"))) {
                    cli.expect("idle");
                    Thread.sleep(300);
                    String open = agent.scrape();
                    double sent = value(open, "sonde_tcp_sent_bytes_total", "cgroup", c);
                    double received = value(open, "sonde_tcp_received_bytes_total", "cgroup", c);
                    System.out.printf("tcp adopted: %.0f of %d bytes sent and %.0f received counted%n", sent, total,
                            received);
                    assertTrue(sent > 0 && sent < total, "counted from the first segment seen: " + sent);
                    assertEquals(sent, received, "requests and answers alike");
                    assertEquals(0, sent % size, "whole requests");
                    assertTrue(value(open, "sonde_tcp_rtt_seconds_count", "cgroup", c) > 0, "RTT sampled");
                    cli.go();
                    cli.expect("done");
                    cli.exited();
                    srv.expect("received");
                    srv.exited();
                    Thread.sleep(300);
                    String closed = agent.scrape();
                    assertEquals(sent, value(closed, "sonde_tcp_sent_bytes_total", "cgroup", c), "sent, closed");
                    assertEquals(received, value(closed, "sonde_tcp_received_bytes_total", "cgroup", c),
                            "received, closed");
                    assertEquals(0, value(closed, "sonde_tcp_connection_duration_seconds_count", "cgroup", c),
                            "not timed");
                    assertEquals(0, value(closed, "sonde_tcp_connects_total", "cgroup", c), "its connect was missed");
                }
            }
        }
    }

    /**
     * With rtt_interval_ms 250, each end of a connection that receives a segment every ~10 ms is sampled
     * at most once per 250 ms: no more samples than fit into the time the test saw it open, counted at
     * its full interval (every sample at least the interval after the one before), and more than one
     * (the next sample falls due again after each).
     */
    @Test
    void rttIsSampledAtMostOncePerIntervalPerSocket() throws Exception {
        String c = KernelHost.label(client);
        String s = KernelHost.label(server);
        long intervalMs = 250;
        AgentConfig config = new AgentConfig(null, new AgentConfig.Probes(List.of("tcp"), null, null, null, null,
                new AgentConfig.Tcp((int) intervalMs, 10_000, null, null), null, null, null), null, null);
        try (NetPair net = NetPair.create(); AgentHarness agent = AgentHarness.start(config)) {
            String ip = net.ipv4(Side.B);
            try (NetProcess srv = NetProcess.start(net, Side.B, server, "serve", ip, "5010", "1", "echo")) {
                srv.expect("ready");
                long start = System.nanoTime();
                try (NetProcess cli = NetProcess.start(net, Side.A, client, "ping", ip, "5010", "150", "10", "100")) {
                    cli.expect("connected");
                    cli.expect("idle");
                    long openMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    String idle = agent.scrape();
                    long most = openMs / intervalMs + 1;
                    for (String cg : List.of(c, s)) {
                        double samples = value(idle, "sonde_tcp_rtt_seconds_count", "cgroup", cg);
                        System.out.printf("tcp rtt interval: %.0f samples of %s in %d ms (at most %d)%n", samples, cg,
                                openMs, most);
                        assertTrue(samples >= 2 && samples <= most, "samples of one socket in " + openMs + " ms at "
                                + intervalMs + " ms apart: " + samples);
                    }
                    cli.go();
                    cli.expect("done");
                    cli.exited();
                }
                srv.expect("received");
                srv.exited();
            }
        }
    }

    /**
     * The drops probe runs too: the packets the rule dropped are the NETFILTER_DROP drops of this
     * transfer's addresses, one record each, and the counter rose by exactly the records of that reason
     * (other tests on the host may drop with nftables at the same time; when none does, that is the
     * rule's counter).
     */
    @Test
    void retransmitsEqualRetransSegsAndDropsEqualTheRuleCounterUnderInjectedLoss() throws Exception {
        String c = KernelHost.label(client);
        String s = KernelHost.label(server);
        long bytes = 8L << 20;
        try (NetPair net = NetPair.create(); AgentHarness agent = AgentHarness.start(config("tcp", "drops"));
                EventBus.Subscription drops = agent.agent().events().subscribe("test", 100_000,
                        e -> e instanceof DropEvent d && d.reason().equals("NETFILTER_DROP"))) {
            String ip = net.ipv4(Side.B);
            // 5% of the client's data segments die in the server's namespace
            net.nft(Side.B, "table inet sonde_loss {\n chain input {\n  type filter hook input priority 0; policy accept;\n"
                    + "  ip saddr " + net.ipv4(Side.A) + " tcp dport 5004 tcp flags & (syn | rst) == 0 meta length > 100"
                    + " numgen random mod 20 == 0 counter drop\n }\n}\n");
            long retransBefore = net.snmp(Side.A, "Tcp").get("RetransSegs");
            String before = agent.scrape();
            try (NetProcess srv = NetProcess.start(net, Side.B, server, "serve", ip, "5004", "1", "sink");
                    NetProcess cli = NetProcess.start(net, Side.A, client, "connect", ip, "5004", "1", "" + bytes)) {
                srv.expect("ready");
                cli.expect("ready");
                cli.go();
                assertEquals("0", cli.expect("done"));
                assertEquals("" + bytes, srv.expect("received"));
                cli.exited();
                srv.exited();
            }
            String after = awaitValue(agent, 1, "sonde_tcp_connection_duration_seconds_count", "cgroup", s);
            long retrans = net.snmp(Side.A, "Tcp").get("RetransSegs") - retransBefore;
            long dropped = nftCounter(net);
            List<Event> seen = drain(drops);
            long ours = seen.stream().filter(e -> e instanceof DropEvent d && d.saddr().equals(net.ipv4(Side.A))
                    && d.daddr().equals(ip) && d.dport() == 5004 && d.protocol().equals("tcp")).count();
            double counted = value(after, "sonde_packet_drops_total", "reason", "NETFILTER_DROP")
                    - value(before, "sonde_packet_drops_total", "reason", "NETFILTER_DROP");
            System.out.printf("tcp loss: nft dropped %d packets, RetransSegs +%d, probe retransmits %s, drops +%.0f "
                    + "(records: %d of this transfer, %d in all)%n", dropped, retrans,
                    value(after, "sonde_tcp_retransmits_total", "cgroup", c), counted, ours, seen.size());
            assertTrue(dropped > 0 && retrans > 0, "the rule dropped packets and the client retransmitted");
            assertEquals(retrans, value(after, "sonde_tcp_retransmits_total", "cgroup", c), "retransmits");
            assertEquals((double) bytes, value(after, "sonde_tcp_sent_bytes_total", "cgroup", c), "client sent");
            assertEquals((double) bytes, value(after, "sonde_tcp_received_bytes_total", "cgroup", s), "server received");
            assertEquals(dropped, ours, "drop records of this transfer against the rule's counter");
            assertEquals(seen.size(), counted, "NETFILTER_DROP drops counted against their records");
            assertEquals(0L, agent.agent().supervisor().eventsLost().getOrDefault("drops", 0L), "drop records lost");
        }
    }

    /** The packets the loss rule dropped so far. */
    static long nftCounter(NetPair net) {
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(net.exec(Side.B, "nft", "list", "table", "inet",
                "sonde_loss"));
        assertTrue(m.find(), "no counter in the loss table");
        return Long.parseLong(m.group(1));
    }

    /** The mean of the samples a histogram took between two scrapes. */
    static double mean(String first, String second, String histogram, String... labels) {
        double count = value(second, histogram + "_count", labels) - value(first, histogram + "_count", labels);
        double sum = value(second, histogram + "_sum", labels) - value(first, histogram + "_sum", labels);
        assertTrue(count > 0, "no " + histogram + " samples between the scrapes");
        return sum / count;
    }

    /** Scrapes until the series reaches the value (at most 10 s) and returns that scrape. */
    static String awaitValue(AgentHarness agent, double expected, String metric, String... labels) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String text = agent.scrape();
        while (value(text, metric, labels) != expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
            text = agent.scrape();
        }
        assertEquals(expected, value(text, metric, labels), metric + " " + List.of(labels));
        return text;
    }

    /** The events delivered so far (waits a moment for the consumer to catch up). */
    static List<Event> drain(EventBus.Subscription events) throws InterruptedException {
        List<Event> out = new ArrayList<>();
        for (EnrichedEvent e; (e = events.poll(700, TimeUnit.MILLISECONDS)) != null;) {
            out.add(e.event());
        }
        return out;
    }
}
