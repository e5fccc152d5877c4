package io.sonde.agent;

import static io.sonde.agent.Exposition.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.enrich.Cgroup1Mounts;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The cgroups probe's figures for a test cgroup equal what the cgroup's own files say at the same
 * moment: the files are read right before and right after the scrape, counters must lie between the
 * two readings, memory within one page of them. The workload in the cgroup touches 64 MiB, burns
 * 200 ms of CPU under a 50% quota (so it is throttled), does 32 direct writes and 32 direct reads of
 * 4 KiB on a loop device the test creates, then keeps spinning on the CPU while the test scrapes.
 *
 * <p>Where cgroup v2 lacks the cpu, memory or io controller (a hybrid host, as our build hosts are),
 * the test makes a v1 cgroup of the same name under that controller's mount and the workload joins
 * it too, as {@code OomKillTest} does. The v1 blkio statistics count only on disks where blk-throttle
 * is set up (recent kernels set it up at the first limit written for a disk), so the test sets a limit
 * no I/O reaches (1 TiB/s) on its own loop device.
 */
class CgroupsProbeTest {
    private static final int PAGE = 4096;
    private static final int IOS = 32;
    private static final long LIMIT = 256L << 20;

    private final Map<String, Path> v1 = Cgroup1Mounts.find();
    private final List<Path> v1dirs = new ArrayList<>();

    @Test
    void theMetricsOfATestCgroupEqualItsFiles() throws Exception {
        Path mount = KernelHost.requireCgroup2();
        Set<String> v2 = Set.of(Files.readString(mount.resolve("cgroup.controllers")).strip().split("\\s+"));
        assumeTrue(v2.contains("memory") || v1.containsKey("memory"), "no memory controller in cgroup v2 or v1");
        assumeTrue(v2.contains("cpu") || v1.containsKey("cpu"), "no cpu controller in cgroup v2 or v1");
        assumeTrue(v2.contains("io") || v1.containsKey("blkio"), "no io controller in cgroup v2 or blkio in v1");
        Path cg = KernelHost.newCgroup();
        String name = cg.getFileName().toString();
        Path image = Path.of("target", name + ".img").toAbsolutePath();
        String loop = null;
        Process p = null;
        try {
            Files.write(image, new byte[1 << 20]);
            loop = KernelHost.run("losetup", "--find", "--show", image.toString()).strip();
            String device = Path.of(loop).getFileName().toString();
            String majorMinor = Files.readString(Path.of("/sys/class/block", device, "dev")).strip();
            List<Path> join = new ArrayList<>(List.of(cg));

            Path memory = v2.contains("memory") ? enabled(mount, cg, "memory") : v1dir("memory", name, join);
            Files.writeString(memory.resolve(v2.contains("memory") ? "memory.max" : "memory.limit_in_bytes"),
                    Long.toString(LIMIT));
            Path cpu = v2.contains("cpu") ? enabled(mount, cg, "cpu") : v1dir("cpu", name, join);
            if (v2.contains("cpu")) {
                Files.writeString(cpu.resolve("cpu.max"), "50000 100000");
            } else {
                Files.writeString(cpu.resolve("cpu.cfs_period_us"), "100000");
                Files.writeString(cpu.resolve("cpu.cfs_quota_us"), "50000");
            }
            Path io = v2.contains("io") ? enabled(mount, cg, "io") : v1dir("blkio", name, join);
            if (!v2.contains("io")) {
                Files.writeString(io.resolve("blkio.throttle.write_bps_device"), majorMinor + " " + (1L << 40));
            }

            AgentConfig config = new AgentConfig(null, new AgentConfig.Probes(List.of("cgroups"), null, null, null,
                    new AgentConfig.Cgroups(List.of(KernelHost.label(cg)), null)), null, null);
            try (AgentHarness agent = AgentHarness.start(config)) {
                StringBuilder script = new StringBuilder();
                for (Path dir : join) {
                    script.append("echo $$ > ").append(dir.resolve("cgroup.procs")).append(" && ");
                }
                p = new ProcessBuilder("bash", "-c", script + "exec \"$0\" hold 64 200 " + IOS + " " + loop,
                        KernelHost.workload().toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8));
                OutputStream in = p.getOutputStream();
                assertEquals("ready", out.readLine());
                in.write("go\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
                assertEquals("done", out.readLine(), "the workload did its work");

                Truth files = new Truth(cg, cpu, memory, io, v2, majorMinor, device);
                Map<String, Double> before = files.read();
                String text = agent.scrape();
                Map<String, Double> after = files.read();
                in.write("stop\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue());

                compare(text, KernelHost.label(cg), before, after);
                System.out.println("cgroups probe test: files " + before + " .. " + after);
                assertTrue(before.get("sonde_container_cpu_usage_seconds_total") >= 0.2, "burned 200 ms");
                assertTrue(before.get("sonde_container_cpu_throttled_periods_total") >= 1, "throttled: " + before);
                assertTrue(before.get("sonde_container_memory_usage_bytes") >= 64 << 20, "touched 64 MiB");
                assertEquals((double) LIMIT, before.get("sonde_container_memory_limit_bytes"));
                assertEquals((double) IOS, before.get("sonde_container_io_operations_total|" + device + "|write"));
                assertEquals((double) IOS, before.get("sonde_container_io_operations_total|" + device + "|read"));
                assertEquals(IOS * 4096.0, before.get("sonde_container_io_bytes_total|" + device + "|write"));
                assertEquals(IOS * 4096.0, before.get("sonde_container_io_bytes_total|" + device + "|read"));
            }
        } finally {
            if (p != null) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            KernelHost.removeCgroup(cg);
            v1dirs.forEach(KernelHost::removeCgroup);
            if (loop != null) {
                KernelHost.run("losetup", "-d", loop);
            }
            Files.deleteIfExists(image);
        }
    }

    /** Every figure the files gave is served, between the two readings (memory within a page of them). */
    private static void compare(String text, String cgroup, Map<String, Double> before, Map<String, Double> after) {
        for (String key : before.keySet()) {
            String[] k = key.split("\\|");
            String[] labels = switch (k.length) {
                case 1 -> new String[] {"cgroup", cgroup};
                default -> k[0].contains("pressure") ? new String[] {"cgroup", cgroup, "resource", k[1], "kind", k[2]}
                        : new String[] {"cgroup", cgroup, "device", k[1], "direction", k[2]};
            };
            assertTrue(text.contains(k[0] + "{"), "served: " + k[0]);
            double served = value(text, k[0], labels);
            double lo = Math.min(before.get(key), after.get(key));
            double hi = Math.max(before.get(key), after.get(key));
            double slack = k[0].startsWith("sonde_container_memory_") ? PAGE : 1e-9 * Math.max(1, hi);
            assertTrue(served >= lo - slack && served <= hi + slack, key + " = " + served + ", the files said " + lo
                    + " before and " + hi + " after");
        }
    }

    /** Enables a controller for the root's children (cgroup v2) and returns the test cgroup. */
    private static Path enabled(Path mount, Path cg, String controller) throws IOException {
        Files.writeString(mount.resolve("cgroup.subtree_control"), "+" + controller);
        return cg;
    }

    /** Creates the v1 cgroup of this name under a controller's mount (once per mount) and has the workload join it. */
    private Path v1dir(String controller, String name, List<Path> join) throws IOException {
        Path dir = v1.get(controller).resolve(name);
        if (!Files.isDirectory(dir)) {
            Files.createDirectory(dir);
            v1dirs.add(dir);
            join.add(dir);
        }
        return dir;
    }

    /**
     * The figures of the test cgroup as its files give them, keyed by metric name (and "|label|label"
     * for the labelled ones), read with the test's own parsing, not the probe's.
     */
    private record Truth(Path cg, Path cpu, Path memory, Path io, Set<String> v2, String majorMinor, String device) {
        Map<String, Double> read() throws IOException {
            Map<String, Double> t = new LinkedHashMap<>();
            Map<String, Long> stat = keyed(cg.resolve("cpu.stat"));
            t.put("sonde_container_cpu_usage_seconds_total", stat.get("usage_usec") / 1e6);
            t.put("sonde_container_cpu_user_seconds_total", stat.get("user_usec") / 1e6);
            t.put("sonde_container_cpu_system_seconds_total", stat.get("system_usec") / 1e6);
            if (v2.contains("cpu")) {
                t.put("sonde_container_cpu_periods_total", (double) stat.get("nr_periods"));
                t.put("sonde_container_cpu_throttled_periods_total", (double) stat.get("nr_throttled"));
                t.put("sonde_container_cpu_throttled_seconds_total", stat.get("throttled_usec") / 1e6);
            } else {
                Map<String, Long> v1 = keyed(cpu.resolve("cpu.stat"));
                t.put("sonde_container_cpu_periods_total", (double) v1.get("nr_periods"));
                t.put("sonde_container_cpu_throttled_periods_total", (double) v1.get("nr_throttled"));
                t.put("sonde_container_cpu_throttled_seconds_total", v1.get("throttled_time") / 1e9);
            }
            boolean v2memory = v2.contains("memory");
            double usage = Long.parseLong(string(memory.resolve(v2memory ? "memory.current" : "memory.usage_in_bytes")));
            Map<String, Long> mstat = keyed(memory.resolve("memory.stat"));
            t.put("sonde_container_memory_usage_bytes", usage);
            t.put("sonde_container_memory_working_set_bytes", Math.max(0,
                    usage - mstat.get(v2memory ? "inactive_file" : "total_inactive_file")));
            t.put("sonde_container_memory_limit_bytes", (double) Long.parseLong(string(memory.resolve(
                    v2memory ? "memory.max" : "memory.limit_in_bytes"))));
            t.put("sonde_container_memory_anon_bytes", (double) mstat.get(v2memory ? "anon" : "total_rss"));
            t.put("sonde_container_memory_file_bytes", (double) mstat.get(v2memory ? "file" : "total_cache"));
            if (v2.contains("io")) {
                for (String line : string(io.resolve("io.stat")).split("\n")) {
                    if (line.startsWith(majorMinor + " ")) {
                        Map<String, Long> f = new LinkedHashMap<>();
                        for (String field : line.split(" ")) {
                            String[] kv = field.split("=");
                            if (kv.length == 2) {
                                f.put(kv[0], Long.parseLong(kv[1]));
                            }
                        }
                        io(t, "bytes", "read", f.get("rbytes"));
                        io(t, "bytes", "write", f.get("wbytes"));
                        io(t, "operations", "read", f.get("rios"));
                        io(t, "operations", "write", f.get("wios"));
                    }
                }
            } else {
                blkio(t, "bytes", io.resolve("blkio.throttle.io_service_bytes_recursive"));
                blkio(t, "operations", io.resolve("blkio.throttle.io_serviced_recursive"));
            }
            for (String resource : List.of("cpu", "memory", "io")) {
                Path psi = cg.resolve(resource + ".pressure");
                if (!Files.exists(psi)) {
                    continue;
                }
                for (String line : string(psi).split("\n")) {
                    String total = line.substring(line.indexOf("total=") + 6);
                    t.put("sonde_container_pressure_stalled_seconds_total|" + resource + "|" + line.split(" ")[0],
                            Long.parseLong(total) / 1e6);
                }
            }
            return t;
        }

        private void blkio(Map<String, Double> t, String what, Path file) throws IOException {
            for (String line : string(file).split("\n")) {
                String[] f = line.split(" ");
                if (f.length == 3 && f[0].equals(majorMinor) && (f[1].equals("Read") || f[1].equals("Write"))) {
                    io(t, what, f[1].toLowerCase(java.util.Locale.ROOT), Long.parseLong(f[2]));
                }
            }
        }

        private void io(Map<String, Double> t, String what, String direction, long value) {
            t.put("sonde_container_io_" + what + "_total|" + device + "|" + direction, (double) value);
        }

        private static Map<String, Long> keyed(Path file) throws IOException {
            Map<String, Long> m = new LinkedHashMap<>();
            for (String line : string(file).split("\n")) {
                String[] f = line.split(" ");
                m.put(f[0], Long.parseLong(f[1]));
            }
            return m;
        }

        private static String string(Path file) throws IOException {
            return Files.readString(file).strip();
        }
    }
}
