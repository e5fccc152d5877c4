package io.sonde.agent.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** /metrics without the kernel: fresh values at every scrape, bodies of any size, HEAD, the scrape thread. */
class ExposedMetricsTest {
    private final HttpClient http = HttpClient.newHttpClient();

    /** A counter family of {@code series.get()} series, each of value {@code value.get()}. */
    private static MultiCollector growing(AtomicInteger series, AtomicInteger value, AtomicBoolean onVirtual) {
        return () -> {
            onVirtual.set(onVirtual.get() || Thread.currentThread().isVirtual());
            int n = value.get();
            CounterSnapshot.Builder b = CounterSnapshot.builder().name("test_requests").help("Requests.");
            for (int i = 0; i < series.get(); i++) {
                b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(n)
                        .labels(Labels.of("path", "/some/longer/path/" + i)).build());
            }
            return MetricSnapshots.of(b.build());
        };
    }

    private HttpResponse<String> get(WebServer web, String method) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.address().getPort()
                + "/metrics")).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String direct(PrometheusRegistry registry) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape(), EscapingScheme.fromAcceptHeader(null));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyScrapeCollectsAgainAndBodiesOfAnySizeArriveWhole() throws Exception {
        AtomicInteger series = new AtomicInteger(1);
        AtomicInteger value = new AtomicInteger();
        AtomicBoolean onVirtual = new AtomicBoolean();
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(growing(series, value, onVirtual));
        try (WebServer web = WebServer.start(new InetSocketAddress("127.0.0.1", 0), registry, () -> true,
                List::of)) {
            // small, then far larger than the buffer the last body sized, then small again
            for (int n : new int[] {1, 1, 20_000, 3, 50_000, 0}) {
                series.set(n);
                value.incrementAndGet();
                HttpResponse<String> r = get(web, "GET");
                assertEquals(200, r.statusCode());
                assertEquals(direct(registry), r.body(), n + " series: the body is this scrape's exposition, whole");
                assertEquals(n, r.body().lines().filter(l -> l.startsWith("test_requests_total{")).count());
            }
            assertFalse(onVirtual.get(), "collectors run on the platform scrape thread, not on a virtual thread");
        }
    }

    @Test
    void headSendsTheHeadersWithoutABody() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(growing(new AtomicInteger(5), new AtomicInteger(1), new AtomicBoolean()));
        try (WebServer web = WebServer.start(new InetSocketAddress("127.0.0.1", 0), registry, () -> true,
                List::of)) {
            HttpResponse<String> r = get(web, "HEAD");
            assertEquals(200, r.statusCode());
            assertEquals("", r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        }
    }
}
