package io.sonde.bpf;

import io.sonde.bpf.internal.LibBpf;
import io.sonde.bpf.internal.LibC;
import io.sonde.bpf.internal.Native;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

/**
 * Link is one attachment of a program to a hook. Closing it detaches the program (unless the link is
 * pinned, in which case the pin keeps it alive); {@code close()} is idempotent. A link made by
 * {@link Program#attachPerfEvent} spans every online CPU and closes all of them together.
 *
 * <pre>{@code
 * try (Link link = program.attachTracepoint("syscalls", "sys_enter_openat")) {
 *     link.pin(Path.of("/sys/fs/bpf/my_link"));   // survives this process
 * }
 * }</pre>
 */
public final class Link implements AutoCloseable {
    private enum Kind { LIBBPF, FD, GROUP, SOCKET }

    private static final int SOL_SOCKET = 1;
    private static final int SO_DETACH_BPF = 27;

    private final Kind kind;
    private final String description;
    private MemorySegment libbpfLink;
    private int fd;
    private final List<Link> parts;
    private Program program;
    private boolean closed;

    private Link(Kind kind, String description, MemorySegment libbpfLink, int fd, List<Link> parts, Program program) {
        this.kind = kind;
        this.description = description;
        this.libbpfLink = libbpfLink;
        this.fd = fd;
        this.parts = parts;
        this.program = program;
    }

    static Link ofLibbpf(String description, MemorySegment link, Program program) {
        return new Link(Kind.LIBBPF, description, link, LibBpf.linkFd(link), List.of(), program);
    }

    static Link ofFd(String description, int fd, Program program) {
        return new Link(Kind.FD, description, MemorySegment.NULL, fd, List.of(), program);
    }

    static Link ofGroup(String description, List<Link> parts, Program program) {
        return new Link(Kind.GROUP, description, MemorySegment.NULL, -1, List.copyOf(parts), program);
    }

    static Link ofSocket(String description, int socketFd, Program program) {
        return new Link(Kind.SOCKET, description, MemorySegment.NULL, socketFd, List.of(), program);
    }

    /** The kernel link's file descriptor, or -1 for a group and for a socket filter (which have none). */
    public int fd() {
        return kind == Kind.LIBBPF || kind == Kind.FD ? fd : -1;
    }

    /** What this link attaches, such as {@code tracepoint syscalls/sys_enter_openat}. */
    public String description() {
        return description;
    }

    /** The program this link runs now (changed by {@link #update}). */
    public Program program() {
        return program;
    }

    /** The links a multi-CPU attachment is made of (one per CPU), or an empty list. */
    public List<Link> parts() {
        return parts;
    }

    /** Pins the link in the BPF file system, so that it outlives this process. */
    public void pin(Path path) {
        ensureOpen("pin");
        if (kind == Kind.GROUP || kind == Kind.SOCKET) {
            throw new BpfException("pin_link", 0, null, program.name(), description + " cannot be pinned", null);
        }
        try (Arena a = Arena.ofConfined()) {
            int err = kind == Kind.LIBBPF ? LibBpf.linkPin(libbpfLink, a.allocateFrom(path.toString()))
                    : LibBpf.objPin(fd, a.allocateFrom(path.toString()));
            if (err < 0) {
                throw new BpfException("pin_link", -err, null, program.name(), "cannot pin at " + path, null);
            }
        }
    }

    /**
     * Replaces the program behind this link atomically, without a moment in which the hook runs
     * nothing. The kernel supports this for BPF links of XDP, cgroup, tcx, iterator and some tracing
     * hooks; elsewhere it refuses with EOPNOTSUPP or EINVAL.
     */
    public void update(Program newProgram) {
        ensureOpen("update_link");
        int err = switch (kind) {
            case LIBBPF -> LibBpf.linkUpdateProgram(libbpfLink, newProgram.handle());
            case FD -> LibBpf.linkUpdate(fd, newProgram.fd(), MemorySegment.NULL);
            default -> -95; // EOPNOTSUPP
        };
        if (err < 0) {
            throw new BpfException("update_link", -err, null, newProgram.name(),
                    "cannot update " + description, null);
        }
        this.program = newProgram;
    }

    private void ensureOpen(String op) {
        if (closed) {
            throw new BpfException(op, 0, null, program.name(), "the link " + description + " is closed", null);
        }
    }

    /** Whether {@link #close()} has run. */
    public boolean closed() {
        return closed;
    }

    /** Detaches (unless pinned) and releases the link. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        switch (kind) {
            case LIBBPF -> LibBpf.linkDestroy(libbpfLink);
            case FD -> LibC.close(fd);
            case GROUP -> parts.forEach(Link::close);
            case SOCKET -> {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment zero = a.allocate(ValueLayout.JAVA_INT);
                    LibC.setsockopt(Native.capture(), fd, SOL_SOCKET, SO_DETACH_BPF, zero, 4);
                }
            }
        }
        libbpfLink = MemorySegment.NULL;
        fd = -1;
    }

    @Override
    public String toString() {
        return "Link[" + description + (closed ? ", closed" : "") + "]";
    }
}
