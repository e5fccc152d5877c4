package io.sonde.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The arithmetic from one statistics window to period estimates and a CPU ratio. */
class ProgramCostTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void deltasBetweenReads() {
        ProgramCost c = ProgramCost.between("syscalls", "sys_exit_count", 100, 2_000_000, 1100, 5_000_000);
        assertEquals(1000, c.runs());
        assertEquals(3_000_000, c.runNs());
        assertEquals(0, ProgramCost.between("p", "q", 10, 10, 5, 5).runs(), "a counter going back adds nothing");
    }

    @Test
    void aWindowStandsForItsPeriod() {
        ProgramCost c = new ProgramCost("syscalls", "sys_exit_count", 1000, 3_000_000);
        // 2 s window, 60 s period: every count times 30
        assertEquals(30_000, c.scaledRuns(2 * SECOND, 60 * SECOND), 1e-9);
        assertEquals(0.09, c.scaledSeconds(2 * SECOND, 60 * SECOND), 1e-12);
        // the measured window (a little longer than asked) is what scales
        assertEquals(1000 * 60.0 / 2.5, c.scaledRuns(2_500_000_000L, 60 * SECOND), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> c.scaledRuns(0, 60 * SECOND));
    }

    @Test
    void cpuRatioIsOverAllOnlineCpus() {
        // 3 ms of run time in a 2 s window on 2 CPUs: 3e6 / (2e9 * 2)
        assertEquals(0.00075, ProgramCost.cpuRatio(3_000_000, 2 * SECOND, 2), 1e-15);
        assertEquals(1.0, ProgramCost.cpuRatio(4 * SECOND, 2 * SECOND, 2), 1e-15);
        assertEquals(0, ProgramCost.cpuRatio(5, 0, 2));
    }
}
