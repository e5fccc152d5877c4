// A diagnostic, not part of bench/run.sh: why the Java consumer is slower than libbpf when the records
// are in cache (drain-hot). It maps the same ring as RingBuffer does and times consume loops that
// differ in one thing each, interleaved in one JVM so that they share its JIT and cache state:
//
//   library     the shape of RingBuffer.consumeLocked: a reusable view checked against the record
//               length, a handler call, the consumer position published after every record
//   per-pass    the same, with the consumer position published once at the end of the pass
//   unchecked   per-pass, and the view reads the ring segment without its own length check
//   inline      per-record publication, no view and no handler: the reads written into the loop
//
// Run (after bench/run.sh has built bench/out):
//   java --enable-native-access=ALL-UNNAMED -cp bench/out/lib/sonde-bpf.jar:bench/out/classes \
//        ConsumeLoopVariants bench/out/bpf/ringprod.bpf.o 16 20000
// and compare with the C figure of the same fill size:
//   bench/out/ring_consumer 1000 1000 1 0 20000 2000 500 200 4000 1000 | grep drain-hot

import io.sonde.bpf.BpfObject;
import io.sonde.bpf.Link;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

public final class ConsumeLoopVariants {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final int BUSY = 1 << 31;
    private static final int DISCARD = 1 << 30;

    private static MemorySegment consumer;
    private static MemorySegment producer;
    private static MemorySegment data;
    private static long mask;

    // the per-record work of RingBench.Tally
    static long expected, sum, errors, received;

    static void work(long seq, long tail) {
        if (seq != expected || tail != ~seq) {
            errors++;
        }
        expected = seq + 1;
        sum += seq;
        received++;
    }

    /** Like RingRecord: reads checked against the record's length, then by the segment. */
    static final class CheckedView {
        long offset;
        int length;

        long getLong(long pos) {
            if (pos < 0 || pos + 8 > length) {
                throw new IndexOutOfBoundsException(pos);
            }
            return data.get(U64, offset + pos);
        }
    }

    /** Reads checked by the segment only (they stay inside the ring, not inside the record). */
    static final class UncheckedView {
        long offset;
        int length;

        long getLong(long pos) {
            return data.get(U64, offset + pos);
        }
    }

    interface CheckedHandler {
        void onRecord(CheckedView r);
    }

    interface UncheckedHandler {
        void onRecord(UncheckedView r);
    }

    static final CheckedView CHECKED = new CheckedView();
    static final UncheckedView UNCHECKED = new UncheckedView();

    static int library(CheckedHandler h, boolean publishEach) {
        int count = 0;
        long cons = (long) LONG.getAcquire(consumer, 0L);
        while (true) {
            long prod = (long) LONG.getAcquire(producer, 0L);
            if (cons >= prod) {
                break;
            }
            while (cons < prod) {
                long at = cons & mask;
                int header = (int) INT.getAcquire(data, at);
                if ((header & BUSY) != 0) {
                    LONG.setRelease(consumer, 0L, cons);
                    return count;
                }
                int length = header & ~(BUSY | DISCARD);
                if ((header & DISCARD) == 0) {
                    CHECKED.offset = at + 8;
                    CHECKED.length = length;
                    h.onRecord(CHECKED);
                    count++;
                }
                cons += (length + 8 + 7) & ~7L;
                if (publishEach) {
                    LONG.setRelease(consumer, 0L, cons);
                }
            }
        }
        LONG.setRelease(consumer, 0L, cons);
        return count;
    }

    static int unchecked(UncheckedHandler h) {
        int count = 0;
        long cons = (long) LONG.getAcquire(consumer, 0L);
        while (true) {
            long prod = (long) LONG.getAcquire(producer, 0L);
            if (cons >= prod) {
                break;
            }
            while (cons < prod) {
                long at = cons & mask;
                int header = (int) INT.getAcquire(data, at);
                if ((header & BUSY) != 0) {
                    LONG.setRelease(consumer, 0L, cons);
                    return count;
                }
                int length = header & ~(BUSY | DISCARD);
                if ((header & DISCARD) == 0) {
                    UNCHECKED.offset = at + 8;
                    UNCHECKED.length = length;
                    h.onRecord(UNCHECKED);
                    count++;
                }
                cons += (length + 8 + 7) & ~7L;
            }
        }
        LONG.setRelease(consumer, 0L, cons);
        return count;
    }

    static int inline() {
        int count = 0;
        long cons = (long) LONG.getAcquire(consumer, 0L);
        while (true) {
            long prod = (long) LONG.getAcquire(producer, 0L);
            if (cons >= prod) {
                return count;
            }
            while (cons < prod) {
                long at = cons & mask;
                int header = (int) INT.getAcquire(data, at);
                if ((header & BUSY) != 0) {
                    return count;
                }
                int length = header & ~(BUSY | DISCARD);
                if ((header & DISCARD) == 0) {
                    work(data.get(U64, at + 8), data.get(U64, at + length));
                    count++;
                }
                cons += (length + 8 + 7) & ~7L;
                LONG.setRelease(consumer, 0L, cons);
            }
        }
    }

    public static void main(String[] args) throws Throwable {
        if (args.length != 3) {
            System.err.println("usage: ConsumeLoopVariants OBJECT RECORD_SIZE(16|256) RECORDS_PER_FILL");
            System.exit(2);
        }
        Linker linker = Linker.nativeLinker();
        MethodHandle mmap = linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        int size = Integer.parseInt(args[1]);
        int fill = Integer.parseInt(args[2]);
        try (BpfObject obj = BpfObject.open(Path.of(args[0]))) {
            obj.load();
            int fd = obj.map("ring").fd();
            long ringSize = Integer.toUnsignedLong(obj.map("ring").maxEntries());
            long page = 4096;
            mask = ringSize - 1;
            // PROT_READ|PROT_WRITE = 3, PROT_READ = 1, MAP_SHARED = 1
            consumer = ((MemorySegment) mmap.invokeExact(MemorySegment.NULL, page, 3, 1, fd, 0L)).reinterpret(page);
            producer = ((MemorySegment) mmap.invokeExact(MemorySegment.NULL, page + 2 * ringSize, 1, 1, fd, page))
                    .reinterpret(page + 2 * ringSize);
            if (consumer.address() == -1L || producer.address() == -1L) {
                throw new IllegalStateException("mmap of the ring failed");
            }
            data = producer.asSlice(page, 2 * ringSize);
            CheckedHandler checked = r -> work(r.getLong(0), r.getLong(r.length - 8));
            UncheckedHandler plain = r -> work(r.getLong(0), r.getLong(r.length - 8));
            String[] names = {"library (publish per record)", "per-pass publish", "per-pass, unchecked view",
                    "inline reads (publish per record)"};
            long[] ns = new long[names.length];
            long[] records = new long[names.length];
            try (Link link = obj.program("produce" + size).attach()) {
                obj.setGlobal("target_tid", RingBench.gettid());
                obj.setGlobal("burst", 1000);
                int rounds = 8000;
                for (int i = 0; i < rounds; i++) {
                    int v = i % names.length;
                    for (int c = 0; c < fill / 1000; c++) {
                        RingBench.getppid();
                    }
                    long before = received;
                    long t0 = System.nanoTime();
                    switch (v) {
                        case 0 -> library(checked, true);
                        case 1 -> library(checked, false);
                        case 2 -> unchecked(plain);
                        default -> inline();
                    }
                    long t1 = System.nanoTime();
                    if (i >= rounds / 5) {
                        ns[v] += t1 - t0;
                        records[v] += received - before;
                    }
                }
            }
            for (int v = 0; v < names.length; v++) {
                System.out.printf("%-36s %.2f ns/record%n", names[v], (double) ns[v] / records[v]);
            }
            System.out.println("errors=" + errors + " (must be 0)");
        }
    }
}
