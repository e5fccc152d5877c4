package io.sonde.agent.metrics;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AgentFootprint reads what the agent process itself uses, for {@code /api/probes}: CPU time so far,
 * resident memory (VmRSS), the JVM heap and non-heap, and off-heap buffers (direct and mapped). The
 * same figures are on {@code /metrics} as the JVM families ({@code process_cpu_seconds_total},
 * {@code process_resident_memory_bytes}, {@code jvm_memory_used_bytes}, {@code jvm_buffer_pool_used_bytes}).
 *
 * <pre>{@code
 * Map<String, Object> agent = AgentFootprint.read();   // {"cpu_seconds": 1.9, "resident_bytes": ...}
 * }</pre>
 */
public final class AgentFootprint {
    private AgentFootprint() {}

    /** The figures now; a figure that cannot be read is left out. */
    public static Map<String, Object> read() {
        Map<String, Object> out = new LinkedHashMap<>();
        ProcessHandle.current().info().totalCpuDuration().ifPresent(d -> out.put("cpu_seconds", d.toNanos() / 1e9));
        long rss = residentBytes(Path.of("/proc/self/status"));
        if (rss >= 0) {
            out.put("resident_bytes", rss);
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        out.put("heap_used_bytes", memory.getHeapMemoryUsage().getUsed());
        out.put("heap_committed_bytes", memory.getHeapMemoryUsage().getCommitted());
        out.put("non_heap_used_bytes", memory.getNonHeapMemoryUsage().getUsed());
        out.put("non_heap_committed_bytes", memory.getNonHeapMemoryUsage().getCommitted());
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct") || pool.getName().equals("mapped")) {
                out.put(pool.getName() + "_buffer_bytes", pool.getMemoryUsed());
            }
        }
        return out;
    }

    /** VmRSS from a /proc/[pid]/status file, in bytes, or -1. */
    static long residentBytes(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    String[] f = line.substring(6).strip().split("\\s+");
                    return Long.parseLong(f[0]) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
