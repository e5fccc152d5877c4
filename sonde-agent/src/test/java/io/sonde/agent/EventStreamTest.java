package io.sonde.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.sonde.agent.events.EnrichedEvent;
import io.sonde.agent.events.EventBus;
import io.sonde.agent.events.EventFilter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * GET /api/events: a client filtered on one container gets that container's events and no others; a
 * client that leaves frees its subscription; bad query parameters get a 400 naming the parameter.
 * Two fake containers are test cgroups named as Docker names its scopes
 * ({@code /sonde-test-x/docker-<64 hex>.scope}), each running a workload that execs K children.
 */
class EventStreamTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int K = 5;

    @Test
    void sseFilteredOnOneContainerGetsOnlyItsEvents() throws Exception {
        KernelHost.require();
        Path parent = KernelHost.newCgroup();
        Random random = new Random();
        String idA = hex64(random);
        String idB = hex64(random);
        Path a = Files.createDirectory(parent.resolve("docker-" + idA + ".scope"));
        Path b = Files.createDirectory(parent.resolve("docker-" + idB + ".scope"));
        try (AgentHarness agent = AgentHarness.start();
                EventBus.Subscription seenB = agent.agent().events().subscribe("test", 10_000,
                        new EventFilter(Set.of("exec"), null, idB, 0, null, 0))) {
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            HttpURLConnection sse = (HttpURLConnection) URI.create(agent.url() + "/api/events?container=" + idA)
                    .toURL().openConnection();
            sse.setReadTimeout(20_000);
            assertEquals(200, sse.getResponseCode());
            assertTrue(sse.getContentType().startsWith("text/event-stream"), sse.getContentType());
            BufferedReader in = new BufferedReader(new InputStreamReader(sse.getInputStream(), StandardCharsets.UTF_8));
            assertEquals(": subscribed", in.readLine());
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (String line; (line = in.readLine()) != null;) {
                        if (line.startsWith("data: ")) {
                            lines.add(line.substring(6));
                        }
                    }
                } catch (IOException e) {
                    // the test closed the connection
                }
            });
            // both containers work while the client listens
            List<String> outA = AgentHarness.runWorkload(a, () -> {}, "execs", Integer.toString(K));
            List<String> outB = AgentHarness.runWorkload(b, () -> {}, "execs", Integer.toString(K));
            List<Integer> childrenA = children(outA);
            assertEquals(K, childrenA.size(), outA.toString());
            assertEquals(K, children(outB).size(), outB.toString());

            // B's execs were published: the bus saw the workload's own start and its K children
            List<Integer> execsB = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (execsB.size() < K + 1 && System.nanoTime() < deadline) {
                EnrichedEvent e = seenB.poll(100, TimeUnit.MILLISECONDS);
                if (e != null) {
                    execsB.add(e.event().pid());
                }
            }
            assertEquals(children(outB), execsB.subList(1, execsB.size()), "the bus published B's execs");
            // A's execs and exits reach the client
            List<Integer> execsA = new ArrayList<>();
            while (System.nanoTime() < deadline && execsA.size() < K + 1) {
                execsA = execPids(lines);
                Thread.sleep(50);
            }
            Thread.sleep(500); // let anything that should not come arrive
            List<JsonNode> received = new ArrayList<>();
            synchronized (lines) {
                for (String l : lines) {
                    received.add(JSON.readTree(l));
                }
            }
            List<Integer> pidsA = execPids(lines);
            assertEquals(K + 1, pidsA.size(), "the workload's start and its children: " + received);
            assertEquals(childrenA, pidsA.subList(1, pidsA.size()), "A's execs, in order: " + received);
            for (JsonNode e : received) {
                assertEquals(idA, e.path("container").asText(), "only container A's events: " + e);
                assertEquals(KernelHost.label(a), e.path("cgroup").asText());
            }
            assertTrue(received.stream().anyMatch(e -> e.path("type").asText().equals("exit")), "exits too");
            JsonNode exec = received.stream().filter(e -> e.path("type").asText().equals("exec")).findFirst()
                    .orElseThrow();
            assertEquals("workload", exec.path("comm").asText());
            assertEquals("process", exec.path("probe").asText());

            // the client leaves: its subscription is freed
            int before = agent.agent().events().subscriberCount();
            sse.disconnect();
            reader.join(2000);
            int after = before;
            for (int i = 0; i < 100 && after >= before; i++) {
                Thread.sleep(100);
                after = agent.agent().events().subscriberCount();
            }
            assertEquals(before - 1, after, "the departed client's subscription is closed");
        } finally {
            KernelHost.removeCgroup(a);
            KernelHost.removeCgroup(b);
            KernelHost.removeCgroup(parent);
        }
    }

    /** An event no probe publishes: the test's own, for a process that does not exist. */
    record FakeExec(long timestampNanos, int pid, String comm, String cgroup, String container, String filename)
            implements io.sonde.agent.events.Event {
        @Override
        public String type() {
            return "exec";
        }
    }

    @Test
    void aClientThatDoesNotReadLosesEventsAndIsToldHowMany() throws Exception {
        KernelHost.require();
        int published = 50_000;
        int pid = 999_999_0 + new Random().nextInt(9);
        try (AgentHarness agent = AgentHarness.start(io.sonde.agent.config.AgentConfig.defaults()
                .withEnabledProbes(List.of("process")))) {
            HttpURLConnection sse = (HttpURLConnection) URI.create(agent.url() + "/api/events?pid=" + pid).toURL()
                    .openConnection();
            sse.setReadTimeout(20_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(sse.getInputStream(), StandardCharsets.UTF_8));
            assertEquals(": subscribed", in.readLine());
            String path = "/" + "x".repeat(200); // big events fill the socket's buffers sooner
            for (int i = 0; i < published; i++) {
                agent.agent().events().publish("test", new FakeExec(i, pid, "fake", "/", "", path));
            }
            long received = 0;
            long dropped = -1;
            String event = null;
            while (received + Math.max(dropped, 0) < published) {
                String line = in.readLine();
                if (line == null) {
                    break;
                }
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    if ("dropped".equals(event)) {
                        dropped = JSON.readTree(line.substring(6)).path("dropped").asLong();
                    } else {
                        received++;
                    }
                }
            }
            sse.disconnect();
            System.out.printf("sse: published %d, received %d, dropped %d%n", published, received, dropped);
            assertTrue(dropped > 0, "a client that did not read lost events: " + dropped);
            assertEquals(published, received + dropped, "published = received + dropped, exactly");
            assertEquals(dropped, Exposition.value(agent.scrape(), "sonde_events_dropped_total", "subscriber", "sse"));
        }
    }

    @Test
    void badQueryParametersAre400NamingTheParameter() throws Exception {
        KernelHost.require();
        try (AgentHarness agent = AgentHarness.start(io.sonde.agent.config.AgentConfig.defaults()
                .withEnabledProbes(List.of("process")))) {
            for (String[] c : new String[][] {{"pid=abc", "pid"}, {"pid=-3", "pid"}, {"type=exec,nope", "type"},
                    {"container=xyz", "container"}, {"cgroup=relative", "cgroup"}, {"colour=red", "colour"},
                    {"min_latency=soon", "min_latency"}}) {
                var r = agent.get("/api/events?" + c[0]);
                assertEquals(400, r.statusCode(), c[0] + ": " + r.body());
                JsonNode body = JSON.readTree(r.body());
                assertEquals(c[1], body.path("field").asText(), r.body());
                assertTrue(body.path("error").asText().startsWith(c[1] + ": "), r.body());
            }
            assertEquals(0, agent.agent().events().subscriberCount(), "a refused request subscribes nothing");
        }
    }

    private static List<Integer> execPids(List<String> lines) {
        List<Integer> out = new ArrayList<>();
        synchronized (lines) {
            for (String l : lines) {
                try {
                    JsonNode e = JSON.readTree(l);
                    if (e.path("type").asText().equals("exec")) {
                        out.add(e.path("pid").asInt());
                    }
                } catch (IOException ex) {
                    throw new AssertionError(l, ex);
                }
            }
        }
        return out;
    }

    static List<Integer> children(List<String> out) {
        return out.stream().filter(l -> l.startsWith("child ")).map(l -> Integer.parseInt(l.substring(6))).toList();
    }

    private static String hex64(Random random) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
