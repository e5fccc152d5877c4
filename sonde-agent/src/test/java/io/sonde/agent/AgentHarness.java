package io.sonde.agent;

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.enrich.HostAttribution;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * AgentHarness runs the agent in the test's JVM on a free loopback port, scrapes it, and drives the
 * test workload inside a cgroup.
 */
public final class AgentHarness implements AutoCloseable {
    private final Agent agent;
    private final HttpClient http = HttpClient.newHttpClient();

    private AgentHarness(Agent agent) {
        this.agent = agent;
    }

    /** Starts the agent with the default probes on an ephemeral port. */
    public static AgentHarness start() throws IOException {
        return start(AgentConfig.defaults());
    }

    /** Starts the agent with a configuration (its listen address is replaced by an ephemeral port). */
    public static AgentHarness start(AgentConfig config) throws IOException {
        AgentConfig c = config.withListenAddress("127.0.0.1:0");
        if (c.overhead().budget() == 0.01) {
            // tests that count exactly must never be sampled: the budget is off unless a test sets one
            c = new AgentConfig(c.web(), c.probes(), c.metrics(), c.enrichment(), new AgentConfig.Overhead(
                    c.overhead().windowSeconds(), c.overhead().periodSeconds(), 1.0));
        }
        return new AgentHarness(Agent.start(c, HostAttribution.create(c), "test"));
    }

    public Agent agent() {
        return agent;
    }

    /** The base URL, such as http://127.0.0.1:40123. */
    public String url() {
        return "http://127.0.0.1:" + agent.address().getPort();
    }

    /** GETs a path and returns the response. */
    public HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The /metrics text. */
    public String scrape() throws IOException, InterruptedException {
        return get("/metrics").body();
    }

    /**
     * Runs the workload in a cgroup: it joins the cgroup, says "ready", and waits; {@code between} runs
     * then (a baseline scrape), and the workload does its work and exits.
     */
    public static List<String> runWorkload(Path cgroup, Runnable between, String... args) throws IOException,
            InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", "-c", "echo $$ > " + cgroup.resolve("cgroup.procs")
                + " && exec \"$0\" \"$@\"", KernelHost.workload().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
                OutputStream in = p.getOutputStream()) {
            String ready = r.readLine();
            if (!"ready".equals(ready)) {
                throw new AssertionError("workload did not start: " + ready);
            }
            between.run();
            in.write("go\n".getBytes());
            in.flush();
            for (String line; (line = r.readLine()) != null;) {
                out.add(line);
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("workload did not finish");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("workload exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    @Override
    public void close() {
        agent.close();
    }
}
