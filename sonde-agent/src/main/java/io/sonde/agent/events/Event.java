package io.sonde.agent.events;

/**
 * Event is one thing the kernel saw that must be seen one by one (an exec, a failed connect, a
 * dropped packet), decoded from a probe's ring buffer and attributed. Each probe defines its events
 * as immutable records implementing this interface; the pipeline filters on these common fields and
 * serialises the rest of the record's components as JSON ({@link EventJson}).
 *
 * <pre>{@code
 * record ExecEvent(long timestampNanos, int pid, String comm, String cgroup, String container, String filename)
 *         implements Event {
 *     public String type() { return "exec"; }
 * }
 * }</pre>
 */
public interface Event {
    /** The event type, lower case ("exec", "tcp_connect", "drop"...). */
    String type();

    /** Kernel monotonic time of the event, in nanoseconds (bpf_ktime_get_ns). */
    long timestampNanos();

    /** The process the event belongs to (thread group id), or 0 when the kernel did it on no one's behalf. */
    int pid();

    /** The command name of that process, or "". */
    String comm();

    /** The cgroup v2 path the event is attributed to. */
    String cgroup();

    /** The container id of that cgroup, or "" on the host. */
    String container();

    /**
     * How long the thing the event reports took, in nanoseconds, or -1 when it has no duration. A record
     * with a {@code long latencyNanos} component implements this by its accessor; {@code --min-latency}
     * and the {@code min_latency} filter compare against it.
     */
    default long latencyNanos() {
        return -1;
    }
}
