package io.sonde.agent.web;

import com.sun.net.httpserver.HttpExchange;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * ExposedMetrics serves {@code /metrics} (GET and HEAD): it collects the registry and writes the
 * exposition (Prometheus text, or OpenMetrics when the scraper asks for it) into one buffer, then sends
 * it with its length in one write.
 *
 * <p>Collecting and writing run on one platform thread, not on the request's virtual thread: the
 * Prometheus client writes through a {@code BufferedWriter}, which on a virtual thread starts at 512
 * chars and grows by exactly what each write needs up to 8,192 (JDK 25), so the first 8 KiB of every
 * exposition are copied again at every write (each HELP text is written char by char). On a host with
 * about 3,000 series that was some 14 MB of garbage, 4.4 young collections and 6.7 ms per scrape (bench
 * NOTES, section 9). Scrapes therefore run one at a time.
 *
 * <pre>{@code
 * ExposedMetrics metrics = new ExposedMetrics(registry);
 * server.createContext("/metrics", metrics::serve);
 * metrics.close();
 * }</pre>
 */
final class ExposedMetrics implements AutoCloseable {
    private final PrometheusRegistry registry;
    private final ThreadPoolExecutor scraper;
    /** The last body's size: the next buffer starts a little larger and does not grow by doubling. */
    private volatile int lastSize = 64 * 1024;

    ExposedMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        this.scraper = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                Thread.ofPlatform().daemon().name("sonde-scrape").factory());
        scraper.allowCoreThreadTimeOut(true);
    }

    /** Answers one request (GET or HEAD) with the current exposition. */
    void serve(HttpExchange ex) throws IOException {
        String accept = ex.getRequestHeaders().getFirst("Accept");
        ExpositionFormatWriter writer = accept != null && accept.contains("application/openmetrics-text")
                ? OpenMetricsTextFormatWriter.create() : PrometheusTextFormatWriter.create();
        ByteArrayOutputStream body = render(writer, EscapingScheme.fromAcceptHeader(accept));
        ex.getResponseHeaders().set("Content-Type", writer.getContentType());
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(200, head || body.size() == 0 ? -1 : body.size());
        if (!head && body.size() > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                body.writeTo(out);
            }
        }
    }

    /** Collects and writes on the scrape thread; what a collector throws is thrown here. */
    ByteArrayOutputStream render(ExpositionFormatWriter writer, EscapingScheme escaping) throws IOException {
        Future<ByteArrayOutputStream> done = scraper.submit(() -> {
            int size = lastSize;
            ByteArrayOutputStream body = new ByteArrayOutputStream(size + size / 8);
            writer.write(body, registry.scrape(), escaping);
            lastSize = Math.max(1024, body.size());
            return body;
        });
        try {
            return done.get();
        } catch (InterruptedException e) {
            // not cancel(true): an interrupt would close the file channels a collector holds open
            done.cancel(false);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while collecting metrics");
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                default -> throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** Stops the scrape thread. */
    @Override
    public void close() {
        scraper.shutdownNow();
    }
}
