package io.sonde.agent.probe;

import io.sonde.agent.KernelHost;
import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.enrich.HostAttribution;
import io.sonde.agent.metrics.SelfMetrics;
import io.sonde.agent.metrics.SeriesBudget;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** The sched probe's fallback on raw tracepoints, forced, passes the same checks. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchedProbeRawTest extends SchedProbeChecks {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private ProbeSupervisor supervisor;
    private SchedProbe probe;

    @BeforeAll
    void start() {
        KernelHost.require();
        AgentConfig config = AgentConfig.defaults();
        SeriesBudget budget = new SeriesBudget(1000, 60_000);
        probe = new SchedProbe(SchedProbe.Hooks.RAW_TRACEPOINTS);
        supervisor = new ProbeSupervisor(List.of(probe), new ProbeContext(config, HostAttribution.create(config), budget,
                new SelfMetrics("test", budget)), registry);
        supervisor.startAll();
        if (!Map.of("sched", true).equals(supervisor.up())) {
            throw new AssertionError("the raw-tracepoint variant did not start: " + supervisor.describe());
        }
    }

    @AfterAll
    void stop() {
        if (supervisor != null) {
            supervisor.close();
        }
    }

    @Override
    String scrape() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape(), EscapingScheme.DEFAULT);
        return out.toString();
    }

    @Override
    SchedProbe probe() {
        return probe;
    }

    @Override
    String variant() {
        return "raw_tp";
    }
}
