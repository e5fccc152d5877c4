package io.sonde.agent;

import static io.sonde.agent.Exposition.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sonde.agent.config.AgentConfig;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Direct reads and writes on a loop device the test attaches: the block probe's request and byte
 * counts for that device equal the deltas of its line in /proc/diskstats, its latency histogram counts
 * every request, and the bytes per cgroup credit the test cgroup with all of them.
 */
class BlockProbeTest {
    private static final int N = 64;
    private static final int SIZE = 64 * 1024;

    /** One device's /proc/diskstats line, taken together with a scrape. */
    private record Snapshot(long[] disk, String metrics) {
        long reads() {
            return disk[0];
        }

        long readBytes() {
            return disk[2] * 512;
        }

        long writes() {
            return disk[4];
        }

        long writeBytes() {
            return disk[6] * 512;
        }

        long flushes() {
            return disk.length > 15 ? disk[15] : 0;
        }
    }

    @Test
    void countsEqualDiskstats() throws Exception {
        KernelHost.require();
        boolean losetup = Files.isExecutable(Path.of("/usr/sbin/losetup")) || Files.isExecutable(Path.of("/sbin/losetup"));
        if (!losetup && "1".equals(System.getenv("SONDE_REQUIRE_BPF"))) {
            org.junit.jupiter.api.Assertions.fail("SONDE_REQUIRE_BPF=1 but losetup (Debian package mount) is missing");
        }
        assumeTrue(losetup, "losetup (Debian package mount) is not installed");
        Path backing = null;
        String loop = null;
        Path cgroup = null;
        try (AgentHarness agent = AgentHarness.start(new AgentConfig(null,
                new AgentConfig.Probes(List.of("block"), null, null, null), null, null))) {
            Files.createDirectories(Path.of("target"));
            backing = Files.createTempFile(Path.of("target").toAbsolutePath(), "sonde-block-", ".img");
            try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
                f.setLength(64L << 20);
            }
            loop = KernelHost.run("losetup", "--find", "--show", "--direct-io=on", backing.toString()).strip();
            String device = Path.of(loop).getFileName().toString();
            cgroup = KernelHost.newCgroup();
            String cg = KernelHost.label(cgroup);

            Snapshot[] before = new Snapshot[1];
            AgentHarness.runWorkload(cgroup, () -> before[0] = snapshot(agent, device), "blockio", loop, "" + N,
                    "" + SIZE);
            Snapshot after = snapshot(agent, device);
            Snapshot b = before[0];

            long reads = after.reads() - b.reads();
            long writes = after.writes() - b.writes();
            long flushes = after.flushes() - b.flushes();
            System.out.printf("block: %s diskstats reads %d (%d bytes), writes %d (%d bytes), flushes %d%n", device,
                    reads, after.readBytes() - b.readBytes(), writes, after.writeBytes() - b.writeBytes(), flushes);
            assertEquals((long) N * SIZE, after.writeBytes() - b.writeBytes(), "diskstats: the bytes written");
            assertEquals((long) N * SIZE, after.readBytes() - b.readBytes(), "diskstats: the bytes read");

            assertEquals(reads, delta(b, after, "sonde_block_io_requests_total", "device", device, "op", "read"),
                    "read requests");
            assertEquals(writes, delta(b, after, "sonde_block_io_requests_total", "device", device, "op", "write"),
                    "write requests");
            assertEquals(flushes, delta(b, after, "sonde_block_io_requests_total", "device", device, "op", "flush"),
                    "flush requests");
            assertEquals(after.readBytes() - b.readBytes(),
                    delta(b, after, "sonde_block_io_bytes_total", "device", device, "op", "read"), "bytes read");
            assertEquals(after.writeBytes() - b.writeBytes(),
                    delta(b, after, "sonde_block_io_bytes_total", "device", device, "op", "write"), "bytes written");
            double requests = delta(b, after, "sonde_block_io_requests_total", "device", device);
            assertEquals(requests, delta(b, after, "sonde_block_io_latency_seconds_count", "device", device),
                    "every request is timed");
            assertTrue(delta(b, after, "sonde_block_io_latency_seconds_sum", "device", device) > 0, "latency sum");

            assertEquals(after.readBytes() - b.readBytes(), delta(b, after, "sonde_block_io_cgroup_bytes_total",
                    "cgroup", cg, "device", device, "op", "read"), "bytes read by the test cgroup");
            assertEquals(after.writeBytes() - b.writeBytes(), delta(b, after, "sonde_block_io_cgroup_bytes_total",
                    "cgroup", cg, "device", device, "op", "write"), "bytes written by the test cgroup");
        } finally {
            if (loop != null) {
                KernelHost.run("losetup", "-d", loop);
            }
            if (backing != null) {
                Files.deleteIfExists(backing);
            }
            KernelHost.removeCgroup(cgroup);
        }
    }

    /**
     * A scrape and the device's diskstats taken when nothing is in flight on it and its line did not move
     * during the scrape (diskstats counts a request after its bytes reach the waiting task).
     */
    private static Snapshot snapshot(AgentHarness agent, String device) {
        try {
            for (int i = 0;; i++) {
                long[] first = diskstats(device);
                String text = agent.scrape();
                long[] second = diskstats(device);
                if ((Arrays.equals(first, second) && second[8] == 0) || i == 50) {
                    return new Snapshot(second, text);
                }
                Thread.sleep(20);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The counters of the device's /proc/diskstats line, after its name. */
    private static long[] diskstats(String device) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/diskstats"))) {
            String[] f = line.strip().split("\\s+");
            if (f.length > 3 && f[2].equals(device)) {
                long[] out = new long[f.length - 3];
                for (int i = 0; i < out.length; i++) {
                    out[i] = Long.parseLong(f[i + 3]);
                }
                return out;
            }
        }
        throw new AssertionError(device + " is not in /proc/diskstats");
    }

    private static double delta(Snapshot before, Snapshot after, String name, String... labels) {
        return value(after.metrics(), name, labels) - value(before.metrics(), name, labels);
    }
}
