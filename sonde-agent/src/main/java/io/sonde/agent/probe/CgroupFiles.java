package io.sonde.agent.probe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CgroupFiles parses the formats of the cgroup interface files the cgroups probe reads. Every parser
 * takes the file's text (null for a file that is absent) and skips what it cannot read, line by
 * line or field by field, without throwing: a kernel that adds a field or a line must not cost the
 * other figures.
 *
 * <pre>{@code
 * long usageUsec = CgroupFiles.keyed(Files.readString(dir.resolve("cpu.stat"))).getOrDefault("usage_usec", -1L);
 * }</pre>
 */
final class CgroupFiles {
    /** A limit of at least this many bytes (4 EiB) is no limit: cgroup v1 writes "none" as PAGE_COUNTER_MAX pages. */
    static final long NO_LIMIT_V1 = 1L << 62;

    private static final Pattern DEVICE = Pattern.compile("\\d+:\\d+");

    private CgroupFiles() {}

    /**
     * One device's I/O as io.stat or the v1 blkio files give it: bytes and operations read, written
     * and discarded; -1 for a figure the file does not give.
     *
     * @param device major:minor
     */
    record DeviceIo(String device, long readBytes, long writeBytes, long discardBytes, long reads, long writes,
            long discards) {}

    /** The "key value" lines of cpu.stat, memory.stat, cpuacct files: key to value; other lines skipped. */
    static Map<String, Long> keyed(String text) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (text == null) {
            return out;
        }
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length != 2) {
                continue;
            }
            long v = number(f[1]);
            if (v >= 0) {
                out.put(f[0], v);
            }
        }
        return out;
    }

    /** A file of one number (memory.current, cpuacct.usage); -1 when absent or not a number. */
    static long single(String text) {
        return text == null ? -1 : number(text.strip());
    }

    /**
     * A memory limit in bytes (memory.max, memory.limit_in_bytes): +Inf for none ("max", or v1's huge
     * number), NaN when absent or unreadable.
     */
    static double limit(String text) {
        if (text == null) {
            return Double.NaN;
        }
        String s = text.strip();
        if (s.equals("max")) {
            return Double.POSITIVE_INFINITY;
        }
        long v = number(s);
        return v < 0 ? Double.NaN : v >= NO_LIMIT_V1 ? Double.POSITIVE_INFINITY : v;
    }

    /**
     * The lines of a v2 io.stat, "MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.. dbytes=.. dios=..",
     * in file order; unknown fields (iocost, iolatency) are ignored.
     */
    static List<DeviceIo> ioStat(String text) {
        List<DeviceIo> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 2 || !DEVICE.matcher(f[0]).matches()) {
                continue;
            }
            Map<String, Long> fields = new LinkedHashMap<>();
            for (int i = 1; i < f.length; i++) {
                int eq = f[i].indexOf('=');
                long v = eq < 0 ? -1 : number(f[i].substring(eq + 1));
                if (v >= 0) {
                    fields.put(f[i].substring(0, eq), v);
                }
            }
            if (!fields.isEmpty()) {
                out.add(new DeviceIo(f[0], get(fields, "rbytes"), get(fields, "wbytes"), get(fields, "dbytes"),
                        get(fields, "rios"), get(fields, "wios"), get(fields, "dios")));
            }
        }
        return out;
    }

    /**
     * The v1 blkio.throttle.io_service_bytes and io_serviced files ("MAJ:MIN Read N" lines, "Total N"
     * at the end), merged by device in file order.
     */
    static List<DeviceIo> blkio(String bytesText, String opsText) {
        Map<String, Map<String, Long>> bytes = blkioLines(bytesText);
        Map<String, Map<String, Long>> ops = blkioLines(opsText);
        Map<String, Boolean> devices = new LinkedHashMap<>();
        bytes.keySet().forEach(d -> devices.put(d, true));
        ops.keySet().forEach(d -> devices.put(d, true));
        List<DeviceIo> out = new ArrayList<>();
        for (String d : devices.keySet()) {
            Map<String, Long> b = bytes.getOrDefault(d, Map.of());
            Map<String, Long> o = ops.getOrDefault(d, Map.of());
            out.add(new DeviceIo(d, get(b, "Read"), get(b, "Write"), get(b, "Discard"), get(o, "Read"),
                    get(o, "Write"), get(o, "Discard")));
        }
        return out;
    }

    private static Map<String, Map<String, Long>> blkioLines(String text) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        if (text == null) {
            return out;
        }
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length != 3 || !DEVICE.matcher(f[0]).matches()) {
                continue;
            }
            long v = number(f[2]);
            if (v >= 0) {
                out.computeIfAbsent(f[0], k -> new LinkedHashMap<>()).put(f[1], v);
            }
        }
        return out;
    }

    /**
     * A pressure file (cpu.pressure, memory.pressure, io.pressure): kind ("some", "full") to its
     * total= stall time in microseconds.
     */
    static Map<String, Long> pressure(String text) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (text == null) {
            return out;
        }
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 2 || !(f[0].equals("some") || f[0].equals("full"))) {
                continue;
            }
            for (int i = 1; i < f.length; i++) {
                if (f[i].startsWith("total=")) {
                    long v = number(f[i].substring(6));
                    if (v >= 0) {
                        out.put(f[0], v);
                    }
                }
            }
        }
        return out;
    }

    private static long get(Map<String, Long> fields, String key) {
        Long v = fields.get(key);
        return v == null ? -1 : v;
    }

    /** A non-negative decimal number, or -1 (cgroup files hold unsigned values; past 2^63 is no count). */
    private static long number(String s) {
        if (s.isEmpty() || s.length() > 19) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return -1;
            }
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
