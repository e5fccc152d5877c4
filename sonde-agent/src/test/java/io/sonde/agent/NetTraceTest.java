package io.sonde.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.sonde.agent.NetPair.Side;
import io.sonde.agent.cli.TraceProcess;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The network tools standalone, on the tcp and drops probes: {@code sonde trace tcp --json --cgroup C}
 * while a client in C makes M connections to a server in another namespace prints exactly M
 * tcp_connect (established, to the server's address and port) and M tcp_close lines (with the bytes
 * sent); {@code sonde trace drop --json} prints one drop per datagram an nftables rule dropped, as its
 * counter says, with the reason NETFILTER_DROP.
 */
@Timeout(180)
class NetTraceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
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
    void traceTcpShowsTheClientsConnectsAndCloses() throws Exception {
        int m = 3;
        int bytes = 5000;
        String c = KernelHost.label(client);
        try (NetPair net = NetPair.create(); TraceProcess trace = new TraceProcess("tcp", "--json", "--cgroup", c)) {
            String ip = net.ipv4(Side.B);
            try (NetProcess srv = NetProcess.start(net, Side.B, server, "serve", ip, "5001", "" + m, "sink");
                    NetProcess cli = NetProcess.start(net, Side.A, client, "connect", ip, "5001", "" + m, "" + bytes)) {
                srv.expect("ready");
                cli.expect("ready");
                cli.go();
                assertEquals("0", cli.expect("done"), "failed connects");
                cli.exited();
                srv.exited();
            }
            List<String> lines = trace.awaitLines(2 * m, 15);
            trace.interrupt();
            assertEquals(0, trace.exitCode(), trace.stderr());
            assertEquals(2 * m, trace.stdout().size(), "connects and closes of the client only: " + trace.stdout());
            int connects = 0;
            int closes = 0;
            for (String line : lines) {
                JsonNode e = JSON.readTree(line);
                assertEquals(c, e.path("cgroup").asText(), line);
                assertEquals(ip, e.path("daddr").asText(), line);
                assertEquals(5001, e.path("dport").asInt(), line);
                switch (e.path("type").asText()) {
                    case "tcp_connect" -> {
                        assertEquals("established", e.path("result").asText(), line);
                        assertEquals("netload", e.path("comm").asText(), line);
                        assertTrue(e.path("latency_nanos").asLong() > 0, line);
                        connects++;
                    }
                    case "tcp_close" -> {
                        assertEquals(bytes, e.path("sent_bytes").asLong(), line);
                        closes++;
                    }
                    default -> throw new AssertionError("unexpected event: " + line);
                }
            }
            assertEquals(m, connects);
            assertEquals(m, closes);
            assertEquals(2 * m + " events shown, 0 lost", trace.lastStderrLine());
        }
    }

    @Test
    void traceDropShowsEachDatagramTheRuleDropped() throws Exception {
        int n = 20;
        int port = 5009;
        try (NetPair net = NetPair.create(); TraceProcess trace = new TraceProcess("drop", "--json")) {
            String ip = net.ipv4(Side.B);
            net.nft(Side.B, "table inet sonde_trace {\n  chain in {\n    type filter hook input priority 0;\n"
                    + "    udp dport " + port + " counter drop\n  }\n}\n");
            try (NetProcess cli = NetProcess.start(net, Side.A, client, "udpsend", ip, "" + port, "" + n, "64")) {
                cli.expect("ready");
                cli.go();
                cli.expect("done");
                cli.exited();
            }
            long dropped = counter(net);
            assertEquals(n, dropped, "the rule dropped every datagram");
            List<JsonNode> ours = new ArrayList<>();
            for (int i = 0; i < 300 && ours.size() < dropped; i++) {
                ours = ours(trace.stdout(), ip, port);
                Thread.sleep(50);
            }
            Thread.sleep(300);
            trace.interrupt();
            assertEquals(0, trace.exitCode(), trace.stderr());
            ours = ours(trace.stdout(), ip, port);
            assertEquals(dropped, ours.size(), "one drop line per dropped datagram: " + ours);
            for (JsonNode e : ours) {
                assertEquals("NETFILTER_DROP", e.path("reason").asText(), e.toString());
                assertEquals("udp", e.path("protocol").asText(), e.toString());
                assertEquals(net.ipv4(Side.A), e.path("saddr").asText(), e.toString());
            }
            assertTrue(trace.lastStderrLine().matches("\\d+ events shown, \\d+ lost"), trace.lastStderrLine());
        }
    }

    private static List<JsonNode> ours(List<String> lines, String ip, int port) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : lines) {
            JsonNode e = JSON.readTree(l);
            if (e.path("type").asText().equals("drop") && e.path("daddr").asText().equals(ip)
                    && e.path("dport").asInt() == port) {
                out.add(e);
            }
        }
        return out;
    }

    private static long counter(NetPair net) {
        Matcher m = Pattern.compile("packets (\\d+)").matcher(net.exec(Side.B, "nft", "list", "table", "inet",
                "sonde_trace"));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
