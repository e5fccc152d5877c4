package io.sonde.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * TraceTool is one of the {@code sonde trace} tools: the probe whose events it shows, the event types,
 * and its table's columns. Columns read the event's JSON ({@code EventJson}), so the same table serves
 * events decoded here and events read from an agent's {@code /api/events}, and a tool over a probe this
 * build does not know in detail still prints (its last column lists the event's other fields).
 *
 * <pre>{@code
 * TraceTool t = TraceTool.of("exec");
 * System.out.println(t.header());
 * System.out.println(t.row(json));
 * }</pre>
 */
enum TraceTool {
    EXEC("process", Set.of("exec"), List.of(Column.TIME, Column.PID, Column.PPID, Column.COMM, Column.CONTAINER,
            Column.last("FILENAME", j -> j.path("filename").asText()))),
    EXIT("process", Set.of("exit"), List.of(Column.TIME, Column.PID, Column.PPID, Column.COMM, Column.CONTAINER,
            Column.last("EXIT", j -> j.path("signal").asInt() != 0 ? "killed by signal " + j.path("signal").asInt()
                    : "status " + j.path("status").asInt()))),
    OOM("process", Set.of("oom_kill"), List.of(Column.TIME, Column.PID, Column.PPID, Column.COMM, Column.CONTAINER,
            Column.last("CGROUP", j -> j.path("cgroup").asText()))),
    OPEN("files", Set.of("open"), List.of(Column.TIME, Column.PID, Column.COMM,
            new Column("FD", 4, true, j -> j.path("fd").asText()),
            new Column("ERR", 12, false, j -> j.path("error").asText().isEmpty() ? "0" : j.path("error").asText()),
            Column.CONTAINER, Column.last("PATH", j -> j.path("path").asText()))),
    TCP("tcp", Set.of("tcp_connect", "tcp_accept", "tcp_close", "tcp_reset"), Column.connection()),
    RETRANSMIT("tcp", Set.of("tcp_retransmit"), Column.connection()),
    DROP("drops", Set.of("drop"), Column.connection()),
    SYSCALL("syscalls", Set.of("syscall"), List.of(Column.TIME, Column.PID,
            new Column("TID", 7, true, j -> j.path("tid").asText()), Column.COMM,
            new Column("SYSCALL", 16, false, j -> j.path("syscall").asText()),
            new Column("LAT(ms)", 10, true, j -> String.format("%.3f", j.path("latency_nanos").asLong() / 1e6)),
            new Column("RET", 12, true, j -> j.path("error").asText().isEmpty() ? j.path("ret").asText()
                    : j.path("error").asText()),
            Column.last("CONTAINER", j -> shortId(j.path("container").asText()))));

    private final String probe;
    private final Set<String> types;
    private final List<Column> columns;

    TraceTool(String probe, Set<String> types, List<Column> columns) {
        this.probe = probe;
        this.types = types;
        this.columns = columns;
    }

    /** The tool of a name as typed on the command line; throws naming the tools. */
    static TraceTool of(String name) {
        for (TraceTool t : values()) {
            if (t.name().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown tool \"" + name + "\"; the tools are " + names());
    }

    static List<String> names() {
        List<String> out = new ArrayList<>();
        for (TraceTool t : values()) {
            out.add(t.name().toLowerCase());
        }
        return out;
    }

    /** The probe that publishes this tool's events. */
    String probe() {
        return probe;
    }

    /** The event types this tool shows. */
    Set<String> types() {
        return types;
    }

    /** The table header. */
    String header() {
        StringBuilder b = new StringBuilder();
        for (Column c : columns) {
            c.append(b, c.header);
        }
        return b.toString().stripTrailing();
    }

    /** One event as a table row. */
    String row(JsonNode event) {
        StringBuilder b = new StringBuilder();
        for (Column c : columns) {
            c.append(b, c.value.apply(event));
        }
        return b.toString().stripTrailing();
    }

    static String shortId(String id) {
        return id.isEmpty() ? "-" : id.length() > 12 ? id.substring(0, 12) : id;
    }

    /** One column: a header, a width (0 for the last, free one), the side it aligns to, and its value. */
    record Column(String header, int width, boolean right, Function<JsonNode, String> value) {
        private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(
                ZoneOffset.UTC);
        static final Column TIME = new Column("TIME(UTC)", 12, false, j -> {
            try {
                return HMS.format(java.time.Instant.parse(j.path("time").asText()));
            } catch (RuntimeException e) {
                return "?";
            }
        });
        static final Column PID = new Column("PID", 7, true, j -> j.path("pid").asText());
        static final Column PPID = new Column("PPID", 7, true, j -> j.path("ppid").asText());
        static final Column COMM = new Column("COMM", 16, false, j -> j.path("comm").asText());
        static final Column CONTAINER = new Column("CONTAINER", 12, false, j -> shortId(j.path("container")
                .asText()));
        private static final Set<String> SHOWN = Set.of("type", "probe", "time", "ts_ns", "pid", "comm", "cgroup",
                "container", "pod", "executable", "cgroup_id");
        private static final Set<String> SHOWN_WITH_ENDPOINTS = Set.of("type", "probe", "time", "ts_ns", "pid",
                "comm", "cgroup", "container", "pod", "executable", "cgroup_id", "family", "saddr", "sport", "daddr",
                "dport");

        static Column last(String header, Function<JsonNode, String> value) {
            return new Column(header, 0, false, value);
        }

        private static final Column TYPE = new Column("TYPE", 14, false, j -> j.path("type").asText());

        /** Columns for events this build knows only by their JSON: the common ones, then key=value of the rest. */
        static List<Column> generic() {
            return List.of(TIME, TYPE, PID, COMM, CONTAINER, details(SHOWN));
        }

        /** Columns for connection events (saddr, sport, daddr, dport), then key=value of the rest. */
        static List<Column> connection() {
            return List.of(TIME, TYPE, PID, COMM, endpoint("SADDR:SPORT", "saddr", "sport"),
                    endpoint("DADDR:DPORT", "daddr", "dport"), CONTAINER, details(SHOWN_WITH_ENDPOINTS));
        }

        private static Column endpoint(String header, String address, String port) {
            return new Column(header, 22, false, j -> {
                String a = j.path(address).asText();
                if (a.isEmpty()) {
                    return "-"; // a packet without an IP header the kernel had found
                }
                return (a.contains(":") ? "[" + a + "]" : a) + ":" + j.path(port).asText();
            });
        }

        private static Column details(Set<String> shown) {
            return last("DETAILS", j -> {
                StringBuilder b = new StringBuilder();
                for (Map.Entry<String, JsonNode> f : j.properties()) {
                    if (!shown.contains(f.getKey())) {
                        b.append(b.isEmpty() ? "" : " ").append(f.getKey()).append('=')
                                .append(f.getValue().isTextual() ? f.getValue().asText() : f.getValue());
                    }
                }
                return b.toString();
            });
        }

        void append(StringBuilder b, String text) {
            if (width == 0) {
                b.append(text);
                return;
            }
            String pad = text.length() >= width ? "" : " ".repeat(width - text.length());
            b.append(right ? pad + text : text + pad).append(' ');
        }
    }
}
