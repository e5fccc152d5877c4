package io.sonde.agent.events;

import io.sonde.agent.metrics.CounterFamily;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * EventBus hands every decoded event to its subscribers through bounded queues. Publishing never
 * blocks: a subscriber whose queue is full loses the event, and the loss is counted per subscriber
 * ({@code sonde_events_dropped_total{subscriber}}). Every published event is counted per probe and
 * type ({@code sonde_events_total{probe,type}}). An event is enriched ({@link EventEnricher}) once, and
 * only when some subscriber's filter accepts it. Probes publish from their ring-buffer consumer thread.
 *
 * <pre>{@code
 * try (EventBus.Subscription s = bus.subscribe("sse", 4096, e -> e.type().equals("exec"))) {
 *     EnrichedEvent e = s.poll(1, TimeUnit.SECONDS);
 * }
 * bus.publish("process", event);
 * }</pre>
 */
public final class EventBus implements MultiCollector {
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final Map<String, Map<String, LongAdder>> published = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> dropped = new ConcurrentHashMap<>();
    private final EventEnricher enricher;

    /** A bus that adds no executable or pod to its events. */
    public EventBus() {
        this(EventEnricher.NONE);
    }

    /** A bus whose subscribers receive events enriched by this enricher. */
    public EventBus(EventEnricher enricher) {
        this.enricher = enricher;
    }

    /** Counts one event and hands it to every subscriber whose filter accepts it. */
    public void publish(String probe, Event event) {
        Map<String, LongAdder> byType = published.get(probe);
        if (byType == null) {
            byType = published.computeIfAbsent(probe, k -> new ConcurrentHashMap<>());
        }
        LongAdder n = byType.get(event.type());
        if (n == null) {
            n = byType.computeIfAbsent(event.type(), k -> new LongAdder());
        }
        n.increment();
        EnrichedEvent enriched = null;
        for (Subscription s : subscriptions) {
            if (!s.filter.test(event)) {
                continue;
            }
            if (enriched == null) {
                enriched = enricher.enrich(probe, event);
            }
            if (!s.queue.offer(enriched)) {
                s.dropped.increment();
                s.droppedTotal.increment();
            }
        }
    }

    /** Whether anyone is listening (a probe may skip decoding work when no one is). */
    public boolean hasSubscribers() {
        return !subscriptions.isEmpty();
    }

    /** How many subscriptions are open. */
    public int subscriberCount() {
        return subscriptions.size();
    }

    /**
     * Subscribes with a queue of the given capacity; close the subscription to leave. Subscribers of the
     * same name share one {@code sonde_events_dropped_total} series: name them by kind ("sse", "trace").
     */
    public Subscription subscribe(String name, int capacity, Predicate<Event> filter) {
        Subscription s = new Subscription(dropped.computeIfAbsent(name, k -> new LongAdder()), capacity, filter);
        subscriptions.add(s);
        return s;
    }

    /** Events published so far, by probe and type. */
    public Map<List<String>, Long> publishedCounts() {
        Map<List<String>, Long> out = new TreeMap<>(java.util.Comparator.comparing(Object::toString));
        published.forEach((probe, types) -> types.forEach((type, v) -> out.put(List.of(probe, type), v.sum())));
        return out;
    }

    /** Events subscribers lost because their queue was full, by subscriber name. */
    public Map<String, Long> droppedCounts() {
        Map<String, Long> out = new TreeMap<>();
        dropped.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    @Override
    public MetricSnapshots collect() {
        CounterFamily total = new CounterFamily("sonde_events", "Events decoded from the probes' ring buffers and "
                + "published to subscribers, per probe and event type.", null, "probe", "type");
        publishedCounts().forEach((k, v) -> total.add(v, k.get(0), k.get(1)));
        CounterFamily lost = new CounterFamily("sonde_events_dropped", "Events a subscriber lost because its queue "
                + "was full (a slow reader: an SSE client, a trace tool), per subscriber kind.", null, "subscriber");
        droppedCounts().forEach((k, v) -> lost.add(v, k));
        return MetricSnapshots.of(total.snapshot(), lost.snapshot());
    }

    /** One subscriber's queue. */
    public final class Subscription implements AutoCloseable {
        private final BlockingQueue<EnrichedEvent> queue;
        private final Predicate<Event> filter;
        private final LongAdder dropped = new LongAdder();
        private final LongAdder droppedTotal;

        private Subscription(LongAdder droppedTotal, int capacity, Predicate<Event> filter) {
            this.droppedTotal = droppedTotal;
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.filter = filter;
        }

        /** The next event, waiting at most the timeout; null when none came. */
        public EnrichedEvent poll(long timeout, TimeUnit unit) throws InterruptedException {
            return queue.poll(timeout, unit);
        }

        /** Moves every queued event into the list, without waiting; returns how many. */
        public int drainTo(java.util.Collection<? super EnrichedEvent> into) {
            return queue.drainTo(into);
        }

        /** Events this subscriber lost to a full queue. */
        public long dropped() {
            return dropped.sum();
        }

        /** Whether this subscription is still attached to the bus. */
        public boolean open() {
            return subscriptions.contains(this);
        }

        @Override
        public void close() {
            subscriptions.remove(this);
        }
    }
}
