package io.sonde.agent.cli;

import io.sonde.agent.Agent;
import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.config.ConfigException;
import io.sonde.agent.config.ConfigLoader;
import io.sonde.agent.enrich.HostAttribution;
import io.sonde.agent.probe.ProbeCatalog;
import io.sonde.bpf.Kernel;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * AgentCommand is {@code sonde agent}: it loads every enabled probe, serves /metrics and the API, on
 * SIGHUP rereads {@code --config.file} and applies its run-time settings to the running probes, and on
 * SIGINT or SIGTERM detaches every link, frees every map and exits 0.
 */
@Command(name = "agent", description = "Run the agent: load the probes and serve /metrics, /-/ready and /api.")
final class AgentCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger("io.sonde.agent");

    @Spec
    CommandSpec spec;

    @Option(names = "--config.file", paramLabel = "FILE", description = "YAML configuration (docs/configuration.md).")
    Path configFile;

    @Option(names = "--web.listen-address", paramLabel = "HOST:PORT",
            description = "Where to serve HTTP (default 127.0.0.1:9949).")
    String listenAddress;

    @Option(names = "--probes", split = ",", paramLabel = "NAME",
            description = "Probes to run, comma-separated (default: all of ${COMPLETION-CANDIDATES}).",
            completionCandidates = ProbeNames.class)
    List<String> probes;

    @Option(names = {"-v", "--verbose"}, description = "Log debug lines, libbpf's included.")
    boolean verbose;

    /** The probe names, for the help text. */
    static final class ProbeNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ProbeCatalog.names().iterator();
        }
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        AgentConfig config;
        try {
            config = configFile == null ? AgentConfig.defaults() : ConfigLoader.load(configFile);
            if (listenAddress != null) {
                config = config.withListenAddress(listenAddress);
            }
            if (probes != null) {
                config = config.withEnabledProbes(probes);
            }
            List<String> enabled = config.probes().enabled() == null ? ProbeCatalog.names()
                    : config.probes().enabled();
            ProbeCatalog.check(enabled); // before anything is loaded
        } catch (ConfigException e) {
            err.println("sonde: configuration error: " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("sonde: " + (configFile != null && probes == null ? configFile + ": probes.enabled: " : "")
                    + e.getMessage());
            return 2;
        }
        try {
            ProbeCatalog.check(config.overhead().keepAttached());
        } catch (IllegalArgumentException e) {
            err.println("sonde: " + (configFile == null ? "" : configFile + ": ") + "overhead.keep_attached: "
                    + e.getMessage());
            return 2;
        }
        LogFormat.install(verbose);
        Kernel.libbpfVerbose(verbose);
        if (Kernel.libbpfUnavailable() != null) {
            err.println("sonde: " + Kernel.libbpfUnavailable());
            return 1;
        }
        // the hook is in place before the agent starts: a SIGTERM that comes right after /-/ready first
        // answers 200 (the agent is ready before start() returns) must still stop it cleanly
        AtomicReference<Agent> running = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            // the logging system resets itself in its own shutdown hook: write these lines directly
            System.err.print(LogFormat.line("info", "io.sonde.agent", "event=stopping reason=signal"));
            Agent started = running.get();
            if (started != null) { // none during the start: the process exit closes what was attached
                started.close();
            }
            System.err.print(LogFormat.line("info", "io.sonde.agent", "event=stopped"));
            System.err.flush();
            stopped.countDown();
        }, "sonde-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        // SIGTERM and SIGINT end the JVM through System.exit(0), not their default action, whose exit code
        // is 128+signal: a clean stop is a success, and the JVM's own exit work still runs (it writes
        // bin/sonde's class-data archive, which Runtime.halt would skip)
        Signals.on("TERM", () -> System.exit(0));
        Signals.on("INT", () -> System.exit(0));
        Agent agent;
        try {
            agent = Agent.start(config, HostAttribution.create(config), version());
        } catch (IOException | RuntimeException e) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook); // a failed start exits with its own code
            } catch (IllegalStateException shuttingDown) {
                // a signal came meanwhile: the hook stops the process
            }
            err.println("sonde: cannot start: " + e.getMessage());
            return 1;
        }
        running.set(agent);
        Path reloadFrom = configFile;
        Signals.on("HUP", () -> reload(agent, reloadFrom));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** SIGHUP: the file's run-time settings, applied without reloading programs; a bad file changes nothing. */
    private static void reload(Agent agent, Path file) {
        if (file == null) {
            LOG.log(System.Logger.Level.WARNING, "event=reload_skipped reason=\"no --config.file to reread\"");
            return;
        }
        try {
            agent.reload(ConfigLoader.load(file));
        } catch (ConfigException e) {
            LOG.log(System.Logger.Level.WARNING, "event=reload_failed reason=\"{0}\"", e.getMessage().replace('"',
                    '\''));
        }
    }

    private static String version() {
        String v = AgentCommand.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
