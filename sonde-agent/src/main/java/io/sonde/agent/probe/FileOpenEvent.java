package io.sonde.agent.probe;

import io.sonde.agent.events.Event;

/**
 * FileOpenEvent is one file open (open, creat, openat, openat2) with its result, from the files
 * probe's ring buffer: published only while {@code probes.files.events} is on, and only for opens its
 * filter and sampling pass. Layout: files.h {@code struct open_event}.
 *
 * <pre>{@code
 * if (enriched.event() instanceof FileOpenEvent o && o.fd() < 0) System.out.println(o.path() + " " + o.error());
 * }</pre>
 *
 * @param timestampNanos kernel monotonic time of the syscall's return
 * @param cgroupId the cgroup id of the caller
 * @param cgroup its cgroup v2 path
 * @param container the container id, or "" on the host
 * @param pid the process id
 * @param tid the thread id
 * @param comm the command name
 * @param fd the file descriptor returned, or -1 when the open failed
 * @param error the errno name when it failed (ENOENT...), else ""
 * @param flags the open flags (O_RDONLY, O_CREAT... as numbers; 0 for openat2)
 * @param path the path as the caller wrote it (up to 255 bytes)
 */
public record FileOpenEvent(long timestampNanos, long cgroupId, String cgroup, String container, int pid, int tid,
        String comm, int fd, String error, int flags, String path) implements Event {
    @Override
    public String type() {
        return "open";
    }
}
