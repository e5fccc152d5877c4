package io.sonde.agent.probe;

import java.util.Arrays;

/**
 * TargetStats keeps what the active prober learned about one target: every finished probe goes into a
 * cumulative RTT histogram and into a sliding window of the last {@code window} finished probes, over
 * which loss (lost / finished) and jitter (the population standard deviation of the answered probes'
 * RTTs) are figured when read. {@code up} follows the most recently sent probe that has finished, so
 * an older probe timing out after a newer one was answered does not turn the target down.
 * Recording and reading may happen on different threads.
 *
 * <pre>{@code
 * TargetStats s = new TargetStats(100);
 * s.record(0, 250_000);            // probe 0 answered after 250 µs
 * s.record(1, TargetStats.LOST);
 * TargetStats.Snapshot now = s.snapshot();
 * now.lossRatio();                 // 0.5
 * }</pre>
 */
final class TargetStats {
    /** The RTT value of a probe that got no answer. */
    static final long LOST = -1;

    /** Upper bounds of the RTT buckets in seconds: 100 µs (a LAN) to 10 s, then +Inf. */
    static final double[] BOUNDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
        1, 2.5, 5, 10, Double.POSITIVE_INFINITY};

    private final long[] window;
    private int size;
    private int next;
    private final long[] buckets = new long[BOUNDS.length];
    private double rttSeconds;
    private long finished;
    private long lastSeq = -1;
    private boolean up;

    TargetStats(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, got " + window);
        }
        this.window = new long[window];
    }

    /** Records the outcome of probe {@code seq}: its RTT in nanoseconds, or {@link #LOST}. */
    synchronized void record(long seq, long rttNanos) {
        finished++;
        window[next] = rttNanos;
        next = (next + 1) % window.length;
        size = Math.min(size + 1, window.length);
        if (rttNanos != LOST) {
            double seconds = rttNanos / 1e9;
            int i = 0;
            while (seconds > BOUNDS[i]) {
                i++;
            }
            buckets[i]++;
            rttSeconds += seconds;
        }
        if (seq > lastSeq) {
            lastSeq = seq;
            up = rttNanos != LOST;
        }
    }

    /** The figures now. */
    synchronized Snapshot snapshot() {
        long lost = 0;
        long answered = 0;
        double sum = 0;
        for (int i = 0; i < size; i++) {
            if (window[i] == LOST) {
                lost++;
            } else {
                answered++;
                sum += window[i] / 1e9;
            }
        }
        double jitter = Double.NaN;
        if (answered > 0) {
            double mean = sum / answered;
            double squares = 0;
            for (int i = 0; i < size; i++) {
                if (window[i] != LOST) {
                    double d = window[i] / 1e9 - mean;
                    squares += d * d;
                }
            }
            jitter = Math.sqrt(squares / answered);
        }
        return new Snapshot(finished, buckets.clone(), rttSeconds, size == 0 ? Double.NaN : (double) lost / size,
                jitter, size, lastSeq < 0 ? null : up);
    }

    /**
     * The figures of one moment.
     *
     * @param finished probes finished since the start (answered or lost)
     * @param buckets answered probes per RTT bucket of {@link #BOUNDS} (not cumulative)
     * @param rttSeconds the sum of the answered probes' RTTs
     * @param lossRatio lost / finished over the window; NaN before the first probe finishes
     * @param jitter the standard deviation of the RTTs answered in the window; NaN when none was
     * @param windowSize the finished probes the window holds
     * @param up whether the most recently sent finished probe was answered; null before any finished
     */
    record Snapshot(long finished, long[] buckets, double rttSeconds, double lossRatio, double jitter, int windowSize,
            Boolean up) {
        /** The answered probes since the start. */
        long answered() {
            return Arrays.stream(buckets).sum();
        }
    }
}
