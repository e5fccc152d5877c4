package io.sonde.agent.events;

import io.sonde.agent.config.ConfigValueException;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * EventFilter selects events by the fields every event has: type, cgroup (the path or anything below
 * it), container (the id or a prefix of it, such as the 12-digit short id), pid, comm, and a minimum
 * latency for events that have one. Absent criteria match everything. The SSE endpoint and
 * {@code sonde trace} build theirs from query parameters and flags.
 *
 * <pre>{@code
 * EventFilter f = EventFilter.fromQuery(Map.of("type", List.of("exec"), "pid", List.of("42")));
 * bus.subscribe("sse", 4096, f);
 * }</pre>
 *
 * @param types the event types to pass; empty for all
 * @param cgroup a cgroup v2 path: events of it and of the cgroups below it pass; null for all
 * @param container a container id or its prefix; null for all
 * @param pid a process id; 0 for all
 * @param comm a command name, exactly; null for all
 * @param minLatencyNanos events with a latency below this are left out (events without one too, when above 0)
 */
public record EventFilter(Set<String> types, String cgroup, String container, int pid, String comm,
        long minLatencyNanos) implements Predicate<Event> {
    /**
     * The event types Sonde's probes publish: process (exec, exit, oom_kill), files (open), syscalls
     * (syscall: a slow one), tcp (tcp_connect, tcp_accept, tcp_close, tcp_retransmit, tcp_reset) and
     * drops (drop).
     */
    public static final List<String> TYPES = List.of("exec", "exit", "oom_kill", "open", "syscall", "tcp_connect",
            "tcp_accept", "tcp_close", "tcp_retransmit", "tcp_reset", "drop");

    /** A filter that passes everything. */
    public static final EventFilter ALL = new EventFilter(Set.of(), null, null, 0, null, 0);

    /** Checks the criteria; throws ConfigValueException naming the bad one. */
    public EventFilter {
        types = types == null ? Set.of() : Set.copyOf(types);
        for (String t : types) {
            if (!TYPES.contains(t)) {
                throw new ConfigValueException("type", "unknown event type \"" + t + "\"; the types are " + TYPES);
            }
        }
        if (cgroup != null && !cgroup.startsWith("/")) {
            throw new ConfigValueException("cgroup", "must be a cgroup v2 path starting with /, got \"" + cgroup + "\"");
        }
        if (cgroup != null && cgroup.length() > 1 && cgroup.endsWith("/")) {
            cgroup = cgroup.substring(0, cgroup.length() - 1);
        }
        if (container != null && !container.matches("[0-9a-f]{1,64}")) {
            throw new ConfigValueException("container", "must be a container id (hex digits), got \"" + container
                    + "\"");
        }
        if (pid < 0) {
            throw new ConfigValueException("pid", "must be a process id (at least 1), got " + pid);
        }
        if (comm != null && (comm.isEmpty() || comm.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 15)) {
            throw new ConfigValueException("comm", "must be 1 to 15 bytes (the kernel's command name), got \"" + comm
                    + "\"");
        }
        if (minLatencyNanos < 0) {
            throw new ConfigValueException("min_latency", "must not be negative, got " + minLatencyNanos);
        }
    }

    /**
     * A filter from URL query parameters {@code type} (repeated or comma-separated), {@code cgroup},
     * {@code container}, {@code pid}, {@code comm}, {@code min_latency} (a duration: 10ms, 250us, 1s).
     * Unknown parameters are refused too, so that a typo does not silently pass everything.
     */
    public static EventFilter fromQuery(Map<String, List<String>> query) {
        Set<String> types = new java.util.LinkedHashSet<>();
        String cgroup = null;
        String container = null;
        int pid = 0;
        String comm = null;
        long minLatency = 0;
        for (Map.Entry<String, List<String>> q : query.entrySet()) {
            String value = q.getValue().isEmpty() ? "" : q.getValue().get(q.getValue().size() - 1);
            switch (q.getKey()) {
                case "type" -> q.getValue().forEach(v -> {
                    for (String t : v.split(",")) {
                        if (!t.isBlank()) {
                            types.add(t.trim());
                        }
                    }
                });
                case "cgroup" -> cgroup = value;
                case "container" -> container = value;
                case "pid" -> {
                    try {
                        pid = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new ConfigValueException("pid", "must be a process id, got \"" + value + "\"");
                    }
                    if (pid < 1) {
                        throw new ConfigValueException("pid", "must be a process id (at least 1), got " + value);
                    }
                }
                case "comm" -> comm = value;
                case "min_latency" -> minLatency = parseDuration("min_latency", value);
                default -> throw new ConfigValueException(q.getKey(), "unknown parameter; the parameters are type, "
                        + "cgroup, container, pid, comm, min_latency");
            }
        }
        return new EventFilter(types, cgroup, container, pid, comm, minLatency);
    }

    /** Parses 10ms, 250us, 1.5s, 100ns or a plain number of nanoseconds; throws naming the field. */
    public static long parseDuration(String field, String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|µs|ms|s|m)?")
                .matcher(text.trim());
        if (!m.matches()) {
            throw new ConfigValueException(field, "must be a duration such as 10ms, 250us or 1s, got \"" + text + "\"");
        }
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "ns" : m.group(2);
        double scale = switch (unit) {
            case "ns" -> 1;
            case "us", "µs" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            default -> 60e9;
        };
        return (long) (v * scale);
    }

    @Override
    public boolean test(Event e) {
        if (!types.isEmpty() && !types.contains(e.type())) {
            return false;
        }
        if (pid != 0 && e.pid() != pid) {
            return false;
        }
        if (comm != null && !comm.equals(e.comm())) {
            return false;
        }
        if (cgroup != null && !under(e.cgroup(), cgroup)) {
            return false;
        }
        if (container != null && (e.container() == null || !e.container().startsWith(container))) {
            return false;
        }
        return minLatencyNanos <= 0 || e.latencyNanos() >= minLatencyNanos;
    }

    private static boolean under(String path, String ancestor) {
        if (path == null) {
            return false;
        }
        if (ancestor.equals("/")) {
            return true;
        }
        return path.equals(ancestor) || path.startsWith(ancestor) && path.charAt(ancestor.length()) == '/';
    }
}
