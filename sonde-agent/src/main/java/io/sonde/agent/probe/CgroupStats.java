package io.sonde.agent.probe;

import java.util.List;

/**
 * CgroupStats is one cgroup's figures at one moment, in base units (seconds, bytes), as the cgroups
 * probe serves them. NaN marks a figure no file gave (a controller that is not enabled, a kernel
 * without PSI); {@link #memoryLimit} is +Inf when the cgroup has no limit of its own.
 *
 * @param cpuUsage CPU time used, seconds
 * @param cpuUser CPU time in user mode, seconds
 * @param cpuSystem CPU time in kernel mode, seconds
 * @param periods CFS bandwidth periods that elapsed while a quota was set
 * @param throttledPeriods periods in which the cgroup was throttled
 * @param throttledSeconds time the cgroup's tasks were throttled, seconds
 * @param memoryUsage memory in use, bytes
 * @param workingSet memory in use less inactive file pages, bytes (cAdvisor's working set)
 * @param memoryLimit the memory limit, bytes; +Inf for none
 * @param anon anonymous memory, bytes
 * @param file page cache, bytes
 * @param io I/O per device (major:minor)
 * @param stalls pressure stall times
 */
record CgroupStats(double cpuUsage, double cpuUser, double cpuSystem, double periods, double throttledPeriods,
        double throttledSeconds, double memoryUsage, double workingSet, double memoryLimit, double anon, double file,
        List<CgroupFiles.DeviceIo> io, List<Stall> stalls) {

    /**
     * The time some or all of a cgroup's tasks stalled for want of a resource.
     *
     * @param resource cpu, memory or io
     * @param kind some (at least one task stalled) or full (all non-idle tasks stalled at once)
     * @param seconds total stall time
     */
    record Stall(String resource, String kind, double seconds) {}
}
