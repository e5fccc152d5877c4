package io.sonde.bpf;

/**
 * PerfEvent describes a sampling perf event for {@link Program#attachPerfEvent}: which counter, and
 * how often it samples, as a frequency (samples per second per CPU) or a period (events per sample).
 *
 * <pre>{@code
 * Link sampling = program.attachPerfEvent(PerfEvent.cpuClock().frequency(99));
 * }</pre>
 *
 * @param type the perf type (0 hardware, 1 software)
 * @param config the counter within the type
 * @param frequency samples per second, or 0 when {@code period} is used
 * @param period events per sample, or 0 when {@code frequency} is used
 */
public record PerfEvent(int type, long config, long frequency, long period) {
    public static final int TYPE_HARDWARE = 0;
    public static final int TYPE_SOFTWARE = 1;
    public static final long SW_CPU_CLOCK = 0;
    public static final long HW_CPU_CYCLES = 0;

    public PerfEvent {
        if ((frequency > 0) == (period > 0)) {
            throw new IllegalArgumentException("a perf event needs exactly one of frequency and period");
        }
    }

    /** The software CPU clock (works in virtual machines without a PMU), at 99 Hz until changed. */
    public static PerfEvent cpuClock() {
        return new PerfEvent(TYPE_SOFTWARE, SW_CPU_CLOCK, 99, 0);
    }

    /** The hardware cycle counter, where the machine exposes one, at 99 Hz until changed. */
    public static PerfEvent cpuCycles() {
        return new PerfEvent(TYPE_HARDWARE, HW_CPU_CYCLES, 99, 0);
    }

    /** The same event sampled at a frequency (per second, per CPU). */
    public PerfEvent frequency(long hz) {
        return new PerfEvent(type, config, hz, 0);
    }

    /** The same event sampled every {@code events} occurrences. */
    public PerfEvent period(long events) {
        return new PerfEvent(type, config, 0, events);
    }
}
