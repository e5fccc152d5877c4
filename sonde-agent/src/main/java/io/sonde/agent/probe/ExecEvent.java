package io.sonde.agent.probe;

import io.sonde.agent.events.Event;

/**
 * ExecEvent is one program executed (tracepoint sched_process_exec), from the process probe's ring
 * buffer. Layout: process.h {@code struct process_event}.
 *
 * <pre>{@code
 * if (enriched.event() instanceof ExecEvent x) System.out.println(x.pid() + " " + x.filename());
 * }</pre>
 *
 * @param timestampNanos kernel monotonic time of the exec
 * @param cgroupId the cgroup id of the process
 * @param cgroup its cgroup v2 path
 * @param container the container id, or "" on the host
 * @param pid the process id
 * @param ppid the parent's process id
 * @param comm the command name after the exec
 * @param filename the file executed, as the caller named it
 */
public record ExecEvent(long timestampNanos, long cgroupId, String cgroup, String container, int pid, int ppid,
        String comm, String filename) implements Event {
    @Override
    public String type() {
        return "exec";
    }
}
