package io.sonde.agent.probe;

import static io.sonde.agent.Exposition.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sonde.agent.KernelHost;
import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.enrich.HostAttribution;
import io.sonde.agent.metrics.SelfMetrics;
import io.sonde.agent.metrics.SeriesBudget;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** A probe that cannot attach is reported with its reason, and the others keep running. */
class ProbeIsolationTest {
    /** A deliberately broken probe: its program loads, but the tracepoint it asks for does not exist. */
    static final class BrokenProbe extends BpfProbe {
        BrokenProbe() {
            super("broken", "/bpf/files.bpf.o");
        }

        @Override
        public String description() {
            return "attaches to a tracepoint that does not exist";
        }

        @Override
        protected List<Attachment> attachments() {
            return List.of(Attachment.of("exit_openat", p -> p.attachTracepoint("syscalls", "sys_exit_no_such_call")));
        }

        @Override
        public MultiCollector metrics() {
            return MetricSnapshots::of;
        }
    }

    @Test
    void brokenProbeFailsAloneWithItsReason() throws Exception {
        KernelHost.require();
        AgentConfig config = AgentConfig.defaults();
        PrometheusRegistry registry = new PrometheusRegistry();
        SeriesBudget budget = new SeriesBudget(100, 60_000);
        SelfMetrics self = new SelfMetrics("test", budget);
        registry.register(self);
        try (ProbeSupervisor supervisor = new ProbeSupervisor(List.of(new BrokenProbe(), new SyscallsProbe()),
                new ProbeContext(config, HostAttribution.create(config), budget, self), registry)) {
            self.probes(supervisor);
            supervisor.startAll();
            assertTrue(supervisor.ready());
            assertEquals(Map.of("broken", false, "syscalls", true), supervisor.up());
            Map<String, Object> broken = supervisor.describe().get(0);
            assertEquals("failed", broken.get("state"));
            assertTrue(String.valueOf(broken.get("reason")).contains("syscalls/sys_exit_no_such_call"),
                    String.valueOf(broken.get("reason")));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrometheusTextFormatWriter.create().write(out, registry.scrape(),
                    io.prometheus.metrics.config.EscapingScheme.DEFAULT);
            String text = out.toString();
            assertEquals(0, value(text, "sonde_probe_up", "probe", "broken"));
            assertEquals(1, value(text, "sonde_probe_up", "probe", "syscalls"));
            assertTrue(value(text, "sonde_syscalls_total") > 0, "the healthy probe counts");
        }
    }
}
