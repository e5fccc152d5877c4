package io.sonde.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.sonde.agent.AgentHarness;
import io.sonde.agent.KernelHost;
import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.events.Event;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * {@code sonde trace --agent URL}: the tools read a running agent's /api/events instead of loading
 * programs. Real exec events of a test cgroup arrive as K JSON lines; a network tool prints events of
 * the types it names from whatever probe published them (here a test publishing on the agent's bus,
 * in the shape the tcp probe's records have: endpoints in their columns, the rest as key=value), and
 * leaves other types out. (NetTraceTest runs the network tools standalone on the real probes.)
 */
class TraceAgentModeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An event shaped like a network probe's: common fields, then its own. */
    record FakeTcpEvent(String type, long timestampNanos, int pid, String comm, String cgroup, String container,
            String saddr, int sport, String daddr, int dport, long latencyNanos) implements Event {}

    @Test
    void execFromAnAgent() throws Exception {
        KernelHost.require();
        Path cgroup = KernelHost.newCgroup();
        String label = KernelHost.label(cgroup);
        try (AgentHarness agent = AgentHarness.start(AgentConfig.defaults().withEnabledProbes(List.of("process")));
                TraceProcess trace = new TraceProcess("exec", "--agent", agent.url(), "--json",
                        "--cgroup", label)) {
            awaitSubscribed(agent);
            TraceCommandTest.Workload w = TraceCommandTest.Workload.run(cgroup, 4);
            List<String> lines = trace.awaitLines(4, 10);
            trace.interrupt();
            assertEquals(0, trace.exitCode(), trace.stderr());
            assertEquals(4, trace.stdout().size(), trace.stdout().toString());
            for (int i = 0; i < 4; i++) {
                JsonNode e = JSON.readTree(lines.get(i));
                assertEquals((int) w.children().get(i), e.path("pid").asInt());
                assertEquals(w.pid(), e.path("ppid").asLong());
                assertEquals(label, e.path("cgroup").asText());
            }
            assertEquals("4 events shown, 0 lost", trace.lastStderrLine());
        } finally {
            KernelHost.removeCgroup(cgroup);
        }
    }

    @Test
    void networkToolsShowTheirTypesGenerically() throws Exception {
        KernelHost.require();
        try (AgentHarness agent = AgentHarness.start(AgentConfig.defaults().withEnabledProbes(List.of("process")));
                TraceProcess trace = new TraceProcess("tcp", "--agent", agent.url(),
                        "--min-latency", "1ms")) {
            awaitSubscribed(agent);
            long now = System.nanoTime();
            var bus = agent.agent().events();
            bus.publish("tcp", new FakeTcpEvent("tcp_connect", now, 4242, "curl", "/a", "", "10.199.1.1", 40000,
                    "10.199.1.2", 80, 2_500_000));
            bus.publish("tcp", new FakeTcpEvent("tcp_retransmit", now, 4242, "curl", "/a", "", "10.199.1.1", 40000,
                    "10.199.1.2", 80, 5_000_000)); // not a type of the tcp tool
            bus.publish("tcp", new FakeTcpEvent("tcp_connect", now, 4243, "curl", "/a", "", "10.199.1.1", 40001,
                    "10.199.1.2", 80, 500_000)); // faster than --min-latency
            bus.publish("tcp", new FakeTcpEvent("tcp_close", now, 4242, "curl", "/a", "", "10.199.1.1", 40000,
                    "10.199.1.2", 80, 9_000_000));
            List<String> lines = trace.awaitLines(3, 10);
            trace.interrupt();
            assertEquals(0, trace.exitCode(), trace.stderr());
            assertEquals(3, trace.stdout().size(), "header and two rows: " + trace.stdout());
            String header = lines.get(0);
            assertTrue(header.matches("TIME\\(UTC\\) +TYPE +PID +COMM +SADDR:SPORT +DADDR:DPORT +CONTAINER +DETAILS"),
                    header);
            assertTrue(lines.get(1).contains(" tcp_connect "), lines.get(1));
            assertTrue(lines.get(1).startsWith("10.199.1.1:40000", header.indexOf("SADDR:SPORT")), lines.get(1));
            assertTrue(lines.get(1).startsWith("10.199.1.2:80 ", header.indexOf("DADDR:DPORT")), lines.get(1));
            assertTrue(lines.get(1).startsWith("latency_nanos=2500000", header.indexOf("DETAILS")), lines.get(1));
            assertTrue(lines.get(2).contains(" tcp_close "), lines.get(2));
            assertEquals("2 events shown, 0 lost", trace.lastStderrLine());
        }
    }

    private static void awaitSubscribed(AgentHarness agent) throws InterruptedException {
        for (int i = 0; i < 200 && agent.agent().events().subscriberCount() == 0; i++) {
            Thread.sleep(25);
        }
        assertEquals(1, agent.agent().events().subscriberCount(), "the tool subscribed");
    }
}
