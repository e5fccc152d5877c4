package io.sonde.agent.cli;

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.config.ConfigValueException;
import io.sonde.agent.enrich.HostAttribution;
import io.sonde.agent.enrich.ProcessResolver;
import io.sonde.agent.events.EnrichedEvent;
import io.sonde.agent.events.EventBus;
import io.sonde.agent.events.EventEnricher;
import io.sonde.agent.events.EventFilter;
import io.sonde.agent.events.EventJson;
import io.sonde.agent.metrics.SelfMetrics;
import io.sonde.agent.metrics.SeriesBudget;
import io.sonde.agent.probe.FilesProbe;
import io.sonde.agent.probe.Probe;
import io.sonde.agent.probe.ProbeCatalog;
import io.sonde.agent.probe.ProbeContext;
import io.sonde.agent.probe.ProcessProbe;
import io.sonde.agent.probe.SyscallsProbe;
import io.sonde.bpf.Kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * TraceCommand is {@code sonde trace TOOL}: bcc-style live tools that print events one by one, as an
 * aligned table with a header or ({@code --json}) one JSON object per line. Standalone, it loads only
 * the probe and programs the tool needs; with {@code --agent URL} it reads a running agent's
 * {@code /api/events} instead. Ctrl-C (or {@code --duration}) ends it with one summary line on stderr.
 *
 * <pre>{@code
 * sonde trace exec --cgroup /system.slice/nginx.service
 * sonde trace open --comm nginx --json
 * sonde trace syscall --min-latency 50ms --agent http://127.0.0.1:9949
 * }</pre>
 */
@Command(name = "trace", description = {"Print events as they happen, like the bcc tools.",
        "Tools: exec, exit, oom (process probe), open (files), syscall (slow syscalls), tcp (connect, accept, "
                + "close, reset), retransmit (tcp), drop (drops)."})
final class TraceCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TOOL", description = "exec, exit, oom, open, tcp, retransmit, drop or "
            + "syscall.")
    String toolName;

    @Option(names = "--cgroup", paramLabel = "PATH", description = "Only this cgroup v2 path and those below it.")
    String cgroup;

    @Option(names = "--container", paramLabel = "ID", description = "Only this container (its id or a prefix).")
    String container;

    @Option(names = "--pid", paramLabel = "PID", description = "Only this process.")
    Integer pid;

    @Option(names = "--comm", paramLabel = "NAME", description = "Only processes of this command name.")
    String comm;

    @Option(names = "--min-latency", paramLabel = "DURATION", description = "Only events that took at least this "
            + "long (10ms, 250us); for syscall also the kernel threshold (default 10ms).")
    String minLatency;

    @Option(names = "--duration", paramLabel = "DURATION", description = "Stop after this long (10s, 1m).")
    String duration;

    @Option(names = "--json", description = "One JSON object per line instead of the table.")
    boolean json;

    @Option(names = "--agent", paramLabel = "URL", description = "Read the events of a running agent "
            + "(http://127.0.0.1:9949) instead of loading programs.")
    String agent;

    @Option(names = {"-v", "--verbose"}, description = "Log debug lines, libbpf's included.")
    boolean verbose;

    private final AtomicLong shown = new AtomicLong();
    private volatile boolean stop;

    /** Where events come from: probes loaded here, or an agent's event stream. */
    private interface Source extends AutoCloseable {
        /** The next event's JSON, or null after the timeout. */
        JsonNode next(long millis) throws IOException, InterruptedException;

        /** Events lost so far (kernel side and queue). */
        long lost();

        @Override
        void close();
    }

    @Override
    public Integer call() {
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true,
                StandardCharsets.UTF_8);
        TraceTool tool;
        EventFilter filter;
        long stopAfterNanos;
        try {
            tool = TraceTool.of(toolName);
            long min = minLatency == null ? 0 : EventFilter.parseDuration("--min-latency", minLatency);
            filter = new EventFilter(tool.types(), cgroup, container, pid == null ? 0 : pid, comm, min);
            stopAfterNanos = duration == null ? 0 : EventFilter.parseDuration("--duration", duration);
        } catch (ConfigValueException e) {
            err.println("sonde trace: " + (e.key().startsWith("--") ? e.key() : "--" + e.key().replace('_', '-'))
                    + ": " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("sonde trace: " + e.getMessage());
            return 2;
        }
        LogFormat.install(verbose);
        Source source;
        try {
            source = agent != null ? agentSource(tool, filter) : localSource(tool, filter);
        } catch (IOException | RuntimeException e) {
            err.println("sonde trace: cannot start: " + e.getMessage());
            return 1;
        }
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
                StandardCharsets.UTF_8);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop = true;
            try {
                if (finished.await(3, TimeUnit.SECONDS)) {
                    err.flush();
                    Runtime.getRuntime().halt(0); // ended by a signal: a clean end is a success
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sonde-trace-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        err.println("Tracing " + String.join(", ", new java.util.TreeSet<>(tool.types())) + " events"
                + (agent != null ? " from " + agent : "") + "... Hit Ctrl-C to end.");
        if (!json) {
            out.println(tool.header());
            out.flush();
        }
        long deadline = stopAfterNanos == 0 ? Long.MAX_VALUE : System.nanoTime() + stopAfterNanos;
        int status = 0;
        try {
            while (!stop && System.nanoTime() < deadline) {
                JsonNode e = source.next(100);
                if (e == null) {
                    out.flush();
                    continue;
                }
                out.println(json ? e.toString() : tool.row(e));
                shown.incrementAndGet();
            }
        } catch (IOException e) {
            err.println("sonde trace: " + e.getMessage());
            status = 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            out.flush();
            long lost = source.lost();
            source.close();
            err.println(shown.get() + " events shown, " + lost + " lost");
            finished.countDown();
        }
        if (!stop) {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        return status;
    }

    /** Loads the tool's probe, with only the programs it needs, and subscribes to its events. */
    private Source localSource(TraceTool tool, EventFilter filter) {
        if (Kernel.libbpfUnavailable() != null) {
            throw new IllegalStateException(Kernel.libbpfUnavailable());
        }
        Kernel.ensureTracefs();
        Kernel.ensureBpffs();
        AgentConfig.Files files = new AgentConfig.Files(true, pid, comm, null, null, null, null);
        AgentConfig.Syscalls syscalls = new AgentConfig.Syscalls(null, false, true, filter.minLatencyNanos() > 0
                ? Math.max(1, filter.minLatencyNanos() / 1000) : null, pid, null);
        AgentConfig config = new AgentConfig(null, new AgentConfig.Probes(List.of(tool.probe()), syscalls, null,
                files), null, null);
        Probe probe = switch (tool) {
            case EXEC -> new ProcessProbe(Set.of("exec"));
            case EXIT -> new ProcessProbe(Set.of("exit"));
            case OOM -> new ProcessProbe(Set.of("oom_kill"));
            case OPEN -> new FilesProbe();
            case SYSCALL -> new SyscallsProbe(false);
            default -> {
                if (!ProbeCatalog.names().contains(tool.probe())) {
                    throw new IllegalStateException("the " + tool.probe() + " probe is not part of this build; "
                            + "the probes are " + ProbeCatalog.names());
                }
                yield ProbeCatalog.create(List.of(tool.probe())).get(0);
            }
        };
        SeriesBudget budget = new SeriesBudget(config.metrics().seriesBudget(), 600_000);
        EventBus bus = new EventBus(new EventEnricher(new ProcessResolver()));
        EventBus.Subscription sub = bus.subscribe("trace", 65_536, filter);
        try {
            probe.start(new ProbeContext(config, HostAttribution.create(config), budget, new SelfMetrics("trace",
                    budget), bus));
        } catch (Exception e) {
            probe.close();
            throw new IllegalStateException("the " + tool.probe() + " probe did not start: " + e.getMessage(), e);
        }
        return new Source() {
            @Override
            public JsonNode next(long millis) throws InterruptedException {
                EnrichedEvent e = sub.poll(millis, TimeUnit.MILLISECONDS);
                return e == null ? null : EventJson.tree(e);
            }

            @Override
            public long lost() {
                return probe.eventsLost() + sub.dropped();
            }

            @Override
            public void close() {
                sub.close();
                probe.close();
            }
        };
    }

    /** Reads the tool's events from an agent's /api/events, filtered there. */
    private Source agentSource(TraceTool tool, EventFilter filter) throws IOException {
        StringBuilder q = new StringBuilder("type=").append(String.join(",", tool.types()));
        param(q, "cgroup", cgroup);
        param(q, "container", container);
        param(q, "pid", pid == null ? null : pid.toString());
        param(q, "comm", comm);
        param(q, "min_latency", filter.minLatencyNanos() > 0 ? filter.minLatencyNanos() + "ns" : null);
        String base = agent.endsWith("/") ? agent.substring(0, agent.length() - 1) : agent;
        HttpURLConnection c = (HttpURLConnection) URI.create(base + "/api/events?" + q).toURL().openConnection();
        c.setConnectTimeout(5000);
        int code = c.getResponseCode();
        if (code != 200) {
            InputStream e = c.getErrorStream();
            String body = e == null ? "" : new String(e.readAllBytes(), StandardCharsets.UTF_8);
            throw new IOException(base + " answered " + code + ": " + body.strip());
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
        BlockingQueue<JsonNode> queue = new ArrayBlockingQueue<>(65_536);
        AtomicLong dropped = new AtomicLong();
        List<IOException> failure = new ArrayList<>();
        Thread.ofPlatform().daemon().name("sonde-trace-sse").start(() -> {
            String event = null;
            try {
                for (String line; (line = in.readLine()) != null;) {
                    if (line.startsWith("event: ")) {
                        event = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        JsonNode data = JSON.readTree(line.substring(6));
                        if ("dropped".equals(event)) {
                            dropped.set(data.path("dropped").asLong());
                        } else if (!queue.offer(data)) {
                            dropped.incrementAndGet();
                        }
                    } else if (line.isEmpty()) {
                        event = null;
                    }
                }
                synchronized (failure) {
                    failure.add(new IOException("the agent closed the event stream"));
                }
            } catch (IOException e) {
                synchronized (failure) {
                    failure.add(e);
                }
            }
        });
        return new Source() {
            @Override
            public JsonNode next(long millis) throws IOException, InterruptedException {
                JsonNode e = queue.poll(millis, TimeUnit.MILLISECONDS);
                if (e == null) {
                    synchronized (failure) {
                        if (!failure.isEmpty() && !stop) {
                            throw failure.get(0);
                        }
                    }
                }
                return e;
            }

            @Override
            public long lost() {
                return dropped.get();
            }

            @Override
            public void close() {
                // closing a chunked stream waits for the reader's blocked read (up to the next keep-alive, 2 s):
                // let a daemon thread do it, the process is ending anyway
                Thread.ofPlatform().daemon().start(c::disconnect);
            }
        };
    }

    private static void param(StringBuilder q, String name, String value) {
        if (value != null) {
            q.append('&').append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
