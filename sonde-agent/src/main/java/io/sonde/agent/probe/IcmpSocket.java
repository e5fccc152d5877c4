package io.sonde.agent.probe;

import io.sonde.agent.enrich.Errno;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * IcmpSocket is an ICMP (or ICMPv6) socket opened through the C library, which Java's sockets do not
 * offer. It is an unprivileged ping socket ({@code SOCK_DGRAM}) where {@code net.ipv4.ping_group_range}
 * admits the agent's group, and a raw socket ({@code SOCK_RAW}, root or CAP_NET_RAW) where it does not
 * (the default range, "1 0", admits nobody). The two differ in what they do for you:
 * <ul>
 *   <li>ping socket: the kernel sets the echo identifier and the checksum, and delivers only the replies
 *       to this socket, without the IP header;</li>
 *   <li>raw socket: the caller sets the identifier and (IPv4) the checksum, and every ICMP message the
 *       namespace receives is delivered, IPv4 ones with their IP header (ICMPv6 never has it).</li>
 * </ul>
 * One thread sends and one other thread receives; the buffers of each are the socket's own.
 *
 * <pre>{@code
 * try (IcmpSocket s = IcmpSocket.open(false)) {
 *     s.send(InetAddress.ofLiteral("10.0.0.1"), packet, packet.length);
 *     int n = s.receive(buffer, 100);   // 0 when nothing came within 100 ms
 * }
 * }</pre>
 */
final class IcmpSocket implements AutoCloseable {
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int IPPROTO_ICMP = 1;
    private static final int IPPROTO_ICMPV6 = 58;
    private static final int MSG_DONTWAIT = 0x40;
    private static final short POLLIN = 1;
    private static final int EPERM = 1;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int EACCES = 13;
    private static final int MAX_PACKET = 1500;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle SENDTO = bind("sendto", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.JAVA_INT));
    private static final MethodHandle RECV = bind("recv", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle POLL = bind("poll", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT));

    private static MethodHandle bind(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd,
                Linker.Option.captureCallState("errno"));
    }

    private final int fd;
    private final boolean v6;
    private final boolean raw;
    private final Arena arena = Arena.ofShared();
    // the sending thread's
    private final MemorySegment sendBuffer = arena.allocate(MAX_PACKET);
    private final MemorySegment address = arena.allocate(28, 4);
    private final MemorySegment sendCapture = arena.allocate(CAPTURE);
    // the receiving thread's
    private final MemorySegment receiveBuffer = arena.allocate(MAX_PACKET);
    private final MemorySegment pollFd = arena.allocate(8, 4);
    private final MemorySegment receiveCapture = arena.allocate(CAPTURE);
    private volatile boolean closed;

    private IcmpSocket(int fd, boolean v6, boolean raw) {
        this.fd = fd;
        this.v6 = v6;
        this.raw = raw;
    }

    /**
     * Opens an ICMP socket for IPv4, or ICMPv6 for IPv6: a ping socket where the group range allows it,
     * else a raw socket; throws naming both refusals when neither can be had.
     */
    static IcmpSocket open(boolean v6) throws IOException {
        int family = v6 ? AF_INET6 : AF_INET;
        int protocol = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = a.allocate(CAPTURE);
            int fd = (int) SOCKET.invokeExact(capture, family, SOCK_DGRAM | SOCK_CLOEXEC, protocol);
            if (fd >= 0) {
                return new IcmpSocket(fd, v6, false);
            }
            int dgramErrno = (int) ERRNO.get(capture, 0L);
            if (dgramErrno != EACCES && dgramErrno != EPERM) {
                throw new IOException("cannot open an " + (v6 ? "ICMPv6" : "ICMP") + " ping socket: "
                        + Errno.name(dgramErrno));
            }
            fd = (int) SOCKET.invokeExact(capture, family, SOCK_RAW | SOCK_CLOEXEC, protocol);
            if (fd >= 0) {
                return new IcmpSocket(fd, v6, true);
            }
            throw new IOException("cannot open an " + (v6 ? "ICMPv6" : "ICMP") + " socket: a ping socket is "
                    + Errno.name(dgramErrno) + " (net.ipv4.ping_group_range does not include the agent's group) "
                    + "and a raw socket is " + Errno.name((int) ERRNO.get(capture, 0L)) + " (needs CAP_NET_RAW)");
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("socket() failed: " + t, t);
        }
    }

    /** Whether this is an ICMPv6 socket. */
    boolean v6() {
        return v6;
    }

    /** Whether this is a raw socket (identifier and IPv4 checksum are the caller's; IPv4 headers come along). */
    boolean raw() {
        return raw;
    }

    /**
     * Sends the first {@code length} bytes of {@code packet} (an ICMP message) to {@code to}, without blocking.
     * Holds the socket's lock, so that a close cannot free the send buffer under a send still in flight (a
     * probe's schedule may still be sending while the prober closes).
     */
    synchronized void send(InetAddress to, byte[] packet, int length) throws IOException {
        if (closed) {
            throw new IOException("socket closed");
        }
        int addressLength = socketAddress(to);
        MemorySegment.copy(packet, 0, sendBuffer, ValueLayout.JAVA_BYTE, 0, length);
        try {
            long n = (long) SENDTO.invokeExact(sendCapture, fd, sendBuffer, (long) length, MSG_DONTWAIT, address,
                    addressLength);
            if (n < 0) {
                throw new IOException("sendto " + to.getHostAddress() + ": "
                        + Errno.name((int) ERRNO.get(sendCapture, 0L)));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("sendto failed: " + t, t);
        }
    }

    /** Fills the sockaddr_in or sockaddr_in6 for {@code to}; returns its length. */
    private int socketAddress(InetAddress to) throws IOException {
        byte[] ip = to.getAddress();
        if ((ip.length == 16) != v6) {
            throw new IOException(to.getHostAddress() + " is not an " + (v6 ? "IPv6" : "IPv4") + " address");
        }
        address.fill((byte) 0);
        address.set(ValueLayout.JAVA_SHORT, 0, (short) (v6 ? AF_INET6 : AF_INET));
        if (!v6) {
            MemorySegment.copy(ip, 0, address, ValueLayout.JAVA_BYTE, 4, 4);
            return 16;
        }
        MemorySegment.copy(ip, 0, address, ValueLayout.JAVA_BYTE, 8, 16);
        address.set(ValueLayout.JAVA_INT, 24, ((Inet6Address) to).getScopeId());
        return 28;
    }

    /**
     * Waits up to {@code timeoutMs} for a message and copies it into {@code into}; returns its length,
     * or 0 when none came (or the wait was interrupted). Throws when the socket fails or is closed.
     */
    int receive(byte[] into, int timeoutMs) throws IOException {
        if (closed) {
            throw new IOException("socket closed");
        }
        try {
            pollFd.set(ValueLayout.JAVA_INT, 0, fd);
            pollFd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
            pollFd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
            int ready = (int) POLL.invokeExact(receiveCapture, pollFd, 1L, timeoutMs);
            if (ready <= 0) {
                int errno = (int) ERRNO.get(receiveCapture, 0L);
                if (ready < 0 && errno != EINTR) {
                    throw new IOException("poll: " + Errno.name(errno));
                }
                return 0;
            }
            long n = (long) RECV.invokeExact(receiveCapture, fd, receiveBuffer, (long) MAX_PACKET, MSG_DONTWAIT);
            if (n < 0) {
                int errno = (int) ERRNO.get(receiveCapture, 0L);
                if (errno == EAGAIN || errno == EINTR) {
                    return 0;
                }
                throw new IOException("recv: " + Errno.name(errno));
            }
            int length = (int) Math.min(n, into.length);
            MemorySegment.copy(receiveBuffer, ValueLayout.JAVA_BYTE, 0, into, 0, length);
            return length;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("recv failed: " + t, t);
        }
    }

    /** Reads a 16-bit number in network order. */
    static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    /** Closes the socket, after any send in flight; call it once the receiving thread has stopped. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            int ignored = (int) CLOSE.invokeExact(receiveCapture, fd);
            assert ignored >= -1;
        } catch (Throwable t) {
            // nothing more to do with it
        }
        arena.close();
    }
}
