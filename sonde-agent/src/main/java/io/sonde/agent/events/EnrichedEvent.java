package io.sonde.agent.events;

/**
 * EnrichedEvent is what a subscriber receives: the probe's decoded event with what user space adds to
 * it, the executable of the process and the Kubernetes pod of its cgroup.
 *
 * <pre>{@code
 * EnrichedEvent e = subscription.poll(1, TimeUnit.SECONDS);
 * if (e != null) System.out.println(e.probe() + " " + e.event().type() + " " + e.executable());
 * }</pre>
 *
 * @param probe the probe that published it
 * @param event the decoded event
 * @param executable the process's executable (/proc/PID/exe), or "" when unknown (a kernel thread, a
 *     process already gone)
 * @param pod the pod uid when the cgroup is a Kubernetes pod's container, else ""
 */
public record EnrichedEvent(String probe, Event event, String executable, String pod) {}
