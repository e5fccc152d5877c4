package io.sonde.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * In a JVM run as bin/sonde runs the agent (serial collector, small young generation), objects that
 * live just long enough to be promoted make the old generation grow without a ceiling, and stay under
 * it with one. Each case runs in a child JVM of its own, so that the collector and the ceiling are
 * that JVM's alone.
 */
class OldGenerationCeilingTest {
    private static final long CEILING = 16L << 20;

    @Test
    void theOldGenerationStaysNearTheCeilingOnlyWithIt() throws Exception {
        long[] without = run(false);
        long[] with = run(true);
        assertTrue(without[1] > 4 * CEILING, "without a ceiling the old generation grows: committed " + without[1]);
        assertEquals(0, without[0]);
        assertTrue(with[0] >= 1, "collections requested: " + with[0]);
        assertTrue(with[1] < without[1] / 2, "with the ceiling the old generation stays near it: committed " + with[1]
                + ", without " + without[1]);
    }

    /** Runs {@link #main} in a child JVM; returns {collections requested, old generation's peak committed bytes}. */
    private static long[] run(boolean ceiling) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-XX:+UseSerialGC", "-Xms16m", "-Xmn4m", "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), OldGenerationCeilingTest.class.getName(), "" + ceiling)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        assertEquals(0, p.exitValue(), out);
        String[] f = out.substring(out.lastIndexOf('\n') + 1).split(" ");
        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
    }

    /**
     * The child: keeps the last 4 MB of 400 MB of 4 KiB arrays alive (so that young collections catch
     * them alive and promote some), and prints the collections requested and the old generation's peak
     * committed size.
     */
    public static void main(String[] args) throws InterruptedException {
        OldGenerationCeiling c = Boolean.parseBoolean(args[0]) ? OldGenerationCeiling.install(CEILING) : null;
        List<byte[]> window = new ArrayList<>();
        long sink = 0;
        for (int i = 0; i < 100_000; i++) {
            window.add(new byte[4096]);
            if (window.size() > 1024) {
                sink += window.remove(0).length;
            }
        }
        Thread.sleep(500); // the notification thread's last collection
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().contains("Tenured")) {
                peak = pool.getPeakUsage().getCommitted();
            }
        }
        System.out.println((c == null ? 0 : c.collections()) + " " + peak + (sink < 0 ? " " : ""));
    }
}
