package io.sonde.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * AgentConfig is the whole configuration file, as documented in docs/configuration.md. Every part has
 * a default, so an empty file (or none) is a valid configuration.
 *
 * <pre>{@code
 * AgentConfig config = ConfigLoader.load(Path.of("/etc/sonde/sonde.yaml"));
 * int budget = config.metrics().seriesBudget();
 * }</pre>
 *
 * @param web the HTTP server
 * @param probes which probes run, and their settings
 * @param metrics the exposition and its cardinality budget
 * @param enrichment the caches that attribute work to processes and cgroups
 * @param overhead how the agent measures what its kernel programs cost
 */
public record AgentConfig(Web web, Probes probes, Metrics metrics, Enrichment enrichment, Overhead overhead) {
    public AgentConfig {
        web = web == null ? new Web(null) : web;
        probes = probes == null ? new Probes(null, null, null, null) : probes;
        metrics = metrics == null ? new Metrics(null) : metrics;
        enrichment = enrichment == null ? new Enrichment(null, null) : enrichment;
        overhead = overhead == null ? new Overhead(null, null, null, null) : overhead;
    }

    /** The configuration with the default overhead settings. */
    public AgentConfig(Web web, Probes probes, Metrics metrics, Enrichment enrichment) {
        this(web, probes, metrics, enrichment, null);
    }

    /** The configuration used when there is no file. */
    public static AgentConfig defaults() {
        return new AgentConfig(null, null, null, null);
    }

    /** The same configuration with another listen address (the command-line flag wins over the file). */
    public AgentConfig withListenAddress(String address) {
        return new AgentConfig(new Web(address), probes, metrics, enrichment, overhead);
    }

    /** The same configuration with another list of enabled probes. */
    public AgentConfig withEnabledProbes(List<String> enabled) {
        return new AgentConfig(web, new Probes(enabled, probes.syscalls(), probes.process(), probes.files(),
                probes.cgroups(), probes.tcp(), probes.drops(), probes.netdev(), probes.probe()), metrics, enrichment,
                overhead);
    }

    /**
     * The HTTP server.
     *
     * @param listenAddress host:port; loopback by default, until the operator opens it
     */
    public record Web(@JsonProperty("listen_address") String listenAddress) {
        public static final String DEFAULT_LISTEN_ADDRESS = "127.0.0.1:9949";

        public Web {
            listenAddress = listenAddress == null ? DEFAULT_LISTEN_ADDRESS : listenAddress;
            ListenAddress.parse(listenAddress, "listen_address");
        }
    }

    /**
     * Probe selection and settings.
     *
     * @param enabled the probes to run; all built-in probes when absent
     * @param syscalls settings of the syscalls probe
     * @param process settings of the process probe
     * @param files settings of the files probe
     * @param cgroups settings of the cgroups probe
     * @param tcp settings of the tcp probe
     * @param drops settings of the drops probe
     * @param netdev settings of the netdev probe
     * @param probe settings of the active prober (its targets)
     */
    public record Probes(List<String> enabled, Syscalls syscalls, Process process, Files files, Cgroups cgroups,
            Tcp tcp, Drops drops, Netdev netdev, Active probe) {
        public Probes {
            syscalls = syscalls == null ? new Syscalls(null) : syscalls;
            process = process == null ? new Process() : process;
            files = files == null ? new Files() : files;
            cgroups = cgroups == null ? new Cgroups(null, null) : cgroups;
            tcp = tcp == null ? new Tcp(null, null, null, null) : tcp;
            drops = drops == null ? new Drops() : drops;
            netdev = netdev == null ? new Netdev() : netdev;
            probe = probe == null ? new Active() : probe;
        }

        /** Probe selection and settings with the network probes' defaults. */
        public Probes(List<String> enabled, Syscalls syscalls, Process process, Files files, Cgroups cgroups) {
            this(enabled, syscalls, process, files, cgroups, null, null, null, null);
        }

        /** Probe selection and settings with the cgroups probe's defaults. */
        public Probes(List<String> enabled, Syscalls syscalls, Process process, Files files) {
            this(enabled, syscalls, process, files, null);
        }
    }

    /**
     * The syscalls probe.
     *
     * @param maxEntries capacity of each of its kernel maps (distinct cgroup and syscall pairs)
     * @param latency whether to time every syscall (sys_enter and sys_exit) for the duration histogram;
     *     off (the default), one program on sys_exit counts calls and errors at a third of the cost
     * @param slowEvents whether to publish an event for every syscall slower than the threshold (attaches
     *     a sys_enter/sys_exit pair of its own while on; off by default); changeable at run time
     * @param slowThresholdUs the threshold of slow-syscall events, in microseconds; changeable at run time
     * @param slowPid only slow syscalls of this process; 0 (the default) for all; changeable at run time
     * @param slowCgroup only slow syscalls in this cgroup (a cgroup v2 path, the directory itself); "" for all;
     *     changeable at run time
     */
    public record Syscalls(@JsonProperty("max_entries") Integer maxEntries, Boolean latency,
            @JsonProperty("slow_events") Boolean slowEvents, @JsonProperty("slow_threshold_us") Long slowThresholdUs,
            @JsonProperty("slow_pid") Integer slowPid, @JsonProperty("slow_cgroup") String slowCgroup) {
        public Syscalls {
            maxEntries = positive(maxEntries, 16384, "max_entries");
            latency = latency != null && latency;
            slowEvents = slowEvents != null && slowEvents;
            slowThresholdUs = slowThresholdUs == null ? 10_000L : slowThresholdUs;
            if (slowThresholdUs < 1) {
                throw new ConfigValueException("slow_threshold_us", "must be at least 1, got " + slowThresholdUs);
            }
            slowPid = slowPid == null ? 0 : slowPid;
            if (slowPid < 0) {
                throw new ConfigValueException("slow_pid", "must be a process id, or 0 for all, got " + slowPid);
            }
            slowCgroup = slowCgroup == null ? "" : slowCgroup;
            if (!slowCgroup.isEmpty() && !slowCgroup.startsWith("/")) {
                throw new ConfigValueException("slow_cgroup", "must be a cgroup v2 path starting with /, or \"\" "
                        + "for all, got \"" + slowCgroup + "\"");
            }
        }

        /** Settings without a slow-syscall filter. */
        public Syscalls(Integer maxEntries, Boolean latency, Boolean slowEvents, Long slowThresholdUs) {
            this(maxEntries, latency, slowEvents, slowThresholdUs, null, null);
        }

        /** Settings with the default latency choice (off). */
        public Syscalls(Integer maxEntries) {
            this(maxEntries, null);
        }

        /** Settings with slow-syscall events off. */
        public Syscalls(Integer maxEntries, Boolean latency) {
            this(maxEntries, latency, null, null);
        }
    }

    /** The process probe (no settings). */
    public record Process() {}

    /**
     * The files probe: file opens are always counted; file-open events (one per open, with the path and
     * the result) are off by default. Everything but {@code ring_bytes} can change at run time.
     *
     * @param events whether to publish file-open events
     * @param pid only opens by this process; 0 (the default) for all
     * @param comm only opens by processes of this command name; "" (the default) for all
     * @param cgroup only opens in this cgroup (a cgroup v2 path, the directory itself); "" for all
     * @param pathPrefix only opens of paths starting with this (as the caller wrote them, up to 63 bytes); ""
     *     for all
     * @param sampleEvery publish one open in N (per CPU) among those the filter passes; 1 publishes all
     * @param ringBytes the size of the events' ring buffer (a power of two, at least 4096); fixed at load
     */
    public record Files(Boolean events, Integer pid, String comm, String cgroup,
            @JsonProperty("path_prefix") String pathPrefix, @JsonProperty("sample_every") Integer sampleEvery,
            @JsonProperty("ring_bytes") Integer ringBytes) {
        public Files {
            events = events != null && events;
            pid = pid == null ? 0 : pid;
            if (pid < 0) {
                throw new ConfigValueException("pid", "must be a process id, or 0 for all, got " + pid);
            }
            comm = comm == null ? "" : comm;
            if (comm.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 15) {
                throw new ConfigValueException("comm", "must be at most 15 bytes (the kernel's command name), got \""
                        + comm + "\"");
            }
            cgroup = cgroup == null ? "" : cgroup;
            if (!cgroup.isEmpty() && !cgroup.startsWith("/")) {
                throw new ConfigValueException("cgroup", "must be a cgroup v2 path starting with /, or \"\" for "
                        + "all, got \"" + cgroup + "\"");
            }
            pathPrefix = pathPrefix == null ? "" : pathPrefix;
            if (pathPrefix.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 63) {
                throw new ConfigValueException("path_prefix", "must be at most 63 bytes, got " + pathPrefix.length());
            }
            sampleEvery = positive(sampleEvery, 1, "sample_every");
            ringBytes = ringBytes == null ? 256 * 1024 : ringBytes;
            if (ringBytes < 4096 || Integer.bitCount(ringBytes) != 1) {
                throw new ConfigValueException("ring_bytes", "must be a power of two of at least 4096, got "
                        + ringBytes);
            }
        }

        /** The defaults: events off. */
        public Files() {
            this(null, null, null, null, null, null, null);
        }
    }

    /**
     * The tcp probe.
     *
     * @param rttIntervalMs the least time between two RTT samples of one socket, in milliseconds
     * @param topRemotes the remote endpoints (by traffic) whose RTT and retransmits get their own series
     * @param maxConnections the open sockets the kernel side follows at once (more are forgotten, oldest
     *     first, and their bytes with them)
     * @param connectionEvents whether successful connects, accepts and closes go to the event pipeline
     *     (failed connects, retransmits and resets always do)
     */
    public record Tcp(@JsonProperty("rtt_interval_ms") Integer rttIntervalMs,
            @JsonProperty("top_remotes") Integer topRemotes, @JsonProperty("max_connections") Integer maxConnections,
            @JsonProperty("connection_events") Boolean connectionEvents) {
        public Tcp {
            rttIntervalMs = positive(rttIntervalMs, 1000, "rtt_interval_ms");
            topRemotes = positive(topRemotes, 50, "top_remotes");
            maxConnections = positive(maxConnections, 65536, "max_connections");
            connectionEvents = connectionEvents == null || connectionEvents;
        }
    }

    /** The drops probe (no settings yet). */
    public record Drops() {}

    /** The netdev probe (no settings yet). */
    public record Netdev() {}

    /**
     * The active prober, {@code probes.probe}: each target is probed once per interval on its own
     * schedule (a probe that has not finished does not hold up the next), and loss and jitter are
     * figured over the last {@code window} finished probes of each target.
     *
     * @param intervalMs milliseconds between two probes of a target
     * @param timeoutMs milliseconds a probe waits for its answer before it counts as lost
     * @param window the finished probes per target that loss and jitter are figured over (at most 100000)
     * @param targets what to probe; none by default (the probe then runs and does nothing)
     */
    public record Active(@JsonProperty("interval_ms") Integer intervalMs, @JsonProperty("timeout_ms") Integer timeoutMs,
            Integer window, List<ProbeTarget> targets) {
        /** The most probes a window may hold. */
        public static final int MAX_WINDOW = 100_000;

        public Active {
            intervalMs = positive(intervalMs, 1000, "interval_ms");
            timeoutMs = positive(timeoutMs, 1000, "timeout_ms");
            window = positive(window, 100, "window");
            if (window > MAX_WINDOW) {
                throw new ConfigValueException("window", "must be at most " + MAX_WINDOW + ", got " + window);
            }
            targets = targets == null ? List.of() : targets;
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (ProbeTarget t : targets) {
                if (t == null) {
                    throw new ConfigValueException("targets", "a target must be a mapping (kind, address), got nothing");
                }
                if (!seen.add(t.kind() + " " + t.label())) {
                    throw new ConfigValueException("targets", "two " + t.kind() + " targets are labelled \""
                            + t.label() + "\": give one a different name");
                }
            }
            targets = List.copyOf(targets);
        }

        /** The defaults: no targets. */
        public Active() {
            this(null, null, null, null);
        }
    }

    /**
     * The cgroups probe: besides every container's cgroup it reads the cgroups these patterns select.
     *
     * @param include cgroup v2 paths or globs ({@code *} within one segment, {@code **} across
     *     segments, {@code ?} one character), each starting with {@code /}
     * @param maxCgroups the most cgroup directories one walk of the hierarchy visits
     */
    public record Cgroups(List<String> include, @JsonProperty("max_cgroups") Integer maxCgroups) {
        /** Top-level systemd services: the host's daemons beside its containers. */
        public static final List<String> DEFAULT_INCLUDE = List.of("/system.slice/*.service");

        public Cgroups {
            include = include == null ? DEFAULT_INCLUDE : include;
            for (String pattern : include) {
                if (pattern == null || !pattern.startsWith("/")) {
                    throw new ConfigValueException("include", "each pattern must start with /, got \"" + pattern
                            + "\"");
                }
            }
            include = List.copyOf(include);
            maxCgroups = positive(maxCgroups, 10_000, "max_cgroups");
        }
    }

    /**
     * The metrics exposition.
     *
     * @param seriesBudget the most series one labelled metric may have; the rest fold into "other"
     */
    public record Metrics(@JsonProperty("series_budget") Integer seriesBudget) {
        public Metrics {
            seriesBudget = positive(seriesBudget, 1000, "series_budget");
        }
    }

    /**
     * The attribution caches.
     *
     * @param cgroupCacheSize cgroup ids kept with their paths
     * @param processCacheSize processes kept with their names
     */
    public record Enrichment(@JsonProperty("cgroup_cache_size") Integer cgroupCacheSize,
            @JsonProperty("process_cache_size") Integer processCacheSize) {
        public Enrichment {
            cgroupCacheSize = positive(cgroupCacheSize, 10_000, "cgroup_cache_size");
            processCacheSize = positive(processCacheSize, 10_000, "process_cache_size");
        }
    }

    /**
     * Self-measurement: run-time statistics of the kernel programs are switched on for one short window
     * per period (they slow every program while on), and the window's counts are scaled to the period.
     *
     * @param windowSeconds how long each statistics window lasts
     * @param periodSeconds how often a window opens; more than the window
     * @param budget the fraction of the machine's CPU the probes' programs may take (0 < budget ≤ 1);
     *     over it the agent samples the probes that support it, then detaches the most expensive one
     * @param keepAttached probes the budget never detaches (sampling still applies to them)
     */
    public record Overhead(@JsonProperty("window_seconds") Integer windowSeconds,
            @JsonProperty("period_seconds") Integer periodSeconds, Double budget,
            @JsonProperty("keep_attached") List<String> keepAttached) {
        /** Probes never detached by default: exec, exit and OOM-kill records are what incidents start from. */
        public static final List<String> DEFAULT_KEEP_ATTACHED = List.of("process");

        /** Settings with the default budget (0.01). */
        public Overhead(Integer windowSeconds, Integer periodSeconds) {
            this(windowSeconds, periodSeconds, null, null);
        }

        /** Settings with the default list of probes kept attached. */
        public Overhead(Integer windowSeconds, Integer periodSeconds, Double budget) {
            this(windowSeconds, periodSeconds, budget, null);
        }

        public Overhead {
            budget = budget == null ? 0.01 : budget;
            if (!(budget > 0 && budget <= 1)) {
                throw new ConfigValueException("budget", "must be more than 0 and at most 1, got " + budget);
            }
            windowSeconds = positive(windowSeconds, 2, "window_seconds");
            periodSeconds = positive(periodSeconds, 60, "period_seconds");
            if (periodSeconds <= windowSeconds) {
                throw new ConfigValueException("period_seconds", "must be more than window_seconds ("
                        + windowSeconds + "), got " + periodSeconds);
            }
            keepAttached = keepAttached == null ? DEFAULT_KEEP_ATTACHED : List.copyOf(keepAttached);
        }
    }

    static Integer positive(Integer value, int fallback, String key) {
        if (value == null) {
            return fallback;
        }
        if (value < 1) {
            throw new ConfigValueException(key, "must be at least 1, got " + value);
        }
        return value;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper SETTINGS_JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** A settings record as a map under its configuration keys. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> settingsMap(Record settings) {
        return new java.util.LinkedHashMap<>(SETTINGS_JSON.convertValue(settings, Map.class));
    }

    /** The run-time settings record of a probe (files, syscalls), or null for a probe without one. */
    public Record settingsRecord(String probe) {
        return switch (probe) {
            case "syscalls" -> probes.syscalls();
            case "files" -> probes.files();
            default -> null;
        };
    }

    /** Settings of one probe by name, as plain values for /api/probes. */
    public Map<String, Object> settingsOf(String probe) {
        return switch (probe) {
            case "syscalls" -> settingsMap(probes.syscalls());
            case "files" -> settingsMap(probes.files());
            case "cgroups" -> Map.of("include", probes.cgroups().include(), "max_cgroups",
                    probes.cgroups().maxCgroups());
            case "probe" -> Map.of("interval_ms", probes.probe().intervalMs(), "timeout_ms", probes.probe().timeoutMs(),
                    "window", probes.probe().window(), "targets", probes.probe().targets().stream()
                            .map(ProbeTarget::settings).toList());
            case "tcp" -> settingsMap(probes.tcp());
            default -> Map.of();
        };
    }
}
