package io.sonde.agent;

import static io.sonde.agent.Exposition.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sonde.agent.events.EnrichedEvent;
import io.sonde.agent.events.EventBus;
import io.sonde.agent.probe.ExitEvent;
import io.sonde.agent.probe.OomKillEvent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A process in a test cgroup with a memory limit is killed by the OOM killer; the kill is counted
 * against that cgroup, and its record carries the pid and comm.
 *
 * <p>Where cgroup v2 has no memory controller (a hybrid host whose memory controller is bound to the
 * v1 hierarchy, as on our build hosts), the limit is set in a v1 memory cgroup and the process joins
 * both: the victim is still attributed to its v2 cgroup, which is what the agent reports.
 */
class OomKillTest {
    @Test
    void oomKillIsCountedAgainstTheVictimsCgroup() throws Exception {
        KernelHost.require();
        Path v2 = KernelHost.newCgroup();
        Path v1 = null;
        try (AgentHarness agent = AgentHarness.start();
                EventBus.Subscription events = agent.agent().events().subscribe("test", 100_000,
                        e -> e instanceof OomKillEvent || e instanceof ExitEvent)) {
            String limitFile;
            boolean v2memory = Files.readString(KernelHost.cgroup2().resolve("cgroup.controllers")).contains("memory");
            if (v2memory) {
                Files.writeString(KernelHost.cgroup2().resolve("cgroup.subtree_control"), "+memory");
                Files.writeString(v2.resolve("memory.max"), "64M");
                Files.writeString(v2.resolve("memory.swap.max"), "0");
                limitFile = null;
            } else {
                Path v1root = Path.of("/sys/fs/cgroup/memory");
                assumeTrue(Files.exists(v1root.resolve("memory.limit_in_bytes")),
                        "neither cgroup v2 nor v1 offers a memory controller here");
                v1 = v1root.resolve(v2.getFileName().toString());
                Files.createDirectory(v1);
                Files.writeString(v1.resolve("memory.limit_in_bytes"), "64M");
                limitFile = v1.resolve("cgroup.procs").toString();
            }
            String join = "echo $$ > " + v2.resolve("cgroup.procs") + (limitFile == null ? "" : " && echo $$ > "
                    + limitFile);
            Process p = new ProcessBuilder("bash", "-c", join + " && exec \"$0\" eat",
                    KernelHost.workload().toString()).redirectErrorStream(true).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the OOM killer ends the workload");
            assertEquals(128 + 9, p.exitValue(), "killed by SIGKILL");
            String cg = KernelHost.label(v2);
            List<EnrichedEvent> seen = new java.util.ArrayList<>();
            OomKillEvent oom = null;
            List<ExitEvent> exits = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while ((oom == null || exits.isEmpty()) && System.nanoTime() < deadline) {
                EnrichedEvent e = events.poll(100, TimeUnit.MILLISECONDS);
                if (e == null || e.event().pid() != p.pid()) {
                    continue;
                }
                seen.add(e);
                if (e.event() instanceof OomKillEvent o) {
                    oom = o;
                } else if (e.event() instanceof ExitEvent x) {
                    exits.add(x);
                }
            }
            assertTrue(oom != null, "an OOM-kill event for pid " + p.pid() + ": " + seen);
            assertEquals("workload", oom.comm());
            assertEquals(cg, oom.cgroup());
            String text = agent.scrape();
            assertEquals(1, value(text, "sonde_oom_kills_total", "cgroup", cg));
            assertEquals(1, value(text, "sonde_process_exits_total", "cgroup", cg, "reason", "SIGKILL"));
            while (events.poll(200, TimeUnit.MILLISECONDS) instanceof EnrichedEvent e) {
                if (e.event() instanceof ExitEvent x && x.pid() == p.pid()) {
                    exits.add(x); // none expected: one exit per process
                }
            }
            assertEquals(1, exits.size());
            assertEquals(9, exits.get(0).signal());
        } finally {
            KernelHost.removeCgroup(v2);
            if (v1 != null) {
                KernelHost.removeCgroup(v1);
            }
        }
    }
}
