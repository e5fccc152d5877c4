package io.sonde.agent.probe;

import io.sonde.bpf.ringbuf.RingRecord;

/**
 * ProcessEvent is one exec, exit or OOM-kill record from the process probe's ring buffer, decoded
 * and attributed. Layout: process.h {@code struct process_event}.
 *
 * <pre>{@code
 * for (ProcessEvent e : processProbe.recentEvents()) {
 *     if (e.type() == ProcessEvent.Type.OOM_KILL) { ... }
 * }
 * }</pre>
 *
 * @param type what happened
 * @param timestampNanos kernel monotonic time of the event
 * @param cgroupId the cgroup the event is attributed to
 * @param cgroup its cgroup v2 path
 * @param container the container id, or "" on the host
 * @param pid the process id
 * @param ppid the parent's process id
 * @param comm the command name
 * @param filename exec: the file executed; otherwise ""
 * @param exitCode exit: status &lt;&lt; 8 | signal, as wait(2) reports it; otherwise 0
 */
public record ProcessEvent(Type type, long timestampNanos, long cgroupId, String cgroup, String container, int pid,
        int ppid, String comm, String filename, int exitCode) {

    /** The kinds of process event. */
    public enum Type { EXEC, EXIT, OOM_KILL, UNKNOWN }

    static final int SIZE = 176;

    /** Decodes a ring-buffer record; attribution fills cgroup and container. */
    static ProcessEvent decode(RingRecord r, Attribution attribution) {
        if (r.length() < SIZE) {
            throw new IllegalArgumentException("process record of " + r.length() + " bytes, expected " + SIZE);
        }
        Type type = switch (r.getInt(16)) {
            case 1 -> Type.EXEC;
            case 2 -> Type.EXIT;
            case 3 -> Type.OOM_KILL;
            default -> Type.UNKNOWN;
        };
        long cgroupId = r.getLong(8);
        String cgroup = attribution.cgroupPath(cgroupId);
        return new ProcessEvent(type, r.getLong(0), cgroupId, cgroup, attribution.container(cgroup), r.getInt(20),
                r.getInt(24), r.getString(32, 16), r.getString(48, 128), r.getInt(28));
    }

    /** The signal that killed the process (exit events), or 0. */
    public int signal() {
        return exitCode & 0x7f;
    }

    /** The exit status (exit events without a signal). */
    public int status() {
        return (exitCode >> 8) & 0xff;
    }
}
