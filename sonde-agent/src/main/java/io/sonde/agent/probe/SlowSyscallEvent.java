package io.sonde.agent.probe;

import io.sonde.agent.events.Event;

/**
 * SlowSyscallEvent is one system call that took longer than the syscalls probe's threshold
 * ({@code probes.syscalls.slow_threshold_us}), published while {@code slow_events} is on. Layout:
 * syscalls.h {@code struct syscall_event}.
 *
 * <pre>{@code
 * bus.subscribe("trace", 4096, e -> e instanceof SlowSyscallEvent s && s.syscall().equals("fsync"));
 * }</pre>
 *
 * @param timestampNanos kernel monotonic time of the syscall's return
 * @param cgroupId the cgroup id of the caller
 * @param cgroup its cgroup v2 path
 * @param container the container id, or "" on the host
 * @param pid the process id
 * @param tid the thread id
 * @param comm the command name
 * @param syscall the syscall's name (its number when this architecture's table does not know it)
 * @param nr the syscall number
 * @param ret the return value
 * @param error the errno name when it failed, else ""
 * @param latencyNanos the time from entry to exit
 */
public record SlowSyscallEvent(long timestampNanos, long cgroupId, String cgroup, String container, int pid, int tid,
        String comm, String syscall, int nr, long ret, String error, long latencyNanos) implements Event {
    @Override
    public String type() {
        return "syscall";
    }
}
