package io.sonde.agent.web;

import io.sonde.agent.config.ConfigValueException;
import io.sonde.agent.events.EnrichedEvent;
import io.sonde.agent.events.EventBus;
import io.sonde.agent.events.EventFilter;
import io.sonde.agent.events.EventJson;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * EventStream serves {@code GET /api/events} as Server-Sent Events: one {@code event: <type>} message
 * per event whose {@code data} is the event's JSON ({@link EventJson}), filtered by the query
 * parameters of {@link EventFilter#fromQuery}. The stream opens with a {@code : subscribed} comment;
 * when the client's queue overflowed, a {@code event: dropped} message carries the count lost so far;
 * an idle stream gets a comment every two seconds, which is also how a client that left is noticed
 * (the write fails) and its subscription freed.
 *
 * <pre>{@code
 * curl -N 'http://127.0.0.1:9949/api/events?type=exec&container=4f1c2a'
 * }</pre>
 */
final class EventStream {
    private EventStream() {}

    /** Each client's queue: enough for a burst of a second at a rate a terminal can show. */
    static final int QUEUE = 8192;
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(2);

    static void serve(HttpExchange ex, EventBus bus) throws IOException {
        EventFilter filter;
        try {
            filter = EventFilter.fromQuery(query(ex.getRequestURI().getRawQuery()));
        } catch (ConfigValueException e) {
            WebServer.json(ex, 400, Map.of("error", e.key() + ": " + e.getMessage(), "field", e.key()));
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        if (ex.getRequestMethod().equals("HEAD")) {
            return;
        }
        OutputStream out = ex.getResponseBody();
        List<EnrichedEvent> batch = new ArrayList<>();
        try (EventBus.Subscription s = bus.subscribe("sse", QUEUE, filter)) {
            write(out, ": subscribed\n\n");
            long lastWrite = System.nanoTime();
            long reportedDropped = 0;
            while (true) {
                EnrichedEvent first = s.poll(500, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    s.drainTo(batch);
                    StringBuilder b = new StringBuilder(batch.size() * 300);
                    for (EnrichedEvent e : batch) {
                        b.append("event: ").append(e.event().type()).append("\ndata: ").append(EventJson.line(e))
                                .append("\n\n");
                    }
                    batch.clear();
                    write(out, b.toString());
                    lastWrite = System.nanoTime();
                }
                long dropped = s.dropped();
                if (dropped != reportedDropped) {
                    reportedDropped = dropped;
                    write(out, "event: dropped\ndata: {\"dropped\":" + dropped + "}\n\n");
                    lastWrite = System.nanoTime();
                }
                if (System.nanoTime() - lastWrite > IDLE_NANOS) {
                    write(out, ":\n\n");
                    lastWrite = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the server is stopping
        } catch (IOException e) {
            // the client left: closing the subscription above freed its queue
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The query parameters, decoded, each with its values in order. */
    static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }
}
