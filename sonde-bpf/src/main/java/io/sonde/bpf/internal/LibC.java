package io.sonde.bpf.internal;

import static io.sonde.bpf.internal.Native.CAPTURE_ERRNO;
import static io.sonde.bpf.internal.Native.C_INT;
import static io.sonde.bpf.internal.Native.C_LONG;
import static io.sonde.bpf.internal.Native.C_POINTER;
import static io.sonde.bpf.internal.Native.LINKER;
import static io.sonde.bpf.internal.Native.bind;
import static io.sonde.bpf.internal.Native.rethrow;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * LibC holds the downcall handles into the C library that the binding needs beside libbpf: memory
 * mapping, epoll, eventfd, perf_event_open, mount, sockets. Calls that can fail take a capture
 * segment first and return -1 with errno in it, as the C functions do.
 */
public final class LibC {
    private LibC() {}

    private static final SymbolLookup LIBC = LINKER.defaultLookup();

    private static MethodHandle e(String name, FunctionDescriptor fd) {
        return bind(LIBC, name, fd, CAPTURE_ERRNO);
    }

    private static MethodHandle h(String name, FunctionDescriptor fd) {
        return bind(LIBC, name, fd);
    }

    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int EPOLLIN = 1;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;
    public static final int O_RDONLY = 0;
    public static final int O_DIRECTORY = 0x10000;
    public static final int O_CLOEXEC = 0x80000;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;

    private static final MethodHandle MMAP =
            e("mmap", FunctionDescriptor.of(C_POINTER, C_POINTER, C_LONG, C_INT, C_INT, C_INT, C_LONG));
    private static final MethodHandle MUNMAP = e("munmap", FunctionDescriptor.of(C_INT, C_POINTER, C_LONG));
    private static final MethodHandle EPOLL_CREATE1 = e("epoll_create1", FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle EPOLL_CTL =
            e("epoll_ctl", FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT, C_POINTER));
    private static final MethodHandle EPOLL_WAIT =
            e("epoll_wait", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT, C_INT));
    private static final MethodHandle EVENTFD = e("eventfd", FunctionDescriptor.of(C_INT, C_INT, C_INT));
    private static final MethodHandle WRITE = e("write", FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG));
    private static final MethodHandle READ = e("read", FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG));
    private static final MethodHandle CLOSE = e("close", FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle OPEN = e("open", FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    private static final MethodHandle MOUNT =
            e("mount", FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_LONG, C_POINTER));
    /** syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags): variadic after the number. */
    private static final MethodHandle SYSCALL_PERF = bind(LIBC, "syscall",
            FunctionDescriptor.of(C_LONG, C_LONG, C_POINTER, C_INT, C_INT, C_INT, C_LONG),
            Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    private static final MethodHandle SYSCALL0 = bind(LIBC, "syscall", FunctionDescriptor.of(C_LONG, C_LONG));
    private static final MethodHandle GETPID = h("getpid", FunctionDescriptor.of(C_INT));
    private static final MethodHandle GETTID = h("gettid", FunctionDescriptor.of(C_INT));
    private static final MethodHandle GETPPID = h("getppid", FunctionDescriptor.of(C_INT));
    private static final MethodHandle GETPAGESIZE = h("getpagesize", FunctionDescriptor.of(C_INT));
    private static final MethodHandle IF_NAMETOINDEX = e("if_nametoindex", FunctionDescriptor.of(C_INT, C_POINTER));
    private static final MethodHandle STRERRORNAME_NP = h("strerrorname_np", FunctionDescriptor.of(C_POINTER, C_INT));
    private static final MethodHandle STRERROR = h("strerror", FunctionDescriptor.of(C_POINTER, C_INT));
    private static final MethodHandle VSNPRINTF =
            h("vsnprintf", FunctionDescriptor.of(C_INT, C_POINTER, C_LONG, C_POINTER, C_POINTER));
    private static final MethodHandle SOCKET = e("socket", FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT));
    private static final MethodHandle SETSOCKOPT =
            e("setsockopt", FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT, C_POINTER, C_INT));
    private static final MethodHandle BIND = e("bind", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT));
    private static final MethodHandle RECV = e("recv", FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG, C_INT));
    private static final MethodHandle GETSOCKNAME =
            e("getsockname", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER));

    public static MemorySegment mmap(MemorySegment capture, long length, int prot, int flags, int fd, long offset) {
        try {
            return (MemorySegment) MMAP.invokeExact(capture, MemorySegment.NULL, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int munmap(MemorySegment capture, MemorySegment addr, long length) {
        try {
            return (int) MUNMAP.invokeExact(capture, addr, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int epollCreate(MemorySegment capture) {
        try {
            return (int) EPOLL_CREATE1.invokeExact(capture, EPOLL_CLOEXEC);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int epollCtl(MemorySegment capture, int epfd, int op, int fd, MemorySegment event) {
        try {
            return (int) EPOLL_CTL.invokeExact(capture, epfd, op, fd, event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int epollWait(MemorySegment capture, int epfd, MemorySegment events, int max, int timeoutMs) {
        try {
            return (int) EPOLL_WAIT.invokeExact(capture, epfd, events, max, timeoutMs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int eventfd(MemorySegment capture, int initval, int flags) {
        try {
            return (int) EVENTFD.invokeExact(capture, initval, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long write(MemorySegment capture, int fd, MemorySegment buf, long len) {
        try {
            return (long) WRITE.invokeExact(capture, fd, buf, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long read(MemorySegment capture, int fd, MemorySegment buf, long len) {
        try {
            return (long) READ.invokeExact(capture, fd, buf, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int close(int fd) {
        try {
            return (int) CLOSE.invokeExact(Native.capture(), fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int open(MemorySegment capture, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(capture, path, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int mount(MemorySegment capture, MemorySegment source, MemorySegment target, MemorySegment fstype,
            long flags) {
        try {
            return (int) MOUNT.invokeExact(capture, source, target, fstype, flags, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long perfEventOpen(MemorySegment capture, long sysno, MemorySegment attr, int pid, int cpu,
            int groupFd, long flags) {
        try {
            return (long) SYSCALL_PERF.invokeExact(capture, sysno, attr, pid, cpu, groupFd, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Makes a system call with no arguments (getppid and the like) straight to the kernel. */
    public static long syscall0(long sysno) {
        try {
            return (long) SYSCALL0.invokeExact(sysno);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int getppid() {
        try {
            return (int) GETPPID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int pageSize() {
        try {
            return (int) GETPAGESIZE.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ifNameToIndex(MemorySegment capture, MemorySegment name) {
        try {
            return (int) IF_NAMETOINDEX.invokeExact(capture, name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The symbolic name of an errno value ("ENOENT"), or "errno N" when the C library has none. */
    public static String errnoName(int errno) {
        try {
            if (STRERRORNAME_NP != null) {
                String name = Native.string((MemorySegment) STRERRORNAME_NP.invokeExact(errno));
                if (name != null) {
                    return name;
                }
            }
            return "errno " + errno;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The C library's description of an errno value ("No such file or directory"). */
    public static String strerror(int errno) {
        try {
            return Native.string((MemorySegment) STRERROR.invokeExact(errno));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int vsnprintf(MemorySegment buf, long size, MemorySegment format, MemorySegment vaList) {
        try {
            return (int) VSNPRINTF.invokeExact(buf, size, format, vaList);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int socket(MemorySegment capture, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(capture, domain, type, protocol);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int setsockopt(MemorySegment capture, int fd, int level, int name, MemorySegment value, int len) {
        try {
            return (int) SETSOCKOPT.invokeExact(capture, fd, level, name, value, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int bindSocket(MemorySegment capture, int fd, MemorySegment addr, int len) {
        try {
            return (int) BIND.invokeExact(capture, fd, addr, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long recv(MemorySegment capture, int fd, MemorySegment buf, long len, int flags) {
        try {
            return (long) RECV.invokeExact(capture, fd, buf, len, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int getsockname(MemorySegment capture, int fd, MemorySegment addr, MemorySegment len) {
        try {
            return (int) GETSOCKNAME.invokeExact(capture, fd, addr, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
