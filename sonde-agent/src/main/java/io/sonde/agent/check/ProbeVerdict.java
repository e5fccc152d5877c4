package io.sonde.agent.check;

/**
 * ProbeVerdict says whether one of Sonde's built-in probes can run on this host, and through which
 * hook, or what it lacks.
 *
 * <pre>{@code
 * new ProbeVerdict("sched", true, "tp_btf");
 * new ProbeVerdict("netdev", false, "needs cgroup_skb");
 * }</pre>
 *
 * @param probe the probe's name, as in the agent's configuration
 * @param canRun whether everything it needs is there
 * @param detail the hook it would use, or what is missing
 */
public record ProbeVerdict(String probe, boolean canRun, String detail) {}
