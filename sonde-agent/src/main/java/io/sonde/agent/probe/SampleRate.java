package io.sonde.agent.probe;

import io.sonde.bpf.BpfObject;

import java.util.function.IntConsumer;

/**
 * SampleRate is the sampling rate N of a probe's kernel programs: the global {@code sample_every} that
 * sonde.h's {@code sampled_out()} reads. Setting it first lets the probe fold what was counted under the
 * old N into its estimates, then writes the new N into the running object. The owner locks.
 *
 * <pre>{@code
 * rate.set(object(), 8, oldN -> waits.rebase(map("runq_latency"), oldN, Log2Histogram::sumPerCpu));
 * }</pre>
 */
final class SampleRate {
    private int every = 1;

    /** The current rate: 1 counts every event, N one in N. */
    int get() {
        return every;
    }

    /** Sets the rate on a running object (nothing when it is null or N is unchanged). */
    void set(BpfObject object, int n, IntConsumer rebase) {
        if (n < 1) {
            throw new IllegalArgumentException("sample rate must be at least 1, got " + n);
        }
        if (object == null || n == every) {
            return;
        }
        rebase.accept(every);
        object.setGlobal("sample_every", n);
        every = n;
    }
}
