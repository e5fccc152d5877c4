package io.sonde.agent.check;

import io.sonde.bpf.AttachType;
import io.sonde.bpf.BpfException;
import io.sonde.bpf.BpfObject;
import io.sonde.bpf.Kernel;
import io.sonde.bpf.Link;
import io.sonde.bpf.PerfEvent;
import io.sonde.bpf.Program;
import io.sonde.bpf.TcDirection;
import io.sonde.bpf.Uprobe;
import io.sonde.bpf.XdpMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * ProgramTypeChecks loads each trivial program of {@code check.bpf.c} for real, one per fresh object,
 * and attaches it where that is cheap and harmless, to learn which program types this kernel takes.
 */
final class ProgramTypeChecks {
    private ProgramTypeChecks() {}

    static final String OBJECT = "/bpf/check.bpf.o";

    /** Attaches a loaded program; the result detaches (and frees what it opened) when closed. */
    private interface Attacher {
        AutoCloseable attach(Program program);
    }

    /** One program type: its key, the program in check.bpf.c, what attaching does, and how. */
    private record Hook(String name, String program, String target, Attacher attacher) {}

    /** Runs every check in order; cgroup2 is the cgroup v2 mount, or null when there is none. */
    static List<Feature> run(Path cgroup2) {
        int self = (int) ProcessHandle.current().pid();
        List<Hook> hooks = List.of(
                new Hook("tracepoint", "check_tracepoint", "syscalls/sys_enter_getpid",
                        p -> p.attachTracepoint("syscalls", "sys_enter_getpid")),
                new Hook("raw_tracepoint", "check_raw_tracepoint", "sys_enter", p -> p.attachRawTracepoint("sys_enter")),
                new Hook("tp_btf", "check_tp_btf", "sched_switch", Program::attachBtfTracepoint),
                new Hook("kprobe", "check_kprobe", "do_sys_openat2", Program::attach),
                new Hook("fentry", "check_fentry", "do_sys_openat2", Program::attachBtfTracepoint),
                new Hook("uprobe", "check_uprobe", "libc.so.6:getpid in this process",
                        p -> p.attachUprobe(Uprobe.symbol("libc.so.6", "getpid").pid(self))),
                new Hook("perf_event", "check_perf_event", "cpu-clock on every online CPU",
                        p -> p.attachPerfEvent(PerfEvent.cpuClock())),
                new Hook("xdp", "check_xdp", "lo, generic mode", p -> p.attachXdp(Kernel.ifindex("lo"), XdpMode.GENERIC)),
                new Hook("tc", "check_tc", "lo ingress (tcx)", p -> p.attachTc(Kernel.ifindex("lo"), TcDirection.INGRESS)),
                new Hook("cgroup_skb", "check_cgroup_skb", cgroup2 == null ? "no cgroup v2 mount" : cgroup2 + " ingress",
                        p -> attachCgroup(p, cgroup2)),
                new Hook("socket_filter", "check_socket_filter", "a UDP socket", ProgramTypeChecks::attachSocket),
                new Hook("lsm", "check_lsm", "file_open", Program::attachBtfTracepoint));
        List<Feature> features = new ArrayList<>();
        for (Hook hook : hooks) {
            features.add(check(hook));
        }
        return features;
    }

    private static Feature check(Hook hook) {
        try (BpfObject object = BpfObject.openResource(ProgramTypeChecks.class, OBJECT)) {
            for (Program p : object.programs()) {
                p.setAutoload(p.name().equals(hook.program()));
            }
            try {
                object.load();
            } catch (BpfException e) {
                return Feature.failed(hook.name(), "load failed", e, hint(hook, e));
            }
            try (AutoCloseable attached = hook.attacher().attach(object.program(hook.program()))) {
                return Feature.yes(hook.name(), "loaded, attached to " + hook.target());
            } catch (BpfException e) {
                return Feature.failed(hook.name(), "loaded; attach to " + hook.target() + " failed", e, hint(hook, e));
            }
        } catch (BpfException e) {
            return Feature.failed(hook.name(), "open failed", e);
        } catch (Exception e) {
            // not a kernel refusal (no socket, a missing cgroup mount): say what it was, keep checking
            return Feature.no(hook.name(), String.valueOf(e.getMessage()));
        }
    }

    /** A better explanation than libbpf's for failures whose cause is known, or null. */
    private static String hint(Hook hook, BpfException e) {
        if (hook.name().equals("kprobe") && !Files.exists(Kernel.TRACEFS.resolve("kprobe_events"))) {
            return "this kernel has no kprobes: tracefs has no kprobe_events";
        }
        if (e.errnoName().equals("EPERM") && e.operation().equals("load")) {
            return "the kernel refuses this program type, although this process is privileged";
        }
        return null;
    }

    private static AutoCloseable attachCgroup(Program program, Path cgroup2) {
        if (cgroup2 == null) {
            throw new IllegalStateException("no cgroup v2 file system is mounted");
        }
        return program.attachCgroup(cgroup2, AttachType.CGROUP_INET_INGRESS);
    }

    private static AutoCloseable attachSocket(Program program) {
        DatagramSocketFd socket = DatagramSocketFd.open();
        try {
            Link link = program.attachSocket(socket.fd());
            return () -> {
                try (socket; link) {
                    // closing detaches the filter, then closes the socket
                }
            };
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }
}
