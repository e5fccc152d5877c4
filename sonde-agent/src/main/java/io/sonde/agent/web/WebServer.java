package io.sonde.agent.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import io.sonde.agent.config.ConfigValueException;
import io.sonde.agent.events.EventBus;

import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * WebServer serves the agent's HTTP interface on the JDK's built-in server: {@code /metrics}
 * (Prometheus text, or OpenMetrics when the scraper asks for it), {@code /-/healthy},
 * {@code /-/ready}, {@code /api/probes}, {@code PUT /api/probes/{probe}/settings} (run-time settings)
 * and {@code /api/events} (Server-Sent Events). Each request runs on a virtual thread, so an SSE
 * client holds one virtual thread and one bounded queue on the event bus, both freed when it leaves;
 * {@code /metrics} hands the collecting and writing to one platform thread ({@link ExposedMetrics}).
 *
 * <pre>{@code
 * WebServer web = WebServer.start(new InetSocketAddress("127.0.0.1", 9949), registry, supervisor::ready,
 *         supervisor::describe);
 * web.close();
 * }</pre>
 */
public final class WebServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.sonde.agent.web");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final HttpServer server;
    private final ExecutorService executor;
    private final ExposedMetrics metrics;

    private WebServer(HttpServer server, ExecutorService executor, ExposedMetrics metrics) {
        this.server = server;
        this.executor = executor;
        this.metrics = metrics;
    }

    /** Binds and starts serving. Throws IOException naming the address when it cannot bind. */
    public static WebServer start(InetSocketAddress address, PrometheusRegistry registry, BooleanSupplier ready,
            Supplier<Object> probes) throws IOException {
        return start(address, registry, ready, probes, null);
    }

    /** Binds and starts serving; /api/probes also shows {@code agent} (the agent's own figures) when given. */
    public static WebServer start(InetSocketAddress address, PrometheusRegistry registry, BooleanSupplier ready,
            Supplier<Object> probes, Supplier<Object> agent) throws IOException {
        return start(address, registry, ready, probes, agent, null, null);
    }

    /**
     * Changes a probe's run-time settings from a JSON body and returns those in force; throws
     * ConfigValueException (400), NoSuchElementException (404) or UnsupportedOperationException (409).
     */
    @FunctionalInterface
    public interface SettingsChanger {
        Map<String, Object> change(String probe, String body);
    }

    /** Binds and starts serving, with the event stream and the settings endpoint when given. */
    public static WebServer start(InetSocketAddress address, PrometheusRegistry registry, BooleanSupplier ready,
            Supplier<Object> probes, Supplier<Object> agent, EventBus events, SettingsChanger settings)
            throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(address, 64);
        } catch (IOException e) {
            throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        ExposedMetrics metrics = new ExposedMetrics(registry);
        server.createContext("/metrics", get(metrics::serve));
        server.createContext("/-/healthy", get(ex -> text(ex, 200, "Healthy\n")));
        server.createContext("/-/ready", get(ex -> {
            if (ready.getAsBoolean()) {
                text(ex, 200, "Ready\n");
            } else {
                text(ex, 503, "Starting: probes are still loading\n");
            }
        }));
        HttpHandler probesList = get(ex -> json(ex, 200, agent == null ? Map.of("probes", probes.get())
                : new java.util.TreeMap<>(Map.of("agent", agent.get(), "probes", probes.get()))));
        server.createContext("/api/probes", ex -> {
            String path = ex.getRequestURI().getPath();
            Matcher m = SETTINGS_PATH.matcher(path);
            if (settings != null && m.matches()) {
                settings(ex, m.group(1), settings);
            } else if (path.equals("/api/probes") || path.equals("/api/probes/")) {
                probesList.handle(ex);
            } else {
                try (ex) {
                    json(ex, 404, Map.of("error", "no such endpoint: " + path));
                }
            }
        });
        if (events != null) {
            server.createContext("/api/events", get(ex -> EventStream.serve(ex, events)));
        }
        server.createContext("/", get(ex -> json(ex, 404, Map.of("error", "no such endpoint: "
                + ex.getRequestURI().getPath()))));
        server.start();
        return new WebServer(server, executor, metrics);
    }

    /** The address actually bound (useful with port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static final Pattern SETTINGS_PATH = Pattern.compile("/api/probes/([^/]+)/settings/?");
    private static final int MAX_BODY = 64 * 1024;

    private static void settings(HttpExchange ex, String probe, SettingsChanger changer) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!method.equals("PUT")) {
                ex.getResponseHeaders().set("Allow", "PUT");
                json(ex, 405, Map.of("error", "method " + method + " not allowed on " + ex.getRequestURI().getPath()
                        + "; PUT a JSON object of settings (GET /api/probes shows them)"));
                return;
            }
            byte[] body = ex.getRequestBody().readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                json(ex, 413, Map.of("error", "body larger than " + MAX_BODY + " bytes"));
                return;
            }
            try {
                Map<String, Object> now = changer.change(probe, new String(body, StandardCharsets.UTF_8));
                json(ex, 200, Map.of("probe", probe, "settings", now));
            } catch (ConfigValueException e) {
                json(ex, 400, Map.of("error", e.key() + ": " + e.getMessage(), "field", e.key()));
            } catch (java.util.NoSuchElementException e) {
                json(ex, 404, Map.of("error", e.getMessage()));
            } catch (UnsupportedOperationException e) {
                json(ex, 409, Map.of("error", e.getMessage()));
            } catch (RuntimeException e) {
                json(ex, 500, Map.of("error", String.valueOf(e.getMessage())));
            }
        }
    }

    private static HttpHandler get(HttpHandler inner) {
        return ex -> {
            try (ex) {
                String method = ex.getRequestMethod();
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    ex.getResponseHeaders().set("Allow", "GET, HEAD");
                    json(ex, 405, Map.of("error", "method " + method + " not allowed on " + ex.getRequestURI()
                            .getPath()));
                    return;
                }
                try {
                    inner.handle(ex);
                } catch (RuntimeException | LinkageError | AssertionError e) {
                    // inside the exchange's try: once it is closed no answer can be sent, and the client would
                    // see a dropped connection instead of the reason
                    LOG.log(System.Logger.Level.WARNING, "event=http_error path=" + ex.getRequestURI().getPath(), e);
                    if (ex.getResponseCode() < 0) {
                        json(ex, 500, Map.of("error", String.valueOf(e)));
                    }
                }
            }
        };
    }

    static void text(HttpExchange ex, int status, String body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        send(ex, status, body.getBytes(StandardCharsets.UTF_8));
    }

    static void json(HttpExchange ex, int status, Object body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        send(ex, status, JSON.writeValueAsBytes(body));
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Stops accepting requests and waits briefly for the running ones. */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
        metrics.close();
    }
}
