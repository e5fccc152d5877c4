package io.sonde.agent.probe;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sonde.agent.AgentHarness;
import io.sonde.agent.KernelHost;
import io.sonde.agent.config.AgentConfig;
import io.sonde.bpf.BpfException;
import io.sonde.bpf.BpfObject;
import io.sonde.bpf.Program;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The sched probe as the agent runs it: chosen from the catalogue, on BTF tracepoints where offered. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchedProbeTest extends SchedProbeChecks {
    private AgentHarness agent;

    @BeforeAll
    void start() throws Exception {
        KernelHost.require();
        agent = AgentHarness.start(AgentConfig.defaults().withEnabledProbes(List.of("sched")));
    }

    @AfterAll
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    @Override
    String scrape() throws Exception {
        return agent.scrape();
    }

    @Override
    SchedProbe probe() {
        return (SchedProbe) agent.agent().supervisor().running("sched");
    }

    @Override
    String variant() {
        return "default";
    }

    @Test
    void usesBtfTracepointsWhereTheKernelOffersThem() throws Exception {
        String probes = agent.get("/api/probes").body();
        String expected = btfTracepointAttaches() ? "BTF tracepoints" : "raw tracepoints";
        assertTrue(probes.contains("(" + expected + " sched_wakeup"), probes);
    }

    /** Whether a trivial tp_btf program loads and attaches to sched_switch here (as `sonde check` tries it). */
    private static boolean btfTracepointAttaches() {
        try (BpfObject object = BpfObject.openResource(SchedProbeTest.class, "/bpf/check.bpf.o")) {
            for (Program p : object.programs()) {
                p.setAutoload(p.name().equals("check_tp_btf"));
            }
            object.load();
            object.program("check_tp_btf").attachBtfTracepoint().close();
            return true;
        } catch (BpfException e) {
            return false;
        }
    }
}
