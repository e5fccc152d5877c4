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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * NetNamespace opens sockets inside another network namespace. A socket belongs to the namespace it
 * was created in for its whole life, and Linux switches the network namespace per thread
 * ({@code setns(fd, CLONE_NEWNET)}), so one platform thread of its own enters the namespace once, never
 * leaves it, and runs the socket-creating calls handed to it; everything else (connect, send, receive)
 * happens on any thread. Virtual threads never enter a namespace: they would take their carrier along.
 *
 * <pre>{@code
 * try (NetNamespace blue = NetNamespace.enter("/var/run/netns/blue")) {
 *     DatagramChannel ch = NetNamespace.call(blue, DatagramChannel::open);  // a socket in "blue"
 * }
 * }</pre>
 */
final class NetNamespace implements AutoCloseable {
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN = bind("open", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SETNS = bind("setns", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT));

    private static MethodHandle bind(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd,
                Linker.Option.captureCallState("errno"));
    }

    private static final Runnable STOP = () -> { };

    private final String path;
    private final BlockingQueue<Runnable> calls = new LinkedBlockingQueue<>();
    private final Thread thread;

    private NetNamespace(String path) {
        this.path = path;
        this.thread = Thread.ofPlatform().daemon().name("netns-" + path).unstarted(this::serve);
    }

    /** Starts a thread inside the namespace file {@code path}; throws with the reason when it cannot enter. */
    static NetNamespace enter(String path) throws IOException {
        NetNamespace ns = new NetNamespace(path);
        CompletableFuture<Void> entered = new CompletableFuture<>();
        ns.calls.add(() -> {
            try {
                join(path);
                entered.complete(null);
            } catch (IOException e) {
                entered.completeExceptionally(e);
            }
        });
        ns.thread.start();
        try {
            entered.get();
        } catch (ExecutionException e) {
            ns.close();
            throw (IOException) e.getCause();
        } catch (InterruptedException e) {
            ns.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while entering network namespace " + path);
        }
        return ns;
    }

    /** Moves the calling thread into the namespace. */
    private static void join(String path) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = a.allocate(CAPTURE);
            int fd = (int) OPEN.invokeExact(capture, a.allocateFrom(path), O_RDONLY_CLOEXEC);
            if (fd < 0) {
                throw new IOException("cannot open network namespace " + path + ": "
                        + Errno.name((int) ERRNO.get(capture, 0L)));
            }
            int r = (int) SETNS.invokeExact(capture, fd, CLONE_NEWNET);
            int errno = (int) ERRNO.get(capture, 0L);
            int ignored = (int) CLOSE.invokeExact(capture, fd);
            assert ignored >= -1;
            if (r != 0) {
                throw new IOException("cannot enter network namespace " + path + ": " + Errno.name(errno)
                        + (errno == 22 ? " (not a network namespace)" : ""));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("setns failed: " + t, t);
        }
    }

    private void serve() {
        while (true) {
            Runnable r;
            try {
                r = calls.take();
            } catch (InterruptedException e) {
                return;
            }
            if (r == STOP) {
                return;
            }
            r.run();
        }
    }

    /** Runs {@code open} inside {@code ns} (on its thread), or right here when {@code ns} is null. */
    static <T> T call(NetNamespace ns, Callable<T> open) throws IOException {
        if (ns == null) {
            try {
                return open.call();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        ns.calls.add(() -> {
            try {
                result.complete(open.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.thenAccept(NetNamespace::closeQuietly);
            throw new java.io.InterruptedIOException("interrupted while opening a socket in " + ns.path);
        } catch (TimeoutException e) {
            result.thenAccept(NetNamespace::closeQuietly);
            throw new IOException("no answer from the thread in network namespace " + ns.path + " (closed?)");
        }
    }

    /** Closes a socket nobody waits for any more. */
    private static void closeQuietly(Object socket) {
        if (socket instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                // nobody to tell
            }
        }
    }

    /** The namespace file. */
    String path() {
        return path;
    }

    /** Ends the thread; sockets opened in the namespace stay open (and in it). */
    @Override
    public void close() {
        calls.add(STOP);
    }
}
