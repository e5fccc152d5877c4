package io.sonde.agent.probe;

import static io.sonde.agent.Exposition.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sonde.agent.AgentHarness;
import io.sonde.agent.KernelHost;
import io.sonde.agent.NetPair;
import io.sonde.agent.NetPair.Side;
import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.config.ConfigLoader;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The active prober against a responder in another network namespace, probing from namespace A (the
 * targets' {@code netns} option) to namespace B over the NetPair's veth: ICMP and ICMPv6 echo (B's
 * kernel answers), UDP echo over IPv4 and IPv6 and TCP connect (src/test/c/responder.c). nftables in B
 * counts every probe request that arrives ({@code *_seen}) and drops a random 10% of them
 * ({@code numgen random mod 100 < 10}, counted in {@code *_drop}); the loss the agent reports over
 * 1,000 probes and more per target must be within 3 points of drop / seen, and with nothing dropped it
 * must be 0. Probes run every 2 ms so that the test stays short.
 */
class ActiveProbeTest {
    private static final int PORT = 7007;
    private static final int CLOSED_PORT = 7008;
    private static final Pattern PACKETS = Pattern.compile("packets (\\d+)");

    /** The targets by name, with the nftables match of their request packets in B. */
    private static Map<String, String> matches() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("icmp4", "icmp type echo-request");
        m.put("icmp6", "icmpv6 type echo-request");
        m.put("udp4", "meta nfproto ipv4 udp dport " + PORT);
        m.put("udp6", "meta nfproto ipv6 udp dport " + PORT);
        m.put("tcp4", "meta nfproto ipv4 tcp dport " + PORT + " tcp flags & (syn | ack) == syn");
        m.put("refused", "tcp dport " + CLOSED_PORT + " tcp flags & (syn | ack) == syn");
        return m;
    }

    private static final List<String> ANSWERING = List.of("icmp4", "icmp6", "udp4", "udp6", "tcp4");

    @Test
    void lossAgreesWithTheNftablesDropCounterOver1000Probes() throws Exception {
        KernelHost.require();
        try (NetPair net = NetPair.create(); Responder responder = new Responder(net)) {
            neighbours(net);
            net.nft(Side.B, rules(10));
            String silent = net.ipv4(Side.B).replaceAll("\\.2$", ".3"); // no host has it: nothing answers
            List<String> targets = new ArrayList<>(targets(net));
            targets.add("{kind: udp, address: \"" + silent + ":" + PORT + "\", name: silent, netns: "
                    + net.name(Side.A) + "}");
            try (AgentHarness agent = AgentHarness.start(config(2, 500, targets))) {
                // had the silent target's probes waited for one another (500 ms each), 1,000 would take 500 s
                awaitProbes(agent, 1000, Stream.concat(ANSWERING.stream(), Stream.of("silent")).toList());
                // root without a ping group range for it (the default "1 0"): raw sockets
                assertTrue(net.exec(Side.A, "cat", "/proc/net/raw").contains(":0001 "), "a raw ICMP socket in A");
                assertTrue(net.exec(Side.A, "cat", "/proc/net/raw6").contains(":003A "), "a raw ICMPv6 socket in A");
                ((ActiveProbe) agent.agent().supervisor().running("probe")).quiesce();
                String text = agent.scrape();
                for (String t : ANSWERING) {
                    long finished = (long) value(text, "sonde_target_probes_total", "target", t);
                    long answered = (long) value(text, "sonde_target_rtt_seconds_count", "target", t);
                    double loss = value(text, "sonde_target_loss_ratio", "target", t);
                    long seen = counter(net, t + "_seen");
                    long dropped = counter(net, t + "_drop");
                    double expected = (double) dropped / seen;
                    String figures = t + ": " + finished + " probes, " + (finished - answered) + " lost, loss ratio "
                            + loss + "; nftables saw " + seen + " requests and dropped " + dropped + " (" + expected
                            + ")";
                    System.out.println("active probe " + figures);
                    assertTrue(finished >= 1000, figures);
                    assertEquals(seen, finished, "every probe finished is one request that reached B: " + figures);
                    assertEquals((double) (finished - answered) / finished, loss, 1e-9, figures);
                    assertTrue(Math.abs(loss - expected) <= 0.03, figures);
                    assertTrue(dropped > 0, figures);
                }
                // the silent target lost every probe, and kept its schedule although each took the whole timeout
                assertEquals(1.0, value(text, "sonde_target_loss_ratio", "target", "silent"));
                assertEquals(0.0, value(text, "sonde_target_up", "target", "silent"));
                assertTrue(value(text, "sonde_target_probes_total", "target", "silent") >= 1000, text);
            }
        }
    }

    @Test
    void withNoLossTheLossIsZeroOverPingSockets() throws Exception {
        KernelHost.require();
        try (NetPair net = NetPair.create(); Responder responder = new Responder(net)) {
            neighbours(net);
            net.nft(Side.B, rules(0));
            net.exec(Side.A, "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647"); // ping sockets for root
            List<String> targets = new ArrayList<>(targets(net));
            targets.add("{kind: tcp, address: \"" + net.ipv4(Side.B) + ":" + CLOSED_PORT + "\", name: refused, netns: "
                    + net.name(Side.A) + "}");
            try (AgentHarness agent = AgentHarness.start(config(2, 500, targets))) {
                awaitProbes(agent, 300, matches().keySet());
                assertTrue(net.exec(Side.A, "cat", "/proc/net/icmp").lines().count() > 1, "a ping socket in A");
                assertTrue(net.exec(Side.A, "cat", "/proc/net/icmp6").lines().count() > 1, "an ICMPv6 ping socket");
                assertFalse(net.exec(Side.A, "cat", "/proc/net/raw").contains(":0001 "), "no raw socket");
                ((ActiveProbe) agent.agent().supervisor().running("probe")).quiesce();
                String text = agent.scrape();
                for (String t : ANSWERING) {
                    long finished = (long) value(text, "sonde_target_probes_total", "target", t);
                    String figures = t + ": " + finished + " probes; " + text.lines().filter(l -> l.contains(
                            "\"" + t + "\"") && !l.contains("_bucket")).toList();
                    assertEquals(counter(net, t + "_seen"), finished, figures);
                    assertEquals(finished, (long) value(text, "sonde_target_rtt_seconds_count", "target", t), figures);
                    assertEquals(0.0, value(text, "sonde_target_loss_ratio", "target", t), figures);
                    assertEquals(1.0, value(text, "sonde_target_up", "target", t), figures);
                    double jitter = value(text, "sonde_target_jitter_seconds", "target", t);
                    double mean = value(text, "sonde_target_rtt_seconds_sum", "target", t) / finished;
                    assertTrue(jitter >= 0 && jitter < 0.5 && mean > 0 && mean < 0.5, figures);
                    assertEquals(finished, (long) value(text, "sonde_target_rtt_seconds_bucket", "target", t, "le",
                            "+Inf"), figures);
                }
                // a closed port answers every SYN with a reset: each probe is lost, at once
                long refused = (long) value(text, "sonde_target_probes_total", "target", "refused");
                assertEquals(counter(net, "refused_seen"), refused);
                assertEquals(1.0, value(text, "sonde_target_loss_ratio", "target", "refused"));
                assertEquals(0.0, value(text, "sonde_target_up", "target", "refused"));
                assertEquals(0.0, value(text, "sonde_target_rtt_seconds_count", "target", "refused"));
            }
        }
    }

    @Test
    void closeStopsEveryScheduleAtOnce() throws Exception {
        KernelHost.require();
        try (NetPair net = NetPair.create(); Responder responder = new Responder(net)) {
            neighbours(net);
            net.nft(Side.B, rules(0));
            ActiveProbe probe = new ActiveProbe();
            probe.start(new ProbeContext(config(2, 5000, targets(net)), null, null, null));
            Thread.sleep(300);
            long t0 = System.nanoTime();
            probe.close();
            long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(closeMs < 2500, "close took " + closeMs + " ms; the probes' timeout is 5000 ms");
            long[] seen = ANSWERING.stream().mapToLong(t -> counter(net, t + "_seen")).toArray();
            assertTrue(seen[0] > 0, "probes were sent");
            Thread.sleep(100);
            for (int i = 0; i < seen.length; i++) {
                assertEquals(seen[i], counter(net, ANSWERING.get(i) + "_seen"), "no probe after close");
            }
            List<String> left = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(n -> n.startsWith("probe-") || n.startsWith("netns-")).toList();
            assertEquals(List.of(), left, "threads left running");
            probe.close();
        }
    }

    @Test
    void aMissingNamespaceFailsTheStartNamingIt() throws Exception {
        KernelHost.require();
        ActiveProbe probe = new ActiveProbe();
        IOException e = assertThrows(IOException.class, () -> probe.start(new ProbeContext(config(1000, 1000,
                List.of("{kind: icmp, address: 127.0.0.1, netns: sonde-no-such-namespace}")), null, null, null)));
        assertTrue(e.getMessage().contains("/var/run/netns/sonde-no-such-namespace: ENOENT"), e.getMessage());
        probe.close();
    }

    /**
     * Fixes the neighbour entries of A and B for each other (IPv4 and IPv6, both ways): in a fresh pair
     * the first IPv6 packets wait about a second for neighbour discovery, and the neighbour queue drops
     * what a 2 ms schedule sends meanwhile (never reaching B, lost without an nftables drop).
     */
    private static void neighbours(NetPair net) {
        for (Side from : Side.values()) {
            Side to = from == Side.A ? Side.B : Side.A;
            String mac = net.exec(to, "cat", "/sys/class/net/veth0/address").strip();
            for (String ip : List.of(net.ipv4(to), net.ipv6(to))) {
                KernelHost.run("ip", "-n", net.name(from), "neigh", "replace", ip, "lladdr", mac, "dev", "veth0", "nud",
                        "permanent");
            }
        }
    }

    /** The answering targets in B, probed from A. */
    private static List<String> targets(NetPair net) {
        String b4 = net.ipv4(Side.B);
        String b6 = net.ipv6(Side.B);
        String ns = ", netns: " + net.name(Side.A) + "}";
        return List.of(
                "{kind: icmp, address: \"" + b4 + "\", name: icmp4" + ns,
                "{kind: icmp, address: \"" + b6 + "\", name: icmp6" + ns,
                "{kind: udp, address: \"" + b4 + ":" + PORT + "\", name: udp4" + ns,
                "{kind: udp, address: \"[" + b6 + "]:" + PORT + "\", name: udp6" + ns,
                "{kind: tcp, address: \"" + b4 + ":" + PORT + "\", name: tcp4" + ns);
    }

    private static AgentConfig config(int intervalMs, int timeoutMs, List<String> targets) throws Exception {
        return ConfigLoader.parse("test.yaml", "probes:\n  enabled: [probe]\n  probe:\n    interval_ms: " + intervalMs
                + "\n    timeout_ms: " + timeoutMs + "\n    window: 100000\n    targets:\n"
                + String.join("", targets.stream().map(t -> "      - " + t + "\n").toList()));
    }

    /** Counters of the requests arriving in B per target, and a rule dropping {@code percent}% of them. */
    private static String rules(int percent) {
        StringBuilder s = new StringBuilder("table inet sonde_probe {\n");
        matches().keySet().forEach(t -> s.append("  counter ").append(t).append("_seen {}\n  counter ").append(t)
                .append("_drop {}\n"));
        s.append("  chain input {\n    type filter hook input priority 0; policy accept;\n");
        matches().forEach((t, match) -> {
            s.append("    ").append(match).append(" counter name ").append(t).append("_seen\n");
            if (percent > 0 && !t.equals("refused")) {
                s.append("    ").append(match).append(" numgen random mod 100 < ").append(percent)
                        .append(" counter name ").append(t).append("_drop drop\n");
            }
        });
        return s.append("  }\n}\n").toString();
    }

    private static long counter(NetPair net, String name) {
        String out = net.exec(Side.B, "nft", "list", "counter", "inet", "sonde_probe", name);
        Matcher m = PACKETS.matcher(out);
        if (!m.find()) {
            throw new AssertionError("no packets in: " + out);
        }
        return Long.parseLong(m.group(1));
    }

    /** Scrapes until every one of the targets has finished {@code n} probes (at most 30 s). */
    private static void awaitProbes(AgentHarness agent, long n, Iterable<String> targets) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String text = "";
        while (System.nanoTime() < deadline) {
            text = agent.scrape();
            boolean all = true;
            for (String t : targets) {
                all &= value(text, "sonde_target_probes_total", "target", t) >= n;
            }
            if (all) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("fewer than " + n + " probes per target in 30 s:\n" + text);
    }

    /** src/test/c/responder.c running in B: UDP echo and TCP accept on PORT. */
    private static final class Responder implements AutoCloseable {
        private static Path binary;
        private final Process process;

        Responder(NetPair net) throws IOException {
            process = net.start(Side.B, null, binary().toString(), Integer.toString(PORT));
            String line = new BufferedReader(new InputStreamReader(process.getInputStream())).readLine();
            if (!"ready".equals(line)) {
                process.destroyForcibly();
                throw new AssertionError("the responder did not start: " + line);
            }
        }

        private static synchronized Path binary() {
            if (binary == null) {
                Path out = Path.of("target/responder");
                KernelHost.run("gcc", "-static", "-O2", "-Wall", "-Werror", "-o", out.toString(),
                        "src/test/c/responder.c");
                binary = out.toAbsolutePath();
            }
            return binary;
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close(); // it exits when its input closes
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
