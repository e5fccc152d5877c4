package io.sonde.agent.probe;

import io.sonde.agent.enrich.Errno;
import io.sonde.agent.metrics.CounterFamily;
import io.sonde.bpf.BpfMap;
import io.sonde.bpf.BpfObject;
import io.sonde.bpf.Kernel;
import io.sonde.bpf.Program;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * FilesProbe counts file opens per cgroup, and failed opens per errno, from the exit tracepoints of
 * openat and openat2, and of open and creat where the architecture has them (x86_64 does, arm64
 * does not). Kernel side: files.bpf.c and files.h ({@code file_opens}: per-CPU hash keyed by
 * {cgroup_id u64, errno u32 (0 for success), pad u32}).
 */
public final class FilesProbe extends BpfProbe {
    private static final String[] SYSCALLS = {"openat", "openat2", "open", "creat"};
    private final List<Attachment> attachments = new ArrayList<>();

    public FilesProbe() {
        super("files", "/bpf/files.bpf.o");
    }

    @Override
    public String description() {
        return "file opens and failed opens per cgroup (tracepoints syscalls/sys_exit_open, creat, openat, openat2)";
    }

    @Override
    protected void configure(BpfObject object) {
        attachments.clear();
        for (String call : SYSCALLS) {
            boolean exists = Files.isDirectory(Kernel.TRACEFS.resolve("events/syscalls/sys_exit_" + call));
            object.program("exit_" + call).setAutoload(exists);
            if (exists) {
                attachments.add(Attachment.of("exit_" + call, Program::attach));
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
        CounterFamily opens = new CounterFamily("sonde_file_opens", "File open calls (open, creat, openat, openat2), "
                + "successful or not, per cgroup.", context.budget(), "cgroup", "container");
        CounterFamily errors = new CounterFamily("sonde_file_open_errors", "File open calls that failed, per cgroup "
                + "and errno.", context.budget(), "cgroup", "container", "errno");
        BpfMap map = map("file_opens");
        if (map != null) {
            try {
                forEachCgroupEntry(map, (cgroup, container, k, v) -> {
                    long n = map.sumPerCpu(v, 0);
                    opens.add(n, cgroup, container);
                    int err = k.getInt(8);
                    if (err != 0) {
                        errors.add(n, cgroup, container, Errno.name(err));
                    }
                });
            } catch (RuntimeException e) {
                context.self().mapError("file_opens", "read");
            }
        }
        return MetricSnapshots.of(opens.snapshot(), errors.snapshot());
    }
}
