package io.sonde.agent.enrich;

import java.util.Objects;

/**
 * ProcessInfo is what {@code /proc} says about one process: its command name and executable.
 *
 * <pre>{@code
 * ProcessInfo p = processes.lookup(pid).orElse(null);
 * String comm = p != null ? p.comm() : eventComm;
 * }</pre>
 *
 * @param pid the process id (the thread group id, {@code bpf_get_current_pid_tgid() >> 32})
 * @param comm the command name of {@code /proc/<pid>/comm}, at most 15 bytes, set by exec or prctl
 * @param executable the target of {@code /proc/<pid>/exe} (with the kernel's {@code " (deleted)"} suffix when the
 *     file was removed), or {@code ""} for a kernel thread or when it cannot be read
 */
public record ProcessInfo(int pid, String comm, String executable) {
    /** Checks that no component is null. */
    public ProcessInfo {
        Objects.requireNonNull(comm, "comm");
        Objects.requireNonNull(executable, "executable");
    }

    /** Whether this is a kernel thread or a process whose executable could not be read. */
    public boolean hasNoExecutable() {
        return executable.isEmpty();
    }
}
