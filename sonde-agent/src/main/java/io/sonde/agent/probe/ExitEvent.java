package io.sonde.agent.probe;

import io.sonde.agent.events.Event;

/**
 * ExitEvent is one process that exited (its last thread; BTF tracepoint sched_process_exit), from the
 * process probe's ring buffer.
 *
 * <pre>{@code
 * if (enriched.event() instanceof ExitEvent x && x.signal() != 0) System.out.println("killed by " + x.signal());
 * }</pre>
 *
 * @param timestampNanos kernel monotonic time of the exit
 * @param cgroupId the cgroup id of the process
 * @param cgroup its cgroup v2 path
 * @param container the container id, or "" on the host
 * @param pid the process id
 * @param ppid the parent's process id
 * @param comm the command name
 * @param status the exit status (0 when killed by a signal)
 * @param signal the signal that killed it, or 0
 */
public record ExitEvent(long timestampNanos, long cgroupId, String cgroup, String container, int pid, int ppid,
        String comm, int status, int signal) implements Event {
    @Override
    public String type() {
        return "exit";
    }
}
