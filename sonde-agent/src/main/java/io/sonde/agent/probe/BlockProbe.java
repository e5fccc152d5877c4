package io.sonde.agent.probe;

import io.sonde.agent.enrich.BlockDeviceNames;
import io.sonde.agent.metrics.CounterFamily;
import io.sonde.agent.metrics.Log2Histogram;
import io.sonde.bpf.BpfException;
import io.sonde.bpf.BpfMap;
import io.sonde.bpf.BpfObject;
import io.sonde.bpf.Kernel;
import io.sonde.bpf.Program;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * BlockProbe counts block requests and their bytes per disk and operation, times each request from
 * issue to completion, and counts the bytes per cgroup of the task that started the request.
 * Kernel side: block.bpf.c and block.h.
 *
 * <p>Hooks: {@code block_rq_issue} and {@code block_rq_complete} (issue time kept per request pointer),
 * {@code block_io_start} (6.5 and later; it runs where the bio is turned into a request, in the
 * submitting task, so the request's owner is that task's cgroup) and {@code block_rq_merge} (a
 * request absorbed by another is forgotten). BTF tracepoints are loaded first; when they do not load
 * or attach, the same handlers as raw tracepoints. Without {@code block_io_start} the owner is the task
 * at issue, which is the submitter only when the request is issued at once (no scheduler, no plug).
 *
 * <p>Map layouts (block.h): {@code block_io} is a per-CPU hash keyed by {dev u32, op u32} of {requests
 * u64, bytes u64, latency slots u64[40], latency sum_ns u64}; {@code block_cgroup_bytes} a per-CPU hash
 * keyed by {cgroup_id u64, dev u32, op u32} of u64 bytes. dev is the kernel's dev_t (major &lt;&lt; 20 |
 * minor) of the whole disk; op is 0 read, 1 write, 2 flush, 3 discard, 4 other.
 */
public final class BlockProbe extends BpfProbe {
    private static final System.Logger LOG = System.getLogger("io.sonde.agent.probe.block");
    private static final String[] OPS = {"read", "write", "flush", "discard", "other"};
    private static final String[] HOOKS = {"io_start", "rq_issue", "rq_complete", "rq_merge"};
    private static final int STATS_BYTES = (2 + Log2Histogram.SLOTS + 1) * 8;

    private final BlockDeviceNames devices = new BlockDeviceNames();
    private final List<Attachment> attachments = new ArrayList<>();
    private boolean btf = true;

    public BlockProbe() {
        super("block", "/bpf/block.bpf.o");
    }

    @Override
    public String description() {
        return "block requests, bytes and issue-to-completion latency per disk and op, bytes per cgroup (BTF "
                + "tracepoints block_io_start, block_rq_issue, block_rq_complete, block_rq_merge)";
    }

    @Override
    public void start(ProbeContext ctx) {
        btf = true;
        try {
            super.start(ctx);
        } catch (BpfException e) {
            LOG.log(System.Logger.Level.INFO, "event=fallback probe=block from=tp_btf to=raw_tp reason=\"{0}\"",
                    e.getMessage());
            btf = false;
            super.start(ctx);
        }
    }

    @Override
    protected void configure(BpfObject object) {
        boolean ioStart = Files.isDirectory(Kernel.TRACEFS.resolve("events/block/block_io_start"));
        object.setGlobal("owner_at_issue", !ioStart);
        attachments.clear();
        for (String hook : HOOKS) {
            boolean wanted = ioStart || !hook.equals("io_start");
            object.program("btf_" + hook).setAutoload(btf && wanted);
            object.program("raw_" + hook).setAutoload(!btf && wanted);
            if (wanted) {
                attachments.add(Attachment.of((btf ? "btf_" : "raw_") + hook, Program::attach));
            }
        }
    }

    @Override
    protected List<Attachment> attachments() {
        return attachments;
    }

    @Override
    public MultiCollector metrics() {
        return this::collect;
    }

    private MetricSnapshots collect() {
        CounterFamily requests = new CounterFamily("sonde_block_io_requests", "Block requests completed, per disk and "
                + "op (BTF tracepoint block_rq_complete).", context.budget(), "device", "op");
        CounterFamily bytes = new CounterFamily("sonde_block_io_bytes", "Bytes of block requests completed, per disk "
                + "and op (BTF tracepoint block_rq_complete).", context.budget(), "device", "op");
        Log2Histogram latency = new Log2Histogram("sonde_block_io_latency_seconds", "Time from a block request's "
                + "issue to the driver to its completion, per disk and op (BTF tracepoints block_rq_issue and "
                + "block_rq_complete).", context.budget(), "device", "op");
        CounterFamily cgroupBytes = new CounterFamily("sonde_block_io_cgroup_bytes", "Bytes of block requests "
                + "completed, per cgroup of the task that started the request, disk and op (BTF tracepoints "
                + "block_io_start and block_rq_complete).", context.budget(), "cgroup", "container", "device", "op");
        readDevices(requests, bytes, latency);
        readCgroups(cgroupBytes);
        return MetricSnapshots.of(requests.snapshot(), bytes.snapshot(), latency.snapshot(), cgroupBytes.snapshot());
    }

    private void readDevices(CounterFamily requests, CounterFamily bytes, Log2Histogram latency) {
        BpfMap map = map("block_io");
        if (map == null) {
            return;
        }
        try {
            for (BpfMap.Entry e : map.entries()) {
                ByteBuffer k = ByteBuffer.wrap(e.key()).order(ByteOrder.nativeOrder());
                int dev = k.getInt(0);
                if (dev != 0 && !devices.exists(dev)) {
                    map.delete(e.key());
                    continue;
                }
                String device = deviceName(dev);
                String op = opName(k.getInt(4));
                ByteBuffer v = ByteBuffer.wrap(e.value()).order(ByteOrder.nativeOrder());
                long n = 0;
                long b = 0;
                long sum = 0;
                long[] slots = new long[Log2Histogram.SLOTS];
                for (int cpu = 0; cpu + STATS_BYTES <= e.value().length; cpu += STATS_BYTES) {
                    n += v.getLong(cpu);
                    b += v.getLong(cpu + 8);
                    for (int s = 0; s < Log2Histogram.SLOTS; s++) {
                        slots[s] += v.getLong(cpu + 16 + s * 8);
                    }
                    sum += v.getLong(cpu + 16 + Log2Histogram.SLOTS * 8);
                }
                requests.add(n, device, op);
                bytes.add(b, device, op);
                latency.add(slots, sum, device, op);
            }
        } catch (RuntimeException ex) {
            context.self().mapError("block_io", "read");
        }
    }

    private void readCgroups(CounterFamily cgroupBytes) {
        BpfMap map = map("block_cgroup_bytes");
        if (map == null) {
            return;
        }
        Attribution attribution = context.attribution();
        try {
            for (BpfMap.Entry e : map.entries()) {
                ByteBuffer k = ByteBuffer.wrap(e.key()).order(ByteOrder.nativeOrder());
                long cgroupId = k.getLong(0);
                int dev = k.getInt(8);
                if (attribution.cgroupGone(cgroupId) || (dev != 0 && !devices.exists(dev))) {
                    map.delete(e.key());
                    continue;
                }
                String cgroup = attribution.cgroupPath(cgroupId);
                cgroupBytes.add(map.sumPerCpu(e.value(), 0), cgroup, attribution.container(cgroup), deviceName(dev),
                        opName(k.getInt(12)));
            }
        } catch (RuntimeException ex) {
            context.self().mapError("block_cgroup_bytes", "read");
        }
    }

    private String deviceName(int dev) {
        return dev == 0 ? "unknown" : devices.name(dev);
    }

    private static String opName(int op) {
        return op >= 0 && op < OPS.length ? OPS[op] : "other";
    }
}
