package io.sonde.agent.probe;

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.config.ConfigValueException;
import io.sonde.agent.enrich.Errno;
import io.sonde.agent.events.Event;
import io.sonde.agent.metrics.CounterFamily;
import io.sonde.bpf.BpfMap;
import io.sonde.bpf.BpfObject;
import io.sonde.bpf.Kernel;
import io.sonde.bpf.Program;
import io.sonde.bpf.ringbuf.RingRecord;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * FilesProbe counts file opens per cgroup, and failed opens per errno: open, creat, openat and openat2
 * (open and creat where the architecture has them: x86_64 does, arm64 does not).
 *
 * <p>Where the counts come from is chosen when the probe starts. When the {@code syscalls} probe runs
 * (the default set), it already counts these calls and their failures per cgroup and errno on its one
 * {@code sys_exit} program, so this probe reads them from its maps ({@link SyscallsProbe#readCalls}) and
 * attaches nothing: it then costs nothing per open. Without it, the exit tracepoints of the four
 * syscalls count into {@code file_opens} (files.bpf.c and files.h: per-CPU hash keyed by {cgroup_id
 * u64, errno u32 (0 for success), pad u32}). Borrowed counts follow the syscalls probe: scaled up when
 * it is sampled, frozen while the overhead budget keeps it detached.
 *
 * <p>File-open events ({@link FileOpenEvent}) are off by default. Turned on ({@code probes.files.events},
 * at load or at run time), the enter tracepoints of the same syscalls are attached and note the opens
 * that pass the filter (pid, comm, cgroup: BPF globals, checked at entry) and the sampling (one in
 * {@code sample_every} per CPU); the exit programs (attached now, if they were not) publish those with
 * their result, and drop those whose path does not start with {@code path_prefix}. Turned off, the enter
 * programs are detached and the exit programs test one global (or are detached too, when the counts are
 * borrowed). Every setting but the ring size changes without reloading.
 *
 * <p>As a {@link SampledProbe} its rate is the events' sampling: its own counts stay exact.
 *
 * <pre>{@code
 * files.applySettings(new AgentConfig.Files(true, 0, "", "", "/etc/", 1, null));
 * }</pre>
 */
public final class FilesProbe extends BpfProbe implements TunableProbe, SampledProbe {
    private static final String[] SYSCALLS = {"openat", "openat2", "open", "creat"};
    private static final int RECORD_SIZE = 304;

    private final List<Attachment> attachments = new ArrayList<>();
    private final List<String> enterPrograms = new ArrayList<>();
    private final List<String> exitPrograms = new ArrayList<>();
    /** The syscalls probe of the same agent, if it has one; its counts are used when it runs. */
    private final SyscallsProbe syscalls;
    /** Set at start: the counts come from {@link #syscalls} rather than from this probe's own programs. */
    private volatile boolean borrowed;
    private java.util.BitSet openNumbers = new java.util.BitSet();
    private volatile AgentConfig.Files settings = new AgentConfig.Files();
    private EventRing events;

    /** A probe that counts with its own programs. */
    public FilesProbe() {
        this(null);
    }

    /** A probe that takes its counts from {@code syscalls} when that probe is running at this one's start. */
    public FilesProbe(SyscallsProbe syscalls) {
        super("files", "/bpf/files.bpf.o");
        this.syscalls = syscalls;
    }

    @Override
    public String description() {
        return "file opens and failed opens per cgroup ("
                + (borrowed ? "from the syscalls probe's counts, no programs of its own"
                        : "tracepoints syscalls/sys_exit_open, creat, openat, openat2")
                + "); file-open events when asked for (sys_enter_* and sys_exit_* of the same)";
    }

    /** Whether the counts come from the syscalls probe (decided at start). */
    public boolean borrowsCounts() {
        return borrowed;
    }

    @Override
    protected void configure(BpfObject object) {
        attachments.clear();
        enterPrograms.clear();
        exitPrograms.clear();
        borrowed = syscalls != null && syscalls.counts();
        if (borrowed) {
            java.util.BitSet numbers = new java.util.BitSet();
            java.util.Arrays.stream(syscalls.numbers(SYSCALLS)).forEach(numbers::set);
            openNumbers = numbers;
        }
        object.setGlobal("count_opens", !borrowed);
        for (String call : SYSCALLS) {
            boolean exists = Files.isDirectory(Kernel.TRACEFS.resolve("events/syscalls/sys_exit_" + call));
            object.program("exit_" + call).setAutoload(exists);
            object.program("enter_" + call).setAutoload(exists);
            if (exists) {
                if (borrowed) {
                    exitPrograms.add("exit_" + call);
                } else {
                    attachments.add(Attachment.of("exit_" + call, Program::attach));
                }
                enterPrograms.add("enter_" + call);
            }
        }
        settings = context.config().probes().files();
        object.map("open_events_ring").resize(settings.ringBytes());
    }

    @Override
    protected List<Attachment> attachments() {
        return attachments;
    }

    @Override
    protected void started(BpfObject object) {
        events = EventRing.start(name(), object.map("open_events_ring"), context.events(), this::decode);
        write(settings, true);
    }

    private Event decode(RingRecord r) {
        return decode(r, context.attribution());
    }

    /** Decodes one record (files.h struct open_event); attribution fills cgroup and container. */
    public static Event decode(RingRecord r, Attribution a) {
        if (r.length() < RECORD_SIZE) {
            throw new IllegalArgumentException("file-open record of " + r.length() + " bytes, expected "
                    + RECORD_SIZE);
        }
        long cgroupId = r.getLong(8);
        String cgroup = a.cgroupPath(cgroupId);
        int ret = r.getInt(24);
        return new FileOpenEvent(r.getLong(0), cgroupId, cgroup, a.container(cgroup), r.getInt(16), r.getInt(20),
                r.getString(32, 16), ret < 0 ? -1 : ret, ret < 0 ? Errno.name(-ret) : "", r.getInt(28),
                r.getString(48, 256));
    }

    @Override
    public Class<? extends Record> settingsType() {
        return AgentConfig.Files.class;
    }

    @Override
    public AgentConfig.Files settings() {
        return settings;
    }

    @Override
    public synchronized void applySettings(Record next) {
        AgentConfig.Files s = (AgentConfig.Files) next;
        if (!s.ringBytes().equals(settings.ringBytes())) {
            throw new ConfigValueException("ring_bytes", "is fixed when the probe loads (" + settings.ringBytes()
                    + "); restart the agent to change it");
        }
        write(s, false);
    }

    /** Writes the filter and the switch into the running programs' globals, and (de)attaches the enter programs. */
    private synchronized void write(AgentConfig.Files s, boolean initial) {
        long cgroupId = s.cgroup().isEmpty() ? 0 : ProbeSettings.cgroupId("cgroup", s.cgroup());
        BpfObject o = object();
        if (o == null) {
            settings = s;
            return;
        }
        if (!s.events() && (initial || settings.events())) {
            o.setGlobal("open_events", false);
            enterPrograms.forEach(p -> setAttached(p, false));
            exitPrograms.forEach(p -> setAttached(p, false));
        }
        o.setGlobal("filter_pid", s.pid());
        o.setGlobal("filter_cgroup", cgroupId);
        o.setGlobal("filter_comm", fixed(s.comm(), 16));
        o.setGlobal("filter_prefix", fixed(s.pathPrefix(), 64));
        o.setGlobal("sample_every", s.sampleEvery());
        if (s.events()) {
            exitPrograms.forEach(p -> setAttached(p, true));
            enterPrograms.forEach(p -> setAttached(p, true));
            o.setGlobal("open_events", true);
        }
        settings = s;
    }

    private static byte[] fixed(String s, int size) {
        byte[] out = new byte[size];
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, out, 0, Math.min(b.length, size - 1));
        return out;
    }

    @Override
    public int sampleEvery() {
        return settings.sampleEvery();
    }

    /** Only the file-open events are sampled: with them off, a higher rate saves nothing. */
    @Override
    public boolean samplingHelps() {
        return settings.events();
    }

    @Override
    public synchronized void sampleEvery(int n) {
        AgentConfig.Files s = settings;
        applySettings(new AgentConfig.Files(s.events(), s.pid(), s.comm(), s.cgroup(), s.pathPrefix(), n,
                s.ringBytes()));
    }

    @Override
    protected void stopping() {
        if (events != null) {
            events.close();
        }
    }

    @Override
    public MultiCollector metrics() {
        return this::collect;
    }

    private MetricSnapshots collect() {
        CounterFamily opens = new CounterFamily("sonde_file_opens", "File open calls (open, creat, openat, openat2), "
                + "successful or not, per cgroup.", context.budget(), "cgroup", "container");
        CounterFamily errors = new CounterFamily("sonde_file_open_errors", "File open calls that failed, per cgroup "
                + "and errno.", context.budget(), "cgroup", "container", "errno");
        try {
            if (borrowed) {
                java.util.BitSet numbers = openNumbers;
                syscalls.readCalls(numbers::get, (cgroup, container, nr, errno, n) -> {
                    if (errno == 0) {
                        opens.add(n, cgroup, container);
                    } else {
                        errors.add(n, cgroup, container, Errno.name(errno));
                    }
                });
            } else {
                BpfMap map = map("file_opens");
                if (map != null) {
                    forEachCgroupEntry(map, (cgroup, container, k, v) -> {
                        long n = map.sumPerCpu(v, 0);
                        opens.add(n, cgroup, container);
                        int err = k.getInt(8);
                        if (err != 0) {
                            errors.add(n, cgroup, container, Errno.name(err));
                        }
                    });
                }
            }
        } catch (RuntimeException e) {
            context.self().mapError(borrowed ? "syscall_counts" : "file_opens", "read");
        }
        return MetricSnapshots.of(opens.snapshot(), errors.snapshot());
    }
}
