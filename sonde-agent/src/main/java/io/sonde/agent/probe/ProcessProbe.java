package io.sonde.agent.probe;

import io.sonde.agent.metrics.CounterFamily;
import io.sonde.bpf.BpfMap;
import io.sonde.bpf.BpfObject;
import io.sonde.bpf.Program;
import io.sonde.bpf.ringbuf.RingBuffer;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;

/**
 * ProcessProbe counts execs per cgroup and command, forks (new processes, not threads) per cgroup,
 * process exits per cgroup and reason, and OOM kills per cgroup of the victim. Exec, exit and
 * OOM-kill records also arrive one by one through a ring buffer and are kept in a bounded log.
 * Kernel side: process.bpf.c and process.h (tracepoint sched_process_exec; BTF tracepoints
 * sched_process_fork, sched_process_exit, mark_victim).
 */
public final class ProcessProbe extends BpfProbe {
    private static final System.Logger LOG = System.getLogger("io.sonde.agent.probe.process");

    private final ArrayDeque<ProcessEvent> log = new ArrayDeque<>();
    private int logSize = 1000;
    private RingBuffer ring;
    private Thread consumer;

    public ProcessProbe() {
        super("process", "/bpf/process.bpf.o");
    }

    @Override
    public String description() {
        return "execs, forks, exits and OOM kills per cgroup, with exec/exit/OOM records (tracepoint "
                + "sched_process_exec; BTF tracepoints sched_process_fork, sched_process_exit, mark_victim)";
    }

    @Override
    protected void configure(BpfObject object) {
        logSize = context.config().probes().process().eventLogSize();
    }

    @Override
    protected List<Attachment> attachments() {
        return List.of(Attachment.of("handle_exec", Program::attach), Attachment.of("handle_fork", Program::attach),
                Attachment.of("handle_exit", Program::attach), Attachment.of("handle_oom_victim", Program::attach));
    }

    @Override
    protected void started(BpfObject object) {
        ring = new RingBuffer(object.map("process_events"));
        consumer = Thread.ofPlatform().daemon().name("sonde-process-events").start(this::consume);
    }

    private void consume() {
        RingBuffer r = ring;
        while (true) {
            int n = r.poll(Duration.ofMillis(500), rec -> {
                try {
                    remember(ProcessEvent.decode(rec, context.attribution()));
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "event=bad_record probe=process error=\"{0}\"",
                            e.getMessage());
                }
            });
            if (n < 0) {
                return;
            }
        }
    }

    private void remember(ProcessEvent e) {
        synchronized (log) {
            if (log.size() >= logSize) {
                log.removeFirst();
            }
            log.addLast(e);
        }
    }

    /** The most recent exec, exit and OOM-kill events, oldest first. */
    public List<ProcessEvent> recentEvents() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    @Override
    public long eventsLost() {
        BpfMap lost = map("events_lost");
        return lost == null ? 0 : lost.sumLong(0);
    }

    @Override
    protected void stopping() {
        if (ring != null) {
            ring.close();
        }
        if (consumer != null) {
            try {
                consumer.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
