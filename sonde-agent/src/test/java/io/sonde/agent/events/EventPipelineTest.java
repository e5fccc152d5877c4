package io.sonde.agent.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sonde.agent.config.ConfigValueException;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import org.junit.jupiter.api.Test;

/** The bus, the filter and the JSON form, without the kernel. */
class EventPipelineTest {
    record TestEvent(long timestampNanos, int pid, String comm, String cgroup, String container, long latencyNanos,
            String someDetail) implements Event {
        @Override
        public String type() {
            return "syscall";
        }
    }

    private static TestEvent event(int pid, String cgroup, String container, long latency) {
        return new TestEvent(1, pid, "cat", cgroup, container, latency, "x");
    }

    @Test
    void aFullQueueLosesEventsAndCountsThemPerSubscriber() throws Exception {
        EventBus bus = new EventBus();
        try (EventBus.Subscription slow = bus.subscribe("slow", 3, e -> true);
                EventBus.Subscription fast = bus.subscribe("fast", 100, e -> true)) {
            for (int i = 0; i < 10; i++) {
                bus.publish("syscalls", event(i, "/", "", 5));
            }
            assertEquals(7, slow.dropped());
            assertEquals(0, fast.dropped());
            assertEquals(0, slow.poll(0, TimeUnit.SECONDS).event().pid(), "the oldest are kept");
            assertEquals(Map.of("fast", 0L, "slow", 7L), bus.droppedCounts());
            assertEquals(Map.of(List.of("syscalls", "syscall"), 10L), bus.publishedCounts());
            MetricSnapshots m = bus.collect();
            CounterSnapshot total = (CounterSnapshot) m.stream().filter(s -> s.getMetadata().getName()
                    .equals("sonde_events")).findFirst().orElseThrow();
            assertEquals(10, total.getDataPoints().get(0).getValue());
        }
        assertEquals(0, bus.subscriberCount());
        bus.publish("syscalls", event(1, "/", "", 5)); // no subscriber: counted, nowhere to go
        assertEquals(11L, bus.publishedCounts().get(List.of("syscalls", "syscall")));
    }

    @Test
    void filterMatchesEachCriterion() {
        EventFilter f = EventFilter.fromQuery(Map.of("type", List.of("syscall,exec"), "cgroup", List.of("/a/b/"),
                "container", List.of("4f1c"), "min_latency", List.of("1ms")));
        assertTrue(f.test(event(1, "/a/b", "4f1c99", 1_000_000)));
        assertTrue(f.test(event(1, "/a/b/c", "4f1c99", 2_000_000)), "below the cgroup");
        assertFalse(f.test(event(1, "/a/bc", "4f1c99", 2_000_000)), "a sibling whose name starts the same");
        assertFalse(f.test(event(1, "/a/b", "5f1c99", 2_000_000)), "another container");
        assertFalse(f.test(event(1, "/a/b", "4f1c99", 999_999)), "too fast");
        assertTrue(new EventFilter(Set.of(), null, null, 7, "cat", 0).test(event(7, "/", "", -1)));
        assertFalse(new EventFilter(Set.of(), null, null, 7, "cat", 0).test(event(8, "/", "", -1)));
        assertFalse(new EventFilter(Set.of("exec"), null, null, 0, null, 0).test(event(8, "/", "", -1)));
        assertEquals(250_000, EventFilter.parseDuration("x", "250us"));
        assertEquals(1_500_000_000L, EventFilter.parseDuration("x", "1.5s"));
    }

    @Test
    void badFilterValuesNameTheirParameter() {
        for (String[] c : new String[][] {{"pid", "0"}, {"pid", "x"}, {"type", "bogus"}, {"container", "XYZ"},
                {"cgroup", "a/b"}, {"comm", "a-name-longer-than-15"}, {"min_latency", "5 parsecs"}, {"color", "1"}}) {
            ConfigValueException e = assertThrows(ConfigValueException.class,
                    () -> EventFilter.fromQuery(Map.of(c[0], List.of(c[1]))), c[0]);
            assertEquals(c[0], e.key());
        }
    }

    @Test
    void jsonCarriesTheCommonFieldsThenTheRecordsOwnInSnakeCase() throws Exception {
        JsonNode j = EventJson.tree(new EnrichedEvent("syscalls", event(42, "/x", "abc", 7), "/usr/bin/cat", "pod-1"));
        assertEquals(List.of("type", "probe", "time", "ts_ns", "pid", "comm", "cgroup", "container", "pod",
                "executable", "latency_nanos", "some_detail"), iterate(j));
        assertEquals("syscall", j.path("type").asText());
        assertEquals(42, j.path("pid").asInt());
        assertEquals(7, j.path("latency_nanos").asLong());
        assertEquals("/usr/bin/cat", j.path("executable").asText());
        assertEquals("pod-1", j.path("pod").asText());
        assertNull(j.get("timestamp_nanos"));
    }

    private static List<String> iterate(JsonNode j) {
        List<String> out = new java.util.ArrayList<>();
        j.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
