package io.sonde.agent;

import static io.sonde.agent.Exposition.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.config.ConfigLoader;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The syscalls probe counts first in a per-CPU array of the cgroup that last made a call on the CPU and
 * moves those counts into its hash when another cgroup calls there, or when 64 syscalls have counts
 * waiting (syscalls.bpf.c). Both moves, and reads racing with them, must keep every count exact and
 * every series from going back.
 */
class SyscallsPendingTest {
    private static AgentConfig config() throws Exception {
        return ConfigLoader.parse("test.yaml", """
                probes:
                  enabled: [syscalls]
                """);
    }

    /** 100 distinct syscalls from one cgroup: more than the pending list holds, so it fills and moves. */
    @Test
    void moreSyscallsThanThePendingListHoldsCountExactly() throws Exception {
        KernelHost.require();
        Path cgroup = KernelHost.newCgroup();
        String cg = KernelHost.label(cgroup);
        // numbers no architecture has (each fails with ENOSYS), below the probe's limit of 1024
        List<String> args = new ArrayList<>(List.of("nosys", "3"));
        for (int nr = 600; nr < 700; nr++) {
            args.add(Integer.toString(nr));
        }
        try (AgentHarness agent = AgentHarness.start(config())) {
            AgentHarness.runWorkload(cgroup, () -> { }, args.toArray(String[]::new));
            String after = agent.scrape();
            for (int nr = 600; nr < 700; nr++) {
                String name = "syscall_" + nr;
                assertEquals(3, value(after, "sonde_syscalls_total", "cgroup", cg, "syscall", name), name);
                assertEquals(3, value(after, "sonde_syscall_errors_total", "cgroup", cg, "syscall", name, "errno",
                        "ENOSYS"), name);
            }
        } finally {
            KernelHost.removeCgroup(cgroup);
        }
    }

    /**
     * Two cgroups flooding one CPU take turns on it, so their pending counts move at every turn; scrapes
     * meanwhile must never see a count go back, and the totals at the end are exact.
     */
    @Test
    void twoCgroupsTakingTurnsOnOneCpuCountExactlyAndNeverGoBack() throws Exception {
        KernelHost.require();
        int cpu = Runtime.getRuntime().availableProcessors() - 1;
        long calls = 400_000;
        Path a = KernelHost.newCgroup();
        Path b = KernelHost.newCgroup();
        List<Process> floods = new ArrayList<>();
        try (AgentHarness agent = AgentHarness.start(config())) {
            for (Path cgroup : List.of(a, b)) {
                floods.add(new ProcessBuilder("bash", "-c", "echo $$ > " + cgroup.resolve("cgroup.procs")
                        + " && exec \"$0\" \"$@\"", KernelHost.workload().toString(), "flood", Long.toString(calls),
                        Integer.toString(cpu)).redirectError(ProcessBuilder.Redirect.INHERIT).start());
            }
            for (Process p : floods) {
                String ready = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
                assertEquals("ready", ready, "workload did not start");
            }
            for (Process p : floods) {
                OutputStream in = p.getOutputStream();
                in.write("go\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
            }
            double[] last = new double[2];
            int scrapes = 0;
            while (floods.stream().anyMatch(Process::isAlive)) {
                String text = agent.scrape();
                scrapes++;
                for (int i = 0; i < 2; i++) {
                    double now = value(text, "sonde_syscalls_total", "cgroup", KernelHost.label(i == 0 ? a : b),
                            "syscall", "getppid");
                    assertTrue(now >= last[i], "scrape " + scrapes + ": cgroup " + i + "'s getppid count went back from "
                            + last[i] + " to " + now);
                    last[i] = now;
                }
            }
            for (Process p : floods) {
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), "workload exit status");
            }
            assertTrue(scrapes >= 3, "scraped " + scrapes + " times while the floods ran");
            String after = agent.scrape();
            assertEquals(calls, value(after, "sonde_syscalls_total", "cgroup", KernelHost.label(a), "syscall", "getppid"));
            assertEquals(calls, value(after, "sonde_syscalls_total", "cgroup", KernelHost.label(b), "syscall", "getppid"));
        } finally {
            floods.forEach(Process::destroyForcibly);
            KernelHost.removeCgroup(a);
            KernelHost.removeCgroup(b);
        }
    }
}
