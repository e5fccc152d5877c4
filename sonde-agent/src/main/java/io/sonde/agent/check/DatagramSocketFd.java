package io.sonde.agent.check;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * DatagramSocketFd is a UDP socket opened with the C library, for the one thing Java's sockets do not
 * give: the file descriptor, which a socket filter is attached to. Close it to close the socket.
 */
final class DatagramSocketFd implements AutoCloseable {
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SOCKET = handle("socket",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = handle("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private int fd;

    private DatagramSocketFd(int fd) {
        this.fd = fd;
    }

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor);
    }

    /** Opens an IPv4 UDP socket. */
    static DatagramSocketFd open() {
        int fd;
        try {
            fd = (int) SOCKET.invokeExact(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        } catch (Throwable t) {
            throw new IllegalStateException("socket() failed", t);
        }
        if (fd < 0) {
            throw new IllegalStateException("cannot open a UDP socket");
        }
        return new DatagramSocketFd(fd);
    }

    /** The socket's file descriptor. */
    int fd() {
        return fd;
    }

    @Override
    public void close() {
        if (fd < 0) {
            return;
        }
        try {
            int unused = (int) CLOSE.invokeExact(fd); // nothing to do about a failed close
        } catch (Throwable t) {
            throw new IllegalStateException("close() failed", t);
        } finally {
            fd = -1;
        }
    }
}
