// The event pipeline benchmark: the agent's own pipeline classes (EventRing: ring-buffer poll and
// decode with the probes' decoders; EventBus with the EventEnricher: executable through the
// ProcessResolver cache, pod, cgroup path and container through HostAttribution; one subscriber
// thread draining its bounded queue) fed by bench/bpf/eventprod.bpf.o at a paced rate.
//
// Usage: EventPipelineBench OBJECT SECONDS RATES
//   RATES: comma-separated events per second, each run for one warm-up second and SECONDS timed.
// Prints one RESULT line per (size, rate).

import io.sonde.agent.config.AgentConfig;
import io.sonde.agent.enrich.HostAttribution;
import io.sonde.agent.enrich.ProcessResolver;
import io.sonde.agent.enrich.SyscallTable;
import io.sonde.agent.events.EnrichedEvent;
import io.sonde.agent.events.EventBus;
import io.sonde.agent.events.EventEnricher;
import io.sonde.agent.probe.Attribution;
import io.sonde.agent.probe.EventRing;
import io.sonde.agent.probe.FilesProbe;
import io.sonde.agent.probe.SyscallsProbe;
import io.sonde.bpf.BpfObject;
import io.sonde.bpf.Link;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

public final class EventPipelineBench {
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

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] args) throws Exception {
        Path object = Path.of(args[0]);
        int seconds = Integer.parseInt(args[1]);
        List<Long> rates = new ArrayList<>();
        for (String r : args[2].split(",")) {
            rates.add(Long.parseLong(r));
        }
        AgentConfig config = AgentConfig.defaults();
        Attribution attribution = HostAttribution.create(config);
        SyscallTable table = SyscallTable.load();
        try (BpfObject o = BpfObject.open(object)) {
            o.load();
            for (String size : List.of("small", "large")) {
                run(o, size, seconds, rates, attribution, table);
            }
        }
    }

    private static void run(BpfObject o, String size, int seconds, List<Long> rates, Attribution attribution,
            SyscallTable table) throws Exception {
        EventBus bus = new EventBus(new EventEnricher(new ProcessResolver()));
        EventBus.Subscription sub = bus.subscribe("bench", 65_536, e -> true);
        AtomicLong received = new AtomicLong();
        long[] subscriberTid = new long[1];
        Thread subscriber = Thread.ofPlatform().name("bench-subscriber").start(() -> {
            List<EnrichedEvent> batch = new ArrayList<>(4096);
            long checksum = 0;
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    EnrichedEvent first = sub.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    sub.drainTo(batch);
                    for (EnrichedEvent e : batch) {
                        checksum += e.event().pid() + e.executable().length(); // touch what a subscriber reads
                    }
                    received.addAndGet(batch.size());
                    batch.clear();
                }
            } catch (InterruptedException e) {
                // stopping
            }
            if (checksum == 42) {
                System.out.print("");
            }
        });
        subscriberTid[0] = subscriber.threadId();
        EventRing ring = EventRing.start("bench", o.map("events"), bus, size.equals("small")
                ? r -> SyscallsProbe.decode(r, attribution, table) : r -> FilesProbe.decode(r, attribution));
        Thread ringThread = null;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("sonde-bench-events")) {
                ringThread = t;
            }
        }
        if (ringThread == null) {
            throw new IllegalStateException("no ring consumer thread");
        }
        Link link = o.program("produce_" + size).attach();
        try {
            produce(o, rates.get(0), 3); // the JIT compiles the pipeline before anything is timed
            drain(o, received, sub);
            for (long rate : rates) {
                produce(o, rate, 1); // warm-up at the same rate
                drain(o, received, sub);
                long p0 = o.global("produced"), l0 = o.global("lost"), r0 = received.get(), d0 = sub.dropped();
                long c0 = THREADS.getThreadCpuTime(ringThread.threadId()) + THREADS.getThreadCpuTime(subscriberTid[0]);
                long pc0 = OS.getProcessCpuTime();
                long t0 = System.nanoTime();
                long producerCpu = produce(o, rate, seconds);
                long t1 = System.nanoTime();
                drain(o, received, sub);
                long c1 = THREADS.getThreadCpuTime(ringThread.threadId()) + THREADS.getThreadCpuTime(subscriberTid[0]);
                long pc1 = OS.getProcessCpuTime();
                long produced = o.global("produced") - p0;
                System.out.printf("RESULT size=%s record_bytes=%d rate=%d produced=%d received=%d lost=%d dropped=%d "
                        + "seconds=%.3f achieved=%.0f pipeline_cpu=%.4f jvm_cpu_less_producer=%.4f%n", size,
                        size.equals("small") ? 64 : 304, rate, produced, received.get() - r0, o.global("lost") - l0,
                        sub.dropped() - d0, (t1 - t0) / 1e9, produced / ((t1 - t0) / 1e9),
                        (c1 - c0) / (double) (t1 - t0), (pc1 - pc0 - producerCpu) / (double) (t1 - t0));
            }
        } finally {
            link.close();
            ring.close();
            sub.close();
            subscriber.interrupt();
            subscriber.join();
        }
    }

    /** Produces rate events per second for the given seconds, in one burst per millisecond; returns its CPU ns. */
    private static long produce(BpfObject o, long rate, int seconds) throws InterruptedException {
        long[] cpu = new long[1];
        Thread producer = Thread.ofPlatform().name("bench-producer").start(() -> {
            long c0 = THREADS.getCurrentThreadCpuTime();
            o.setGlobal("target_tid", gettid());
            long ticks = seconds * 1000L;
            long perTick = rate / 1000;
            o.setGlobal("burst", perTick);
            long next = System.nanoTime();
            for (long i = 0; i < ticks; i++) {
                getppid();
                next += 1_000_000;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            o.setGlobal("target_tid", 0);
            cpu[0] = THREADS.getCurrentThreadCpuTime() - c0;
        });
        producer.join();
        return cpu[0];
    }

    /** Waits until everything produced has been received or counted lost (at most 5 s). */
    private static void drain(BpfObject o, AtomicLong received, EventBus.Subscription sub) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long last = -1;
        while (System.nanoTime() < deadline) {
            long now = received.get() + sub.dropped();
            if (now == last) {
                return; // nothing moved for 100 ms: drained
            }
            last = now;
            Thread.sleep(100);
        }
    }
}
