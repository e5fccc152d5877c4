package io.sonde.agent.probe;

/**
 * SampledProbe is a probe whose kernel programs can count one event in N, decided per event in the
 * kernel, with the rate written at run time; its metrics scale counts back up by N. The budget
 * controller raises N when the probes cost more than the overhead budget and lowers it when the load
 * falls.
 *
 * <pre>{@code
 * if (probe instanceof SampledProbe s) {
 *     s.sampleEvery(s.sampleEvery() * 2);
 * }
 * }</pre>
 */
public interface SampledProbe extends Probe {
    /** The current rate: 1 counts every event, N counts one in N. */
    int sampleEvery();

    /** Sets the rate (at least 1); counts reported so far stay as they are. */
    void sampleEvery(int n);

    /** Whether sampling lowers this probe's cost now (false while what it samples is switched off). */
    default boolean samplingHelps() {
        return true;
    }
}
