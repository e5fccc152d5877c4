// The Java side of the ring-buffer benchmark: sonde-bpf's RingBuffer on the same producer object
// (ringprod.bpf.o) and with the same per-record work as c/ring_consumer.c.
//
// Usage: RingBench OBJECT COLD16 COLD256 COLD_ITERATIONS COLD_WARMUP HOT16 HOT256 HOT_ITERATIONS HOT_WARMUP
//                  CONC16 CONC256
// Prints one RESULT line per (size, mode), in the C consumer's format.

import io.sonde.bpf.BpfObject;
import io.sonde.bpf.Link;
import io.sonde.bpf.ringbuf.RecordHandler;
import io.sonde.bpf.ringbuf.RingBuffer;
import io.sonde.bpf.ringbuf.RingRecord;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;

public final class RingBench {
    private static final int FILL_BURST = 1000;
    private static final int CONC_BURST = 256;
    private static final int CONC_PASSES = 3; // timed concurrent passes, after one quarter-size warm-up pass
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    private static final MethodHandle GETTID;
    private static final MethodHandle GETPPID;

    static {
        Linker linker = Linker.nativeLinker();
        GETTID = linker.downcallHandle(linker.defaultLookup().find("gettid").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT));
        GETPPID = linker.downcallHandle(linker.defaultLookup().find("getppid").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT));
    }

    static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static void getppid() {
        try {
            int unused = (int) GETPPID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The per-record work, the same as on_record() in ring_consumer.c. */
    static final class Tally implements RecordHandler {
        long expected;
        long received;
        long sum;
        long errors;

        @Override
        public void onRecord(RingRecord r) {
            long seq = r.getLong(0);
            long tail = r.getLong(r.length() - 8);
            if (seq != expected || tail != ~seq) {
                errors++;
            }
            expected = seq + 1;
            sum += seq;
            received++;
        }
    }

    /**
     * Fills the ring with {@code fill} records while nothing consumes (this thread is the producer), then
     * times one {@code consume} that takes them all; {@code warmup} untimed rounds first.
     */
    static void drain(BpfObject obj, RingBuffer ring, Tally t, int size, String mode, long fill, int warmup,
            int iterations) {
        obj.setGlobal("target_tid", gettid());
        obj.setGlobal("burst", FILL_BURST);
        long ns = 0, records = 0, lost0 = 0, produced0 = 0, errors0 = 0;
        for (int i = 0; i < warmup + iterations; i++) {
            if (i == warmup) {
                lost0 = obj.global("lost");
                produced0 = obj.global("produced");
                errors0 = t.errors;
            }
            for (long c = 0; c < fill / FILL_BURST; c++) {
                getppid();
            }
            long before = t.received;
            long t0 = System.nanoTime();
            ring.consume(t);
            long t1 = System.nanoTime();
            if (i >= warmup) {
                ns += t1 - t0;
                records += t.received - before;
            }
        }
        System.out.printf("RESULT consumer=java size=%d mode=%s records=%d ns=%d cpu_ns=%d produced=%d lost=%d errors=%d%n",
                size, mode, records, ns, ns, obj.global("produced") - produced0, obj.global("lost") - lost0,
                t.errors - errors0);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 11) {
            System.err.println("usage: RingBench OBJECT COLD16 COLD256 COLD_ITERATIONS COLD_WARMUP HOT16 HOT256 "
                    + "HOT_ITERATIONS HOT_WARMUP CONC16 CONC256");
            System.exit(2);
        }
        long[] cold = {Long.parseLong(args[1]), Long.parseLong(args[2])};
        int coldIterations = Integer.parseInt(args[3]);
        int coldWarmup = Integer.parseInt(args[4]);
        long[] hot = {Long.parseLong(args[5]), Long.parseLong(args[6])};
        int hotIterations = Integer.parseInt(args[7]);
        int hotWarmup = Integer.parseInt(args[8]);
        long[] conc = {Long.parseLong(args[9]), Long.parseLong(args[10])};
        int[] sizes = {16, 256};
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();

        try (BpfObject obj = BpfObject.open(Path.of(args[0]))) {
            obj.load();
            Tally t = new Tally();
            try (RingBuffer ring = new RingBuffer(obj.map("ring"))) {
                for (int s = 0; s < 2; s++) {
                    try (Link link = obj.program("produce" + sizes[s]).attach()) {
                        drain(obj, ring, t, sizes[s], "drain-hot", hot[s], hotWarmup, hotIterations);
                        drain(obj, ring, t, sizes[s], "drain-cold", cold[s], coldWarmup, coldIterations);

                        // concurrent: a producer thread at full speed, this thread polling; a quarter-size pass first
                        obj.setGlobal("burst", CONC_BURST);
                        for (int pass = 0; pass <= CONC_PASSES; pass++) {
                            long lost0 = obj.global("lost"), produced0 = obj.global("produced"), errors0 = t.errors;
                            long before = t.received;
                            Producer p = new Producer(obj, (pass == 0 ? conc[s] / 4 : conc[s]) / CONC_BURST);
                            p.start();
                            while (!p.ready) {
                                Thread.onSpinWait();
                            }
                            long cpu0 = threads.getCurrentThreadCpuTime();
                            long t0 = System.nanoTime();
                            p.go = true;
                            while (true) {
                                ring.poll(POLL_TIMEOUT, t);
                                if (p.done && t.expected == obj.global("produced")) {
                                    break;
                                }
                            }
                            long t1 = System.nanoTime();
                            long cpu1 = threads.getCurrentThreadCpuTime();
                            p.join();
                            if (pass > 0) {
                                System.out.printf("RESULT consumer=java size=%d mode=concurrent records=%d ns=%d cpu_ns=%d producer_cpu_ns=%d produced=%d lost=%d errors=%d%n",
                                        sizes[s], t.received - before, t1 - t0, cpu1 - cpu0, p.cpuNs,
                                        obj.global("produced") - produced0, obj.global("lost") - lost0, t.errors - errors0);
                            }
                        }
                        System.out.flush();
                    }
                }
            }
            System.out.printf("CHECK consumer=java sum=%d received=%d%n", t.sum, t.received);
        }
    }

    static final class Producer extends Thread {
        private final BpfObject obj;
        private final long calls;
        volatile boolean ready;
        volatile boolean go;
        volatile boolean done;
        volatile long cpuNs; // this thread's CPU time while producing

        Producer(BpfObject obj, long calls) {
            this.obj = obj;
            this.calls = calls;
            setDaemon(true);
        }

        @Override
        public void run() {
            obj.setGlobal("target_tid", gettid());
            ready = true;
            while (!go) {
                Thread.onSpinWait();
            }
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getCurrentThreadCpuTime();
            for (long i = 0; i < calls; i++) {
                getppid();
            }
            cpuNs = threads.getCurrentThreadCpuTime() - cpu0;
            done = true;
        }
    }
}
