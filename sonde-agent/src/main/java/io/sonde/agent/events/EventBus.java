package io.sonde.agent.events;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * EventBus hands every decoded event to its subscribers through bounded queues. Publishing never
 * blocks: a subscriber whose queue is full loses the event, and the loss is counted per subscriber.
 * Probes publish from their ring-buffer consumer thread.
 *
 * <pre>{@code
 * try (EventBus.Subscription s = bus.subscribe("sse-1", 4096, e -> e.type().equals("exec"))) {
 *     Event e = s.poll(1, TimeUnit.SECONDS);
 * }
 * bus.publish("process", event);
 * }</pre>
 */
public final class EventBus {
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final Map<List<String>, LongAdder> published = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> dropped = new ConcurrentHashMap<>();

    /** Hands one event to every subscriber whose filter accepts it. */
    public void publish(String probe, Event event) {
        published.computeIfAbsent(List.of(probe, event.type()), k -> new LongAdder()).increment();
        for (Subscription s : subscriptions) {
            if (s.filter.test(event) && !s.queue.offer(event)) {
                s.dropped.increment();
                dropped.computeIfAbsent(s.name, k -> new LongAdder()).increment();
            }
        }
    }

    /** Whether anyone is listening (a probe may skip decoding work when no one is). */
    public boolean hasSubscribers() {
        return !subscriptions.isEmpty();
    }

    /** Subscribes with a queue of the given capacity; close the subscription to leave. */
    public Subscription subscribe(String name, int capacity, Predicate<Event> filter) {
        Subscription s = new Subscription(name, capacity, filter);
        subscriptions.add(s);
        return s;
    }

    /** Events published so far, by probe and type. */
    public Map<List<String>, Long> publishedCounts() {
        Map<List<String>, Long> out = new java.util.TreeMap<>(java.util.Comparator.comparing(Object::toString));
        published.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Events subscribers lost because their queue was full, by subscriber name. */
    public Map<String, Long> droppedCounts() {
        Map<String, Long> out = new java.util.TreeMap<>();
        dropped.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** One subscriber's queue. */
    public final class Subscription implements AutoCloseable {
        private final String name;
        private final BlockingQueue<Event> queue;
        private final Predicate<Event> filter;
        private final LongAdder dropped = new LongAdder();

        private Subscription(String name, int capacity, Predicate<Event> filter) {
            this.name = name;
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.filter = filter;
        }

        /** The next event, waiting at most the timeout; null when none came. */
        public Event poll(long timeout, TimeUnit unit) throws InterruptedException {
            return queue.poll(timeout, unit);
        }

        /** Events this subscriber lost to a full queue. */
        public long dropped() {
            return dropped.sum();
        }

        @Override
        public void close() {
            subscriptions.remove(this);
        }
    }
}
