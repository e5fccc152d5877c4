package io.sonde.bpf;

import io.sonde.bpf.internal.LibBpf;
import io.sonde.bpf.internal.LibC;
import io.sonde.bpf.internal.LibbpfLog;
import io.sonde.bpf.internal.Native;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Program is one BPF program of a {@link BpfObject}: its name, section, type and, once loaded, its
 * file descriptor. The attach methods return a {@link Link} that detaches on close.
 *
 * <pre>{@code
 * Program p = object.program("count_openat");
 * try (Link link = p.attach()) {              // hook taken from SEC("tracepoint/syscalls/sys_enter_openat")
 *     ...
 * }
 * try (Link link = p.attachTracepoint("syscalls", "sys_enter_openat")) { ... }  // the same, explicitly
 * }</pre>
 */
public final class Program {
    private static final int SOL_SOCKET = 1;
    private static final int SO_ATTACH_BPF = 50;
    private static final int PERF_FLAG_FD_CLOEXEC = 8;

    private final BpfObject object;
    private final MemorySegment prog;
    private final String name;
    private final String section;

    Program(BpfObject object, MemorySegment prog) {
        this.object = object;
        this.prog = prog;
        this.name = Native.string(LibBpf.programName(prog));
        this.section = Native.string(LibBpf.programSection(prog));
    }

    /** The program's function name. */
    public String name() {
        return name;
    }

    /** The ELF section it came from, such as {@code tracepoint/syscalls/sys_enter_openat}. */
    public String section() {
        return section;
    }

    /** The program type libbpf chose from the section name. */
    public ProgramType type() {
        return ProgramType.of(LibBpf.programType(prog));
    }

    /** The object this program belongs to. */
    public BpfObject object() {
        return object;
    }

    /** The program's file descriptor; valid after a successful load. */
    public int fd() {
        object.ensureLoaded("program_fd");
        int fd = LibBpf.programFd(prog);
        if (fd < 0) {
            throw new BpfException("program_fd", 0, object.name(), name, "the program was not loaded (autoload off?)",
                    null);
        }
        return fd;
    }

    /** Whether load() loads this program. */
    public boolean autoload() {
        return LibBpf.programAutoload(prog);
    }

    /** Switches loading of this program on or off; only before load. */
    public Program setAutoload(boolean on) {
        object.ensureNotLoaded("set_autoload");
        int err = LibBpf.programSetAutoload(prog, on);
        if (err < 0) {
            throw new BpfException("set_autoload", -err, object.name(), name, null, null);
        }
        return this;
    }

    /**
     * Sets the kernel function or BTF tracepoint a tracing program attaches to (tp_btf, fentry), in
     * place of the one its section names; only before load.
     */
    public Program setAttachTarget(String target) {
        object.ensureNotLoaded("set_attach_target");
        try (Arena a = Arena.ofConfined()) {
            int err = LibBpf.programSetAttachTarget(prog, 0, a.allocateFrom(target));
            if (err < 0) {
                throw new BpfException("set_attach_target", -err, object.name(), name, "target " + target, null);
            }
        }
        return this;
    }

    MemorySegment handle() {
        return prog;
    }

    private Link checked(String op, String what, MemorySegment capture, MemorySegment link, List<String> warnings) {
        if (link.equals(MemorySegment.NULL)) {
            throw new BpfException(op, Native.errno(capture), object.name(), name,
                    "cannot attach " + what + BpfObject.warningText(warnings), null);
        }
        return Link.ofLibbpf(what, link, this);
    }

    private interface Attacher {
        MemorySegment attach(MemorySegment capture, Arena arena);
    }

    private Link libbpfAttach(String op, String what, Attacher attacher) {
        object.ensureLoaded(op);
        fd();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = Native.capture();
            List<String> warnings = LibbpfLog.capture();
            MemorySegment link;
            try {
                link = attacher.attach(capture, a);
            } finally {
                LibbpfLog.endCapture();
            }
            return checked(op, what, capture, link, warnings);
        }
    }

    /** Attaches to the hook the section name gives (tracepoint/..., raw_tp/..., tp_btf/..., uprobe/..., ...). */
    public Link attach() {
        return libbpfAttach("attach", "section " + section, (c, a) -> LibBpf.attach(c, prog));
    }

    /** Attaches to a classic tracepoint, such as ("sched", "sched_switch"). */
    public Link attachTracepoint(String category, String tracepoint) {
        return libbpfAttach("attach_tracepoint", "tracepoint " + category + "/" + tracepoint,
                (c, a) -> LibBpf.attachTracepoint(c, prog, a.allocateFrom(category), a.allocateFrom(tracepoint)));
    }

    /** Attaches to a raw tracepoint, such as "sys_enter". */
    public Link attachRawTracepoint(String tracepoint) {
        return libbpfAttach("attach_raw_tracepoint", "raw tracepoint " + tracepoint,
                (c, a) -> LibBpf.attachRawTracepoint(c, prog, a.allocateFrom(tracepoint)));
    }

    /**
     * Attaches a BTF-typed program (tp_btf, fentry, fexit) to the target fixed at load: its section's,
     * or the one given to {@link #setAttachTarget}.
     */
    public Link attachBtfTracepoint() {
        return libbpfAttach("attach_btf_tracepoint", "BTF tracepoint " + section,
                (c, a) -> LibBpf.attachTrace(c, prog));
    }

    /** Attaches a uprobe or uretprobe. */
    public Link attachUprobe(Uprobe probe) {
        String what = (probe.retprobe() ? "uretprobe " : "uprobe ") + probe.binary() + ":"
                + (probe.symbol() != null ? probe.symbol() : "") + (probe.offset() > 0 ? "+" + probe.offset() : "")
                + (probe.pid() >= 0 ? " pid " + probe.pid() : "");
        return libbpfAttach("attach_uprobe", what, (c, a) -> {
            // struct bpf_uprobe_opts (libbpf 1.1): sz, ref_ctr_offset, bpf_cookie, retprobe, func_name
            MemorySegment opts = a.allocate(40, 8);
            opts.set(ValueLayout.JAVA_LONG, 0, 40);
            opts.set(ValueLayout.JAVA_BOOLEAN, 24, probe.retprobe());
            opts.set(ValueLayout.ADDRESS, 32, Native.cString(a, probe.symbol()));
            return LibBpf.attachUprobe(c, prog, probe.pid(), a.allocateFrom(probe.binary()), probe.offset(), opts);
        });
    }

    /**
     * Opens a sampling perf event on every online CPU and attaches this program to each; the link
     * closes all of them. Fails when the machine lacks the counter (a VM without a PMU has no
     * hardware events: use {@link PerfEvent#cpuClock()}).
     */
    public Link attachPerfEvent(PerfEvent event) {
        object.ensureLoaded("attach_perf_event");
        List<Link> parts = new ArrayList<>();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(128, 8);
            attr.set(ValueLayout.JAVA_INT, 0, event.type());
            attr.set(ValueLayout.JAVA_INT, 4, 128);
            attr.set(ValueLayout.JAVA_LONG, 8, event.config());
            boolean freq = event.frequency() > 0;
            attr.set(ValueLayout.JAVA_LONG, 16, freq ? event.frequency() : event.period());
            attr.set(ValueLayout.JAVA_LONG, 40, freq ? 1L << 10 : 0L); // flags: freq bit
            for (int cpu : Kernel.onlineCpus()) {
                MemorySegment capture = Native.capture();
                long pfd = LibC.perfEventOpen(capture, Kernel.perfEventOpenSyscall(), attr, -1, cpu, -1,
                        PERF_FLAG_FD_CLOEXEC);
                if (pfd < 0) {
                    int errno = Native.errno(capture);
                    parts.forEach(Link::close);
                    throw new BpfException("perf_event_open", errno, object.name(), name,
                            "cannot open perf event type " + event.type() + " config " + event.config() + " on cpu "
                                    + cpu, null);
                }
                List<String> warnings = LibbpfLog.capture();
                MemorySegment link;
                try {
                    link = LibBpf.attachPerfEvent(capture, prog, (int) pfd);
                } finally {
                    LibbpfLog.endCapture();
                }
                if (link.equals(MemorySegment.NULL)) {
                    int errno = Native.errno(capture);
                    LibC.close((int) pfd);
                    parts.forEach(Link::close);
                    throw new BpfException("attach_perf_event", errno, object.name(), name,
                            "cannot attach to perf event on cpu " + cpu + BpfObject.warningText(warnings), null);
                }
                parts.add(Link.ofLibbpf("perf event cpu " + cpu, link, this));
            }
        }
        return Link.ofGroup("perf event type " + event.type() + " config " + event.config() + " on "
                + parts.size() + " cpus", parts, this);
    }

    /** Attaches an XDP program to an interface (by index) through a BPF link. */
    public Link attachXdp(int ifindex, XdpMode mode) {
        if (mode == XdpMode.DEFAULT) {
            return libbpfAttach("attach_xdp", "xdp ifindex " + ifindex, (c, a) -> LibBpf.attachXdp(c, prog, ifindex));
        }
        return linkCreate("attach_xdp", "xdp ifindex " + ifindex + " " + mode, ifindex, AttachType.XDP.value(),
                mode.flags());
    }

    /** Attaches a TC (sched_cls) program to an interface's ingress or egress through a tcx link. */
    public Link attachTc(int ifindex, TcDirection direction) {
        AttachType type = direction == TcDirection.INGRESS ? AttachType.TCX_INGRESS : AttachType.TCX_EGRESS;
        return linkCreate("attach_tc", "tc " + direction.name().toLowerCase() + " ifindex " + ifindex, ifindex,
                type.value(), 0);
    }

    /** Attaches to a cgroup (a cgroup v2 directory) at the given attach point through a BPF link. */
    public Link attachCgroup(Path cgroup, AttachType type) {
        object.ensureLoaded("attach_cgroup");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = Native.capture();
            int cgfd = LibC.open(capture, a.allocateFrom(cgroup.toString()),
                    LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
            if (cgfd < 0) {
                throw new BpfException("attach_cgroup", Native.errno(capture), object.name(), name,
                        "cannot open cgroup " + cgroup, null);
            }
            try {
                return linkCreate("attach_cgroup", "cgroup " + cgroup + " " + type, cgfd, type.value(), 0);
            } finally {
                LibC.close(cgfd);
            }
        }
    }

    private Link linkCreate(String op, String what, int target, int attachType, int flags) {
        object.ensureLoaded(op);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment opts = MemorySegment.NULL;
            if (flags != 0) {
                // struct bpf_link_create_opts { size_t sz; __u32 flags; ... } (64 bytes)
                opts = a.allocate(64, 8);
                opts.set(ValueLayout.JAVA_LONG, 0, 64);
                opts.set(ValueLayout.JAVA_INT, 8, flags);
            }
            int fd = LibBpf.linkCreate(fd(), target, attachType, opts);
            if (fd < 0) {
                throw new BpfException(op, -fd, object.name(), name, "cannot attach " + what, null);
            }
            return Link.ofFd(what, fd, this);
        }
    }

    /** Attaches a socket filter to an open socket; closing the link detaches it from the socket. */
    public Link attachSocket(int socketFd) {
        object.ensureLoaded("attach_socket");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment value = a.allocate(ValueLayout.JAVA_INT);
            value.set(ValueLayout.JAVA_INT, 0, fd());
            MemorySegment capture = Native.capture();
            if (LibC.setsockopt(capture, socketFd, SOL_SOCKET, SO_ATTACH_BPF, value, 4) < 0) {
                throw new BpfException("attach_socket", Native.errno(capture), object.name(), name,
                        "cannot attach to socket fd " + socketFd, null);
            }
        }
        return Link.ofSocket("socket fd " + socketFd, socketFd, this);
    }

    /**
     * Runs the program once, now, on this CPU (BPF_PROG_TEST_RUN) with no input, and returns its return
     * value. Meant for raw tracepoint programs that do periodic work on demand (walk a map, refresh
     * values from kernel objects) rather than on an event; the program runs with the helpers of its
     * type, as it would on its hook.
     *
     * <pre>{@code
     * object.program("refresh_listed").run();   // SEC("raw_tp") int refresh_listed(void *ctx)
     * }</pre>
     */
    public int run() {
        object.ensureLoaded("test_run");
        try (Arena a = Arena.ofConfined()) {
            // struct bpf_test_run_opts (libbpf 1.x, 80 bytes): sz, then data and ctx buffers (none),
            // retval at offset 56
            MemorySegment opts = a.allocate(80, 8);
            opts.set(ValueLayout.JAVA_LONG, 0, 80);
            int rc = LibBpf.progTestRun(fd(), opts);
            if (rc < 0) {
                throw new BpfException("test_run", -rc, object.name(), name, "cannot run the program", null);
            }
            return opts.get(ValueLayout.JAVA_INT, 56);
        }
    }

    /** The kernel's information about the loaded program: id, tag, run count and time, sizes, memory. */
    public ProgramInfo info() {
        return ProgramInfo.of(fd());
    }

    /** Runs the kernel skipped because the program was already running on that CPU, so far (one system call). */
    public long recursionMisses() {
        return ProgramInfo.recursionMisses(fd());
    }

    @Override
    public String toString() {
        return "Program[" + name + ", " + section + "]";
    }
}
