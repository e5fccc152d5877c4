package io.sonde.agent.probe;

import io.sonde.agent.events.Event;

/**
 * OomKillEvent is one process chosen by the OOM killer (BTF tracepoint mark_victim), attributed to
 * the victim's own cgroup.
 *
 * <pre>{@code
 * bus.subscribe("trace", 1024, e -> e instanceof OomKillEvent);
 * }</pre>
 *
 * @param timestampNanos kernel monotonic time of the kill
 * @param cgroupId the victim's cgroup id
 * @param cgroup its cgroup v2 path
 * @param container the container id, or "" on the host
 * @param pid the victim's process id
 * @param ppid its parent's process id
 * @param comm the victim's command name
 */
public record OomKillEvent(long timestampNanos, long cgroupId, String cgroup, String container, int pid, int ppid,
        String comm) implements Event {
    @Override
    public String type() {
        return "oom_kill";
    }
}
