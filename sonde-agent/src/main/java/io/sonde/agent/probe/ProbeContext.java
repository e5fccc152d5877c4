package io.sonde.agent.probe;

import io.sonde.agent.config.AgentConfig;
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
 */
public record ProbeContext(AgentConfig config, Attribution attribution, SeriesBudget budget, SelfMetrics self) {}
