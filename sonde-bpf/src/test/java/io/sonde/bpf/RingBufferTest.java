package io.sonde.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sonde.bpf.ringbuf.RingBuffer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Records produced by the kernel arrive in order and intact; what the ring cannot hold is counted exactly. */
class RingBufferTest {
    @BeforeAll
    static void kernel() {
        KernelTests.requireBpf();
    }

    private static BpfObject producer(int ringBytes, int burst, int recordSize, int discardEvery) {
        BpfObject obj = BpfObject.openResource(RingBufferTest.class, "/bpf/ringbuf.bpf.o");
        obj.setGlobal("target_tid", KernelTests.tid());
        obj.setGlobal("burst", burst);
        obj.setGlobal("record_size", recordSize);
        obj.setGlobal("discard_every", discardEvery);
        obj.map("events").resize(ringBytes);
        obj.load();
        return obj;
    }

    private static void checkRecords(int recordSize) {
        int bursts = 20, burst = 500;
        try (BpfObject obj = producer(1 << 20, burst, recordSize, 0);
                Link link = obj.program("produce_records").attach();
                RingBuffer ring = new RingBuffer(obj.map("events"))) {
            List<Long> seqs = new ArrayList<>();
            int tid = KernelTests.tid();
            for (int b = 0; b < bursts; b++) {
                KernelTests.getppid(1);
                ring.consume(rec -> {
                    assertEquals(recordSize, rec.length());
                    assertEquals(tid, rec.getInt(8));
                    assertEquals(recordSize, rec.getInt(12));
                    long seq = rec.getLong(0);
                    for (int i = 16; i < recordSize; i++) {
                        assertEquals((byte) (seq + i - 16), rec.getByte(i), "payload byte " + i + " of " + seq);
                    }
                    seqs.add(seq);
                });
            }
            assertEquals(bursts * burst, seqs.size());
            for (int i = 0; i < seqs.size(); i++) {
                assertEquals(i, seqs.get(i), "records arrive in order");
            }
            assertEquals(0, obj.map("stats").lookupLong(1), "no reservation failed");
            assertEquals(0, ring.pending());
        }
    }

    @Test
    void smallRecordsArriveInOrderWithTheirContents() {
        checkRecords(16);
    }

    @Test
    void largeRecordsArriveInOrderWithTheirContents() {
        checkRecords(256);
    }

    @Test
    void floodIsCountedExactly() {
        int n = 10_000;
        try (BpfObject obj = producer(4096, n, 16, 0); Link link = obj.program("produce_records").attach();
                RingBuffer ring = new RingBuffer(obj.map("events"))) {
            KernelTests.getppid(1);
            long[] received = {0};
            ring.consume(rec -> received[0]++);
            long produced = obj.map("stats").lookupLong(0);
            long dropped = obj.map("stats").lookupLong(1);
            assertTrue(dropped > 0, "a 4 KiB ring cannot hold " + n + " records");
            assertEquals(produced, received[0]);
            assertEquals(n, received[0] + dropped, "received " + received[0] + " + dropped " + dropped);
        }
    }

    @Test
    void discardedRecordsAreSkipped() {
        try (BpfObject obj = producer(1 << 16, 100, 16, 10); Link link = obj.program("produce_records").attach();
                RingBuffer ring = new RingBuffer(obj.map("events"))) {
            KernelTests.getppid(1);
            List<Long> seqs = new ArrayList<>();
            ring.consume(rec -> seqs.add(rec.getLong(0)));
            assertEquals(90, seqs.size());
            assertTrue(seqs.stream().noneMatch(s -> s % 10 == 0), "discarded seqs never show: " + seqs);
        }
    }

    @Test
    void pollWaitsForRecordsAndCloseWakesIt() throws Exception {
        try (BpfObject obj = producer(1 << 16, 3, 16, 0); Link link = obj.program("produce_records").attach()) {
            RingBuffer ring = new RingBuffer(obj.map("events"));
            int tid = KernelTests.tid();
            // a consumer thread waits; the records this thread produces wake it
            CompletableFuture<Integer> first = CompletableFuture.supplyAsync(
                    () -> ring.poll(Duration.ofSeconds(30), rec -> { }));
            Thread.sleep(100);
            KernelTests.getppid(1);
            assertEquals(3, first.get(10, TimeUnit.SECONDS));
            assertEquals(tid, KernelTests.tid());
            CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(
                    () -> ring.poll(Duration.ofSeconds(60), rec -> { }));
            Thread.sleep(200);
            long start = System.nanoTime();
            ring.close();
            assertEquals(-1, blocked.get(10, TimeUnit.SECONDS));
            assertTrue(System.nanoTime() - start < 5_000_000_000L);
            ring.close(); // idempotent
            assertEquals(-1, ring.poll(Duration.ZERO, rec -> { }));
        }
    }
}
