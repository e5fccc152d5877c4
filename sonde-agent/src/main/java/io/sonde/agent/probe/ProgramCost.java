package io.sonde.agent.probe;

/**
 * ProgramCost is what one kernel program did inside one statistics window: the growth of the
 * kernel's run count and run time ({@code bpf_prog_info.run_cnt}, {@code run_time_ns}) between a read
 * at the window's start and one at its end, and the arithmetic that turns it into estimates.
 *
 * <p>One window stands for one whole sampling period: its counts are multiplied by
 * {@code period / window}, where the window is the time measured between the two reads.
 *
 * <pre>{@code
 * ProgramCost c = ProgramCost.between("syscalls", "sys_exit_count", 100, 2_000_000, 1100, 5_000_000);
 * double runs = c.scaledRuns(2_000_000_000L, 60_000_000_000L);   // 1000 runs * 30 = 30000
 * double ratio = ProgramCost.cpuRatio(c.runNs(), 2_000_000_000L, 2); // 3 ms / (2 s * 2 CPUs)
 * }</pre>
 *
 * @param probe the probe the program belongs to
 * @param program the program's name
 * @param runs runs counted in the window
 * @param runNs nanoseconds spent in those runs
 */
public record ProgramCost(String probe, String program, long runs, long runNs) {
    public ProgramCost {
        if (runs < 0 || runNs < 0) {
            throw new IllegalArgumentException("negative counts: runs " + runs + ", ns " + runNs);
        }
    }

    /** The cost between two reads of a program's counters (0 if a counter went backwards). */
    public static ProgramCost between(String probe, String program, long runsBefore, long nsBefore, long runsAfter,
            long nsAfter) {
        return new ProgramCost(probe, program, Math.max(0, runsAfter - runsBefore), Math.max(0, nsAfter - nsBefore));
    }

    /** The runs this window stands for over a whole period: {@code runs * period / window}. */
    public double scaledRuns(long windowNanos, long periodNanos) {
        return runs * scale(windowNanos, periodNanos);
    }

    /** The run time in seconds this window stands for over a whole period: {@code runNs * period / window / 1e9}. */
    public double scaledSeconds(long windowNanos, long periodNanos) {
        return runNs * scale(windowNanos, periodNanos) / 1e9;
    }

    /** The factor from one window to one period. */
    static double scale(long windowNanos, long periodNanos) {
        if (windowNanos <= 0 || periodNanos <= 0) {
            throw new IllegalArgumentException("window and period must be positive");
        }
        return (double) periodNanos / windowNanos;
    }

    /**
     * The fraction of the whole machine's CPU that run time in a window took:
     * {@code runNs / (windowNanos * onlineCpus)}, 0 when nothing was measured.
     */
    public static double cpuRatio(long runNs, long windowNanos, int onlineCpus) {
        if (windowNanos <= 0 || onlineCpus <= 0) {
            return 0;
        }
        return (double) runNs / ((double) windowNanos * onlineCpus);
    }
}
