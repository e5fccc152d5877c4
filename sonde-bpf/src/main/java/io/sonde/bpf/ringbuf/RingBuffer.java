package io.sonde.bpf.ringbuf;

import io.sonde.bpf.BpfException;
import io.sonde.bpf.BpfMap;
import io.sonde.bpf.MapType;
import io.sonde.bpf.internal.LibC;
import io.sonde.bpf.internal.Native;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/**
 * RingBuffer consumes a BPF ring buffer map ({@code BPF_MAP_TYPE_RINGBUF}) by reading its
 * memory-mapped pages directly from Java: no call into native code per record, only an
 * {@code epoll_wait} when the ring is empty. One thread polls; {@link #close()} from any thread wakes
 * a blocked poll, which then returns -1.
 *
 * <pre>{@code
 * try (RingBuffer ring = new RingBuffer(object.map("events"))) {
 *     while (running) {
 *         ring.poll(Duration.ofMillis(200), rec -> handle(rec.getInt(0), rec.getLong(8)));
 *     }
 * }
 * }</pre>
 *
 * Records the producer discarded are skipped; a record still being written (busy) ends the pass, and
 * the producer's commit wakes the next poll.
 */
public final class RingBuffer implements AutoCloseable {
    private static final int BUSY_BIT = 1 << 31;
    private static final int DISCARD_BIT = 1 << 30;
    private static final int HEADER = 8;
    private static final int PUBLISH_EVERY = 64;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final String name;
    private final long size;
    private final long mask;
    private final int pageSize;
    private final MemorySegment consumer;
    private final MemorySegment producer;
    private final MemorySegment data;
    private final RingRecord view;
    private final int epfd;
    private final int wakeFd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment events;
    private volatile boolean closed;
    private final Object pollLock = new Object();

    /** Maps a ring buffer map's pages and prepares epoll on it. */
    public RingBuffer(BpfMap map) {
        if (map.type() != MapType.RINGBUF) {
            throw new BpfException("ringbuf", "map " + map.name() + " is a " + map.type() + ", not a RINGBUF");
        }
        this.name = map.name();
        this.size = Integer.toUnsignedLong(map.info().maxEntries());
        this.mask = size - 1;
        this.pageSize = LibC.pageSize();
        MemorySegment capture = Native.capture();
        int fd = map.fd();
        MemorySegment cons = LibC.mmap(capture, pageSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
        if (cons.address() == -1L) {
            throw new BpfException("ringbuf_mmap", Native.errno(capture), null, null,
                    "cannot map the consumer page of " + name, null);
        }
        // the producer page, then the data pages mapped twice in a row so that a record wrapping the end is contiguous
        long producerLength = pageSize + 2 * size;
        MemorySegment prod = LibC.mmap(capture, producerLength, LibC.PROT_READ, LibC.MAP_SHARED, fd, pageSize);
        if (prod.address() == -1L) {
            int errno = Native.errno(capture);
            LibC.munmap(capture, cons, pageSize);
            throw new BpfException("ringbuf_mmap", errno, null, null, "cannot map the data pages of " + name, null);
        }
        this.consumer = cons.reinterpret(pageSize);
        this.producer = prod.reinterpret(producerLength);
        this.data = producer.asSlice(pageSize, 2 * size);
        this.view = new RingRecord(data);

        this.epfd = LibC.epollCreate(capture);
        this.wakeFd = LibC.eventfd(capture, 0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        this.events = arena.allocate(12L * 4, 8);
        if (epfd < 0 || wakeFd < 0) {
            unmap();
            throw new BpfException("ringbuf_epoll", Native.errno(capture), null, null, "cannot set up epoll", null);
        }
        MemorySegment ev = arena.allocate(12, 8);
        ev.set(ValueLayout.JAVA_INT, 0, LibC.EPOLLIN);
        ev.set(ValueLayout.JAVA_INT_UNALIGNED, 4, fd);
        if (LibC.epollCtl(capture, epfd, LibC.EPOLL_CTL_ADD, fd, ev) < 0) {
            int errno = Native.errno(capture);
            unmap();
            throw new BpfException("ringbuf_epoll", errno, null, null, "cannot watch " + name, null);
        }
        ev.set(ValueLayout.JAVA_INT_UNALIGNED, 4, wakeFd);
        LibC.epollCtl(capture, epfd, LibC.EPOLL_CTL_ADD, wakeFd, ev);
    }

    /** The ring's data size in bytes. */
    public long size() {
        return size;
    }

    /** Bytes written by the producer and not yet consumed. */
    public long pending() {
        return (long) LONG.getAcquire(producer, 0L) - (long) LONG.getAcquire(consumer, 0L);
    }

    /**
     * Waits up to {@code timeout} for records and hands every available one to the handler.
     * Returns the number of records handled, 0 on timeout, or -1 once the ring is closed.
     */
    public int poll(Duration timeout, RecordHandler handler) {
        synchronized (pollLock) {
            if (closed) {
                return -1;
            }
            int n = consumeLocked(handler);
            if (n > 0) {
                return n;
            }
            MemorySegment capture = Native.capture();
            int ready = LibC.epollWait(capture, epfd, events, 4, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            if (closed) {
                return -1;
            }
            if (ready < 0 && Native.errno(capture) != LibC.EINTR) {
                throw new BpfException("ringbuf_poll", Native.errno(capture), null, null, "epoll_wait on " + name,
                        null);
            }
            return consumeLocked(handler);
        }
    }

    /** Hands every record available now to the handler without waiting; returns how many, or -1 once closed. */
    public int consume(RecordHandler handler) {
        synchronized (pollLock) {
            return closed ? -1 : consumeLocked(handler);
        }
    }

    /**
     * Hands every committed record to the handler. The consumer position is published to the kernel
     * every {@link #PUBLISH_EVERY} records (a release store per record would cost more than the
     * record), and always before the last look at the producer position: so the producer never waits
     * on space we have finished with for long, and a commit that lands after that look finds our
     * position equal to its own and wakes the next poll.
     */
    private int consumeLocked(RecordHandler handler) {
        int count = 0;
        int unpublished = 0;
        long cons = (long) LONG.getAcquire(consumer, 0L);
        while (true) {
            long prod = (long) LONG.getAcquire(producer, 0L);
            if (cons >= prod) {
                if (unpublished == 0) {
                    return count;
                }
                LONG.setRelease(consumer, 0L, cons);
                unpublished = 0;
                continue; // look once more, now that the kernel sees where we are
            }
            while (cons < prod) {
                long at = cons & mask;
                int header = (int) INT.getAcquire(data, at);
                if ((header & BUSY_BIT) != 0) {
                    LONG.setRelease(consumer, 0L, cons);
                    return count; // the producer's commit will wake the next poll
                }
                int length = header & ~(BUSY_BIT | DISCARD_BIT);
                if ((header & DISCARD_BIT) == 0) {
                    view.reset(at + HEADER, length);
                    handler.onRecord(view);
                    count++;
                }
                cons += (length + HEADER + 7) & ~7L;
                if (++unpublished >= PUBLISH_EVERY) {
                    LONG.setRelease(consumer, 0L, cons);
                    unpublished = 0;
                }
            }
        }
    }

    /** Wakes a blocked poll and releases the ring's mappings. Idempotent; safe from any thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        MemorySegment one = Arena.ofAuto().allocate(ValueLayout.JAVA_LONG);
        one.set(ValueLayout.JAVA_LONG, 0, 1);
        LibC.write(Native.capture(), wakeFd, one, 8);
        synchronized (pollLock) {
            unmap();
        }
    }

    private void unmap() {
        MemorySegment capture = Native.capture();
        LibC.munmap(capture, consumer, consumer.byteSize());
        LibC.munmap(capture, producer, producer.byteSize());
        if (epfd >= 0) {
            LibC.close(epfd);
        }
        if (wakeFd >= 0) {
            LibC.close(wakeFd);
        }
        arena.close();
    }
}
