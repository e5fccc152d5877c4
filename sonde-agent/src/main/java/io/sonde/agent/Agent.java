package io.sonde.agent;

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.config.ListenAddress;
import io.sonde.agent.enrich.ProcessResolver;
import io.sonde.agent.events.EventBus;
import io.sonde.agent.events.EventEnricher;
import io.sonde.agent.metrics.AgentFootprint;
import io.sonde.agent.metrics.SelfMetrics;
import io.sonde.agent.metrics.SeriesBudget;
import io.sonde.agent.probe.Attribution;
import io.sonde.agent.probe.BudgetController;
import io.sonde.agent.probe.Probe;
import io.sonde.agent.probe.ProbeCatalog;
import io.sonde.agent.probe.ProbeContext;
import io.sonde.agent.probe.ProbeSupervisor;
import io.sonde.agent.probe.ProgramCostSampler;
import io.sonde.agent.web.WebServer;
import io.sonde.bpf.Kernel;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Agent wires the running agent together: the metrics registry, the probes under their supervisor,
 * attribution, and the web server. Start order: web server first (so /-/ready can answer "not yet"),
 * then the probes; close reverses it.
 *
 * <pre>{@code
 * try (Agent agent = Agent.start(config, attribution)) {
 *     agent.awaitShutdown();
 * }
 * }</pre>
 */
public final class Agent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.sonde.agent");
    private static final long SERIES_IDLE_MILLIS = 10 * 60 * 1000;
    /** The old generation is collected whenever it grows past this (OldGenerationCeiling): flat memory over days. */
    private static final long OLD_GENERATION_CEILING = 16L << 20;

    private final PrometheusRegistry registry;
    private final ProbeSupervisor supervisor;
    private final WebServer web;
    private final ProgramCostSampler cost;
    private final EventBus events;

    private Agent(PrometheusRegistry registry, ProbeSupervisor supervisor, WebServer web, ProgramCostSampler cost,
            EventBus events) {
        this.events = events;
        this.registry = registry;
        this.supervisor = supervisor;
        this.web = web;
        this.cost = cost;
    }

    /** Starts the web server and every enabled probe. */
    public static Agent start(AgentConfig config, Attribution attribution, String version) throws IOException {
        Kernel.ensureTracefs();
        Kernel.ensureBpffs();
        OldGenerationCeiling ceiling = OldGenerationCeiling.install(OLD_GENERATION_CEILING);
        PrometheusRegistry registry = new PrometheusRegistry();
        JvmMetrics.builder().register(registry);
        SeriesBudget budget = new SeriesBudget(config.metrics().seriesBudget(), SERIES_IDLE_MILLIS);
        SelfMetrics self = new SelfMetrics(version, budget);
        EventBus events = new EventBus(new EventEnricher(new ProcessResolver(java.nio.file.Path.of("/proc"),
                config.enrichment().processCacheSize(), ProcessResolver.DEFAULT_TTL)));
        registry.register(self);
        registry.register(events);
        List<String> names = config.probes().enabled() == null ? ProbeCatalog.names() : config.probes().enabled();
        List<Probe> probes = ProbeCatalog.create(names);
        ProbeSupervisor supervisor = new ProbeSupervisor(probes,
                new ProbeContext(config, attribution, budget, self, events),
                registry);
        self.probes(supervisor);
        ProgramCostSampler cost = new ProgramCostSampler(supervisor, config.overhead());
        registry.register(cost);
        BudgetController overheadBudget = new BudgetController(supervisor, config.overhead().budget(),
                config.overhead().keepAttached());
        registry.register(overheadBudget);
        cost.onWindow(overheadBudget::afterWindow);
        InetSocketAddress parsed = ListenAddress.parse(config.web().listenAddress(), "web.listen_address");
        InetSocketAddress bind = parsed.isUnresolved() ? new InetSocketAddress(parsed.getHostString(),
                parsed.getPort()) : parsed;
        WebServer web = WebServer.start(bind, registry, supervisor::ready, supervisor::describe, () -> {
            Map<String, Object> agent = new LinkedHashMap<>(AgentFootprint.read());
            if (ceiling != null) {
                agent.put("old_generation", Map.of("pool", ceiling.pool(), "ceiling_bytes", ceiling.bytes(),
                        "collections_requested", ceiling.collections()));
            }
            agent.put("program_cost", cost.describe());
            agent.put("overhead_budget", overheadBudget.describe());
            return agent;
        }, events, supervisor::changeSettings);
        LOG.log(System.Logger.Level.INFO, "event=listening address={0}", web.address());
        supervisor.startAll();
        cost.start();
        LOG.log(System.Logger.Level.INFO, "event=ready probes_up={0} probes={1}",
                supervisor.up().values().stream().filter(b -> b).count(), names.size());
        return new Agent(registry, supervisor, web, cost, events);
    }

    /** The address the web server listens on. */
    public InetSocketAddress address() {
        return web.address();
    }

    /** The registry behind /metrics. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** The probes and their states. */
    public ProbeSupervisor supervisor() {
        return supervisor;
    }

    /** The bus the probes publish their events on. */
    public EventBus events() {
        return events;
    }

    /**
     * Applies a reloaded configuration's run-time settings (filters, sampling, thresholds) to the running
     * probes without reloading any program; logs and returns what could not be applied, by probe. Other
     * changes (probes enabled, map sizes, the listen address) need a restart.
     */
    public Map<String, String> reload(AgentConfig config) {
        Map<String, String> failed = supervisor.reload(config);
        failed.forEach((probe, reason) -> LOG.log(System.Logger.Level.WARNING,
                "event=reload_failed probe={0} reason=\"{1}\"", probe, reason.replace('"', '\'')));
        LOG.log(System.Logger.Level.INFO, "event=reloaded probes_failed={0}", failed.size());
        return failed;
    }

    /** The sampler of the probes' kernel-program cost. */
    public ProgramCostSampler programCost() {
        return cost;
    }

    /** Stops serving and sampling, then detaches every link and frees every map. */
    @Override
    public void close() {
        web.close();
        cost.close();
        supervisor.close();
        LOG.log(System.Logger.Level.INFO, "event=stopped");
    }
}
