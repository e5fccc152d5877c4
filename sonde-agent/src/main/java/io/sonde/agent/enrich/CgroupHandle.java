package io.sonde.agent.enrich;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * CgroupHandle finds the directory of one cgroup id directly: a cgroup id is also a kernfs file
 * handle, so {@code open_by_handle_at(2)} on the cgroup2 mount opens the cgroup's directory and
 * {@code /proc/self/fd} names it. This needs CAP_DAC_READ_SEARCH (root has it); without it, or on a
 * kernel that refuses, {@link #path} returns empty and the caller walks the tree instead.
 *
 * <pre>{@code
 * CgroupHandle handles = new CgroupHandle(Path.of("/sys/fs/cgroup"));
 * Optional<String> path = handles.path(cgroupId); // "/system.slice/nginx.service"
 * }</pre>
 */
final class CgroupHandle {
    private static final int FILEID_KERNFS = 0xfe;
    private static final int O_RDONLY_DIRECTORY_CLOEXEC = 0x10000 | 0x80000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = bind("open", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final java.lang.foreign.StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final java.lang.invoke.VarHandle ERRNO = CAPTURE.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN_BY_HANDLE = LINKER.defaultLookup().find("open_by_handle_at")
            .map(s -> LINKER.downcallHandle(s, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_INT), Linker.Option.captureCallState("errno")))
            .orElse(null);
    private static final int ENOENT = 2;
    private static final int ESTALE = 116;

    /** What {@link #lookup} returns for a cgroup the kernel says no longer exists. */
    static final String GONE = "\0gone";
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT));

    private static MethodHandle bind(String name, FunctionDescriptor fd) {
        return LINKER.defaultLookup().find(name).map(s -> LINKER.downcallHandle(s, fd)).orElse(null);
    }

    private final Path mount;
    private final int mountFd; // -1 when direct lookups do not work here

    CgroupHandle(Path mount) {
        this.mount = mount;
        int fd = open(mount);
        // only a real cgroup2 mount answers handles: its root's id must lead back to the mount itself
        if (fd >= 0 && !"/".equals(lookup(fd, mount, CgroupTree.directoryInode(mount)))) {
            close(fd);
            fd = -1;
        }
        this.mountFd = fd;
    }

    private static int open(Path dir) {
        if (OPEN == null || OPEN_BY_HANDLE == null) {
            return -1;
        }
        try (Arena a = Arena.ofConfined()) {
            return (int) OPEN.invokeExact(a.allocateFrom(dir.toString()), O_RDONLY_DIRECTORY_CLOEXEC);
        } catch (Throwable t) {
            return -1;
        }
    }

    private static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
            assert ignored >= -1;
        } catch (Throwable t) {
            // nothing more to do with it
        }
    }

    /** Whether direct lookups can work here at all. */
    boolean available() {
        return mountFd >= 0;
    }

    /** The path of the cgroup relative to the mount ("/" for the root), or empty when it is not found. */
    Optional<String> path(long cgroupId) {
        String p = lookup(cgroupId);
        return p == null || p.equals(GONE) ? Optional.empty() : Optional.of(p);
    }

    /**
     * The path of the cgroup relative to the mount, {@link #GONE} when the kernel says the id names no
     * cgroup (ESTALE), or null when this cannot tell (no capability, another error).
     */
    String lookup(long cgroupId) {
        return mountFd < 0 ? null : lookup(mountFd, mount, cgroupId);
    }

    private static String lookup(int mountFd, Path mount, long cgroupId) {
        try (Arena a = Arena.ofConfined()) {
            // struct file_handle { unsigned int handle_bytes; int handle_type; unsigned char f_handle[8]; }
            MemorySegment handle = a.allocate(16, 8);
            handle.set(ValueLayout.JAVA_INT, 0, 8);
            handle.set(ValueLayout.JAVA_INT, 4, FILEID_KERNFS);
            handle.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, cgroupId);
            MemorySegment capture = a.allocate(CAPTURE);
            int fd = (int) OPEN_BY_HANDLE.invokeExact(capture, mountFd, handle, O_RDONLY_DIRECTORY_CLOEXEC);
            if (fd < 0) {
                int errno = (int) ERRNO.get(capture, 0L);
                return errno == ESTALE || errno == ENOENT ? GONE : null;
            }
            try {
                Path dir = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd));
                if (!dir.startsWith(mount)) {
                    return null;
                }
                String rel = mount.relativize(dir).toString();
                return rel.isEmpty() ? "/" : "/" + rel;
            } finally {
                close(fd);
            }
        } catch (Throwable t) {
            return null;
        }
    }
}
