package io.sonde.agent.probe;

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.events.EventBus;
import io.sonde.agent.metrics.SeriesBudget;
import io.sonde.agent.metrics.SelfMetrics;

/**
 * ProbeContext is what the agent hands every probe when it starts: the configuration, attribution,
 * the series budget and the agent's own counters.
 *
 * @param config the agent configuration
 * @param attribution cgroup and container identities
 * @param budget the cardinality budget shared by every metric
 * @param self the agent's self metrics (lost events, map errors)
 * @param events where probes publish the records of their ring buffers
 */
public record ProbeContext(AgentConfig config, Attribution attribution, SeriesBudget budget, SelfMetrics self,
        EventBus events) {
    /** A context with an event bus of its own (tests, tools that need no subscribers). */
    public ProbeContext(AgentConfig config, Attribution attribution, SeriesBudget budget, SelfMetrics self) {
        this(config, attribution, budget, self, new EventBus());
    }
}
