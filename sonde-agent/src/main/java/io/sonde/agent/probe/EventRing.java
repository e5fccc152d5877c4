package io.sonde.agent.probe;

import io.sonde.agent.events.Event;
import io.sonde.agent.events.EventBus;
import io.sonde.bpf.BpfMap;
import io.sonde.bpf.ringbuf.RingBuffer;
import io.sonde.bpf.ringbuf.RingRecord;

import java.time.Duration;

/**
 * EventRing is the pipeline's first stage for one probe: a thread that polls the probe's ring buffer,
 * decodes each record into an immutable {@link Event} and publishes it on the bus. A record that does
 * not decode is logged (the first time) and counted as lost rather than stopping the stream.
 *
 * <pre>{@code
 * events = EventRing.start("process", object.map("process_events"), context.events(), this::decode);
 * ...
 * events.close(); // in stopping()
 * }</pre>
 */
public final class EventRing implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.sonde.agent.probe");

    /** Turns one ring-buffer record into an event; throws IllegalArgumentException for a malformed one. */
    @FunctionalInterface
    public interface Decoder {
        Event decode(RingRecord record);
    }

    private final String probe;
    private final RingBuffer ring;
    private final EventBus bus;
    private final Decoder decoder;
    private final Thread thread;
    private final Duration poll;
    private volatile long malformed;

    private EventRing(String probe, BpfMap map, EventBus bus, Decoder decoder, Duration poll) {
        this.probe = probe;
        this.poll = poll;
        this.ring = new RingBuffer(map);
        this.bus = bus;
        this.decoder = decoder;
        this.thread = Thread.ofPlatform().daemon().name("sonde-" + probe + "-events").unstarted(this::run);
    }

    /** Starts consuming the ring map of a running probe, waking at least every 500 ms. */
    public static EventRing start(String probe, BpfMap map, EventBus bus, Decoder decoder) {
        return start(probe, map, bus, decoder, Duration.ofMillis(500));
    }

    /**
     * Starts consuming, waking at least every {@code poll}: the longest a record waits when the kernel side
     * wakes the reader only past a fill level.
     */
    public static EventRing start(String probe, BpfMap map, EventBus bus, Decoder decoder, Duration poll) {
        EventRing r = new EventRing(probe, map, bus, decoder, poll);
        r.thread.start();
        return r;
    }

    private void run() {
        while (true) {
            int n = ring.poll(poll, rec -> {
                Event e;
                try {
                    e = decoder.decode(rec);
                } catch (RuntimeException ex) {
                    if (malformed++ == 0) {
                        LOG.log(System.Logger.Level.WARNING, "event=bad_record probe={0} error=\"{1}\"", probe,
                                ex.getMessage());
                    }
                    return;
                }
                bus.publish(probe, e);
            });
            if (n < 0) {
                return;
            }
        }
    }

    /** Records that could not be decoded, so far. */
    public long malformed() {
        return malformed;
    }

    /** Stops the thread and releases the ring's mappings; idempotent. */
    @Override
    public void close() {
        ring.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
