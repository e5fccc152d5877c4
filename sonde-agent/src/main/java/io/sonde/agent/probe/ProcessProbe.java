package io.sonde.agent.probe;

import io.sonde.agent.events.Event;
import io.sonde.agent.metrics.CounterFamily;
import io.sonde.bpf.BpfMap;
import io.sonde.bpf.BpfObject;
import io.sonde.bpf.Program;
import io.sonde.bpf.ringbuf.RingRecord;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * ProcessProbe counts execs per cgroup and command, forks (new processes, not threads) per cgroup,
 * process exits per cgroup and reason, and OOM kills per cgroup of the victim. Exec, exit and
 * OOM-kill records also arrive one by one through a ring buffer and are published on the event bus
 * as {@link ExecEvent}, {@link ExitEvent} and {@link OomKillEvent}. Kernel side: process.bpf.c and
 * process.h (tracepoint sched_process_exec; BTF tracepoints sched_process_fork, sched_process_exit,
 * mark_victim).
 *
 * <pre>{@code
 * Probe p = new ProcessProbe(Set.of("exec")); // sonde trace exec: only the exec program is loaded
 * }</pre>
 */
public final class ProcessProbe extends BpfProbe {
    private static final int RECORD_SIZE = 176;
    private static final Map<String, String> PROGRAMS = Map.of("exec", "handle_exec", "exit", "handle_exit",
            "oom_kill", "handle_oom_victim", "fork", "handle_fork");

    private final Set<String> hooks;
    private EventRing events;

    /** The probe with every program: counts and events of every kind. */
    public ProcessProbe() {
        this(PROGRAMS.keySet());
    }

    /** A probe that loads only the programs of these kinds (exec, exit, oom_kill, fork): for the trace tools. */
    public ProcessProbe(Set<String> kinds) {
        super("process", "/bpf/process.bpf.o");
        for (String k : kinds) {
            if (!PROGRAMS.containsKey(k)) {
                throw new IllegalArgumentException("process probe: unknown kind \"" + k + "\"; the kinds are "
                        + new TreeSet<>(PROGRAMS.keySet()));
            }
        }
        this.hooks = Set.copyOf(kinds);
    }

    @Override
    public String description() {
        return "execs, forks, exits and OOM kills per cgroup, with exec/exit/OOM records (tracepoint "
                + "sched_process_exec; BTF tracepoints sched_process_fork, sched_process_exit, mark_victim)";
    }

    @Override
    protected void configure(BpfObject object) {
        PROGRAMS.forEach((kind, program) -> object.program(program).setAutoload(hooks.contains(kind)));
    }

    @Override
    protected List<Attachment> attachments() {
        List<Attachment> out = new ArrayList<>();
        for (String kind : List.of("exec", "fork", "exit", "oom_kill")) {
            if (hooks.contains(kind)) {
                out.add(Attachment.of(PROGRAMS.get(kind), Program::attach));
            }
        }
        return out;
    }

    @Override
    protected void started(BpfObject object) {
        events = EventRing.start(name(), object.map("process_events"), context.events(), this::decode);
    }

    /** Decodes a ring-buffer record (process.h struct process_event); attribution fills cgroup and container. */
    Event decode(RingRecord r) {
        if (r.length() < RECORD_SIZE) {
            throw new IllegalArgumentException("process record of " + r.length() + " bytes, expected "
                    + RECORD_SIZE);
        }
        long ts = r.getLong(0);
        long cgroupId = r.getLong(8);
        Attribution a = context.attribution();
        String cgroup = a.cgroupPath(cgroupId);
        String container = a.container(cgroup);
        int pid = r.getInt(20);
        int ppid = r.getInt(24);
        String comm = r.getString(32, 16);
        return switch (r.getInt(16)) {
            case 1 -> new ExecEvent(ts, cgroupId, cgroup, container, pid, ppid, comm, r.getString(48, 128));
            case 2 -> {
                int code = r.getInt(28);
                yield new ExitEvent(ts, cgroupId, cgroup, container, pid, ppid, comm, (code >> 8) & 0xff,
                        code & 0x7f);
            }
            case 3 -> new OomKillEvent(ts, cgroupId, cgroup, container, pid, ppid, comm);
            default -> throw new IllegalArgumentException("process record of unknown type " + r.getInt(16));
        };
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
        CounterFamily execs = new CounterFamily("sonde_process_execs", "Programs executed (tracepoint "
                + "sched_process_exec), per cgroup and command.", context.budget(), "cgroup", "container", "comm");
        CounterFamily forks = new CounterFamily("sonde_process_forks", "New processes (not threads) created, per "
                + "cgroup of the parent (BTF tracepoint sched_process_fork).", context.budget(), "cgroup", "container");
        CounterFamily exits = new CounterFamily("sonde_process_exits", "Processes that exited, per cgroup and reason:"
                + " normal, error (non-zero status) or the killing signal (BTF tracepoint sched_process_exit).",
                context.budget(), "cgroup", "container", "reason");
        CounterFamily ooms = new CounterFamily("sonde_oom_kills", "Processes killed by the OOM killer, per cgroup of "
                + "the victim (BTF tracepoint mark_victim).", context.budget(), "cgroup", "container");
        if (object() != null) {
            try {
                read(execs, forks, exits, ooms);
            } catch (RuntimeException e) {
                context.self().mapError("process", "read");
            }
        }
        return MetricSnapshots.of(execs.snapshot(), forks.snapshot(), exits.snapshot(), ooms.snapshot());
    }

    private void read(CounterFamily execs, CounterFamily forks, CounterFamily exits, CounterFamily ooms) {
        BpfMap execMap = map("exec_counts");
        forEachCgroupEntry(execMap, (cgroup, container, k, v) -> execs.add(execMap.sumPerCpu(v, 0), cgroup, container,
                comm(k.array(), 8)));
        BpfMap forkMap = map("fork_counts");
        forEachCgroupEntry(forkMap, (cgroup, container, k, v) -> forks.add(forkMap.sumPerCpu(v, 0), cgroup,
                container));
        BpfMap exitMap = map("exit_counts");
        forEachCgroupEntry(exitMap, (cgroup, container, k, v) -> {
            int reason = k.getInt(8);
            String label = reason == 0 ? "normal" : reason == 1 ? "error" : SignalName.of(reason & 0xff);
            exits.add(exitMap.sumPerCpu(v, 0), cgroup, container, label);
        });
        Attribution a = context.attribution();
        BpfMap oomMap = map("oom_counts");
        for (BpfMap.Entry e : oomMap.entries()) {
            long id = ByteBuffer.wrap(e.key()).order(ByteOrder.nativeOrder()).getLong(0);
            String cgroup = a.cgroupPath(id);
            ooms.add(BpfMap.longAt(e.value(), 0), cgroup, a.container(cgroup));
        }
    }

    private static String comm(byte[] key, int offset) {
        int n = 0;
        while (n < 16 && key[offset + n] != 0) {
            n++;
        }
        return new String(key, offset, n, StandardCharsets.UTF_8);
    }
}
