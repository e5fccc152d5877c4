package io.sonde.agent.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * EventJson turns an enriched event into one flat JSON object: the common fields first ({@code type},
 * {@code probe}, {@code time} as RFC 3339 wall-clock time, {@code ts_ns} the kernel's monotonic time,
 * {@code pid}, {@code comm}, {@code cgroup}, {@code container}, {@code pod}, {@code executable}), then
 * every other component of the event's record under its snake_case name ({@code latencyNanos} becomes
 * {@code latency_nanos}). So a probe's new event type needs no serialiser of its own, and readers (the
 * SSE endpoint, {@code sonde trace}) need not know the record classes.
 *
 * <pre>{@code
 * String line = EventJson.line(enriched); // {"type":"exec","probe":"process",...}
 * }</pre>
 */
public final class EventJson {
    private EventJson() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> COMMON = Set.of("type", "timestampNanos", "pid", "comm", "cgroup", "container");
    private static final Map<Class<?>, List<RecordComponent>> COMPONENTS = new ConcurrentHashMap<>();
    /** Wall-clock nanoseconds minus monotonic nanoseconds (System.nanoTime is CLOCK_MONOTONIC on Linux). */
    private static final long WALL_OFFSET_NANOS = System.currentTimeMillis() * 1_000_000L - System.nanoTime();

    /** The event as a JSON tree. */
    public static ObjectNode tree(EnrichedEvent enriched) {
        Event e = enriched.event();
        ObjectNode o = JSON.createObjectNode();
        o.put("type", e.type());
        o.put("probe", enriched.probe());
        o.put("time", wallClock(e.timestampNanos()).toString());
        o.put("ts_ns", e.timestampNanos());
        o.put("pid", e.pid());
        o.put("comm", e.comm());
        o.put("cgroup", e.cgroup());
        o.put("container", e.container());
        o.put("pod", enriched.pod());
        o.put("executable", enriched.executable());
        for (RecordComponent c : components(e.getClass())) {
            try {
                o.set(snakeCase(c.getName()), JSON.valueToTree(c.getAccessor().invoke(e)));
            } catch (ReflectiveOperationException ex) {
                throw new IllegalStateException("cannot read " + c.getName() + " of " + e.getClass().getName(), ex);
            }
        }
        return o;
    }

    /** The event as one line of JSON, without a line break. */
    public static String line(EnrichedEvent enriched) {
        return tree(enriched).toString();
    }

    /** The wall-clock time of a kernel monotonic timestamp. */
    public static Instant wallClock(long monotonicNanos) {
        long wall = monotonicNanos + WALL_OFFSET_NANOS;
        return Instant.ofEpochSecond(Math.floorDiv(wall, 1_000_000_000L), Math.floorMod(wall, 1_000_000_000L));
    }

    private static List<RecordComponent> components(Class<?> type) {
        return COMPONENTS.computeIfAbsent(type, t -> {
            if (!t.isRecord()) {
                return List.of();
            }
            List<RecordComponent> out = new java.util.ArrayList<>();
            for (RecordComponent c : t.getRecordComponents()) {
                if (!COMMON.contains(c.getName())) {
                    c.getAccessor().setAccessible(true);
                    out.add(c);
                }
            }
            return List.copyOf(out);
        });
    }

    static String snakeCase(String camel) {
        StringBuilder b = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char ch = camel.charAt(i);
            if (Character.isUpperCase(ch)) {
                b.append('_').append(Character.toLowerCase(ch));
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }
}
