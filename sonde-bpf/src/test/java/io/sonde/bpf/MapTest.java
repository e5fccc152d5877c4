package io.sonde.bpf;

import static io.sonde.bpf.BpfMap.intBytes;
import static io.sonde.bpf.BpfMap.longAt;
import static io.sonde.bpf.BpfMap.longBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sonde.bpf.BpfMap.UpdateFlag;
import io.sonde.bpf.internal.LibC;
import io.sonde.bpf.internal.Native;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every map operation on every common map type, including the errors. */
class MapTest {
    @BeforeAll
    static void kernel() {
        KernelTests.requireBpf();
    }

    private static Set<Integer> keysOf(List<byte[]> keys) {
        Set<Integer> out = new HashSet<>();
        for (byte[] k : keys) {
            out.add(java.nio.ByteBuffer.wrap(k).order(java.nio.ByteOrder.nativeOrder()).getInt());
        }
        return out;
    }

    @Test
    void hashOperationsAndErrors() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "t_hash", 4, 8, 4)) {
            assertNull(map.lookup(intBytes(1)), "missing key");
            map.update(intBytes(1), longBytes(10), UpdateFlag.NO_EXIST);
            BpfException exists = assertThrows(BpfException.class,
                    () -> map.update(intBytes(1), longBytes(11), UpdateFlag.NO_EXIST));
            assertEquals("EEXIST", exists.errnoName());
            BpfException missing = assertThrows(BpfException.class,
                    () -> map.update(intBytes(2), longBytes(20), UpdateFlag.EXIST));
            assertEquals("ENOENT", missing.errnoName());
            map.update(intBytes(1), longBytes(12), UpdateFlag.EXIST);
            assertEquals(12, longAt(map.lookup(intBytes(1)), 0));
            for (int k = 2; k <= 4; k++) {
                map.update(intBytes(k), longBytes(k * 10), UpdateFlag.ANY);
            }
            BpfException full = assertThrows(BpfException.class,
                    () -> map.update(intBytes(5), longBytes(50), UpdateFlag.ANY));
            assertEquals("E2BIG", full.errnoName(), full.getMessage());
            assertEquals(Set.of(1, 2, 3, 4), keysOf(map.keys()));
            List<BpfMap.Entry> entries = map.entries();
            assertEquals(4, entries.size());
            assertEquals(Boolean.TRUE, map.batchSupported());
            long sum = entries.stream().mapToLong(e -> longAt(e.value(), 0)).sum();
            assertEquals(12 + 20 + 30 + 40, sum);
            assertTrue(map.delete(intBytes(2)));
            assertFalse(map.delete(intBytes(2)), "second delete finds nothing");
            assertEquals(30, longAt(map.lookupAndDelete(intBytes(3)), 0));
            assertNull(map.lookup(intBytes(3)));
            List<BpfMap.Entry> drained = map.drain();
            assertEquals(Set.of(1, 4), keysOf(drained.stream().map(BpfMap.Entry::key).toList()));
            assertTrue(map.keys().isEmpty(), "drain empties the map");
        }
    }

    @Test
    void batchReadsSpanningManyCallsSeeEveryEntryOnce() {
        // 1 KiB values: one batch call takes 64 of them, so 3,000 entries need about 47 calls
        int n = 3000;
        try (BpfMap map = BpfMap.create(MapType.HASH, "t_batch", 4, 1024, 4096);
                BpfMap pcpu = BpfMap.create(MapType.PERCPU_HASH, "t_batch_pcpu", 4, 512, 4096)) {
            int cpus = Kernel.possibleCpus();
            for (int k = 0; k < n; k++) {
                byte[] v = new byte[1024];
                java.nio.ByteBuffer.wrap(v).order(java.nio.ByteOrder.nativeOrder()).putLong(0, k * 7L)
                        .putLong(1016, k);
                map.update(intBytes(k), v, UpdateFlag.NO_EXIST);
                pcpu.update(intBytes(k), new byte[512 * cpus], UpdateFlag.NO_EXIST);
            }
            List<BpfMap.Entry> entries = map.entries();
            assertEquals(Boolean.TRUE, map.batchSupported());
            assertEquals(n, entries.size(), "no entry missed or repeated");
            Set<Integer> keys = keysOf(entries.stream().map(BpfMap.Entry::key).toList());
            assertEquals(n, keys.size());
            for (BpfMap.Entry e : entries) {
                int k = (int) (longAt(e.value(), 1016));
                assertEquals(k, java.nio.ByteBuffer.wrap(e.key()).order(java.nio.ByteOrder.nativeOrder()).getInt());
                assertEquals(k * 7L, longAt(e.value(), 0), "each value is its own key's");
            }
            assertEquals(n, pcpu.entries().size());
            assertEquals(n, map.drain().size(), "drain takes every entry, also over many calls");
            assertTrue(map.keys().isEmpty());
        }
    }

    @Test
    void batchUpdateWritesEveryEntryInOneCall() {
        try (BpfMap array = BpfMap.create(MapType.ARRAY, "t_upd_arr", 4, 8, 1000);
                BpfMap hash = BpfMap.create(MapType.HASH, "t_upd_hash", 4, 8, 1000);
                Arena a = Arena.ofConfined()) {
            int n = 600;
            MemorySegment keys = a.allocate(4L * n, 8);
            MemorySegment values = a.allocate(8L * n, 8);
            for (int i = 0; i < n; i++) {
                keys.setAtIndex(ValueLayout.JAVA_INT, i, i);
                values.setAtIndex(ValueLayout.JAVA_LONG, i, 1000L + i);
            }
            array.update(keys, values, n);
            hash.update(keys, values, n - 1);
            assertEquals(1000 + n - 1, array.lookupLong(n - 1));
            assertEquals(0, array.lookupLong(n), "past count: untouched");
            assertEquals(n - 1, hash.keys().size(), "only the first count entries");
            for (BpfMap.Entry e : hash.entries()) {
                assertEquals(1000 + java.nio.ByteBuffer.wrap(e.key()).order(java.nio.ByteOrder.nativeOrder())
                        .getInt(), longAt(e.value(), 0));
            }
            values.setAtIndex(ValueLayout.JAVA_LONG, 2, 7);
            hash.update(keys, values, 3);
            assertEquals(7, longAt(hash.lookup(intBytes(2)), 0), "an existing key is replaced");
            BpfException small = assertThrows(BpfException.class, () -> array.update(keys, values, n + 1));
            assertEquals(0, small.errno(), "sizes are checked before the system call: " + small.getMessage());
        }
    }

    @Test
    void sizesAreCheckedBeforeTheSystemCall() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "t_sizes", 4, 8, 4)) {
            BpfException key = assertThrows(BpfException.class, () -> map.lookup(new byte[8]));
            assertEquals(0, key.errno(), "no system call was made");
            assertTrue(key.getMessage().contains("t_sizes") && key.getMessage().contains("4-byte keys")
                    && key.getMessage().contains("8 bytes"), key.getMessage());
            BpfException value = assertThrows(BpfException.class,
                    () -> map.update(intBytes(1), new byte[4], UpdateFlag.ANY));
            assertTrue(value.getMessage().contains("8-byte values") && value.getMessage().contains("4 bytes"),
                    value.getMessage());
        }
    }

    @Test
    void lruHashEvictsInsteadOfRefusing() {
        try (BpfMap map = BpfMap.create(MapType.LRU_HASH, "t_lru", 4, 8, 64)) {
            for (int k = 0; k < 1000; k++) {
                map.update(intBytes(k), longBytes(k), UpdateFlag.ANY);
            }
            int size = map.keys().size();
            assertTrue(size > 0 && size <= 64 + Kernel.possibleCpus() * 64, "size " + size);
            assertEquals(999, longAt(map.lookup(intBytes(999)), 0), "the newest key survives");
        }
    }

    @Test
    void arrayHasEveryIndexAndRefusesDelete() {
        try (BpfMap map = BpfMap.create(MapType.ARRAY, "t_array", 4, 8, 8)) {
            assertEquals(0, map.lookupLong(7));
            map.update(3, 33);
            assertEquals(33, map.lookupLong(3));
            assertNull(map.lookup(intBytes(8)), "index past the end");
            BpfException del = assertThrows(BpfException.class, () -> map.delete(intBytes(3)));
            assertEquals("EINVAL", del.errnoName());
            assertEquals(8, map.entries().size());
            assertEquals(8, map.keys().size());
        }
    }

    @Test
    void perCpuMapsHoldOneSlotPerCpu() {
        int cpus = Kernel.possibleCpus();
        try (BpfMap array = BpfMap.create(MapType.PERCPU_ARRAY, "t_pcpu_arr", 4, 8, 4);
                BpfMap hash = BpfMap.create(MapType.PERCPU_HASH, "t_pcpu_hash", 4, 4, 4)) {
            assertEquals(8 * cpus, array.valueSlotSize());
            array.update(1, 5);
            assertEquals(5L * cpus, array.sumLong(1));
            assertEquals(cpus, array.perCpuLongs(intBytes(1), 0).length);
            // 4-byte values are padded to 8 bytes per CPU
            assertEquals(8 * cpus, hash.valueSlotSize());
            byte[] value = new byte[8 * cpus];
            for (int c = 0; c < cpus; c++) {
                value[c * 8] = (byte) (c + 1);
            }
            hash.update(intBytes(9), value, UpdateFlag.ANY);
            byte[] back = hash.lookup(intBytes(9));
            assertArrayEquals(value, back);
            BpfException wrong = assertThrows(BpfException.class,
                    () -> hash.update(intBytes(9), new byte[4], UpdateFlag.ANY));
            assertTrue(wrong.getMessage().contains("CPUs"), wrong.getMessage());
            assertEquals(1, hash.entries().size());
        }
    }

    @Test
    void progArrayHoldsPrograms() {
        try (BpfObject obj = BpfObject.openResource(MapTest.class, "/bpf/counters.bpf.o")) {
            for (Program p : obj.programs()) {
                p.setAutoload(p.name().equals("count_tp"));
            }
            obj.load();
            try (BpfMap progs = BpfMap.create(MapType.PROG_ARRAY, "t_progs", 4, 4, 4)) {
                Program p = obj.program("count_tp");
                progs.updateFd(2, p.fd());
                // the kernel answers a lookup with the program's id
                assertEquals(p.info().id(), java.nio.ByteBuffer.wrap(progs.lookup(intBytes(2)))
                        .order(java.nio.ByteOrder.nativeOrder()).getInt());
                assertTrue(progs.delete(intBytes(2)));
                assertFalse(progs.delete(intBytes(2)));
            }
        }
    }

    @Test
    void perfEventArrayHoldsPerfEvents() {
        try (BpfMap events = BpfMap.create(MapType.PERF_EVENT_ARRAY, "t_perf", 4, 4, Kernel.possibleCpus());
                Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(128, 8);
            attr.set(ValueLayout.JAVA_INT, 0, 1); // PERF_TYPE_SOFTWARE
            attr.set(ValueLayout.JAVA_INT, 4, 128);
            attr.set(ValueLayout.JAVA_LONG, 8, 10); // PERF_COUNT_SW_BPF_OUTPUT
            attr.set(ValueLayout.JAVA_LONG, 24, 1L << 10); // PERF_SAMPLE_RAW
            attr.set(ValueLayout.JAVA_LONG, 16, 1);
            MemorySegment capture = Native.capture();
            int pfd = (int) LibC.perfEventOpen(capture, 298, attr, -1, 0, -1, 8);
            assertTrue(pfd >= 0, "perf_event_open: errno " + Native.errno(capture));
            try {
                events.updateFd(0, pfd);
                assertTrue(events.delete(intBytes(0)));
            } finally {
                LibC.close(pfd);
            }
        }
    }

    @Test
    void ringBufferMapIsCreatedWithPageMultipleSize() {
        try (BpfMap ring = BpfMap.create(MapType.RINGBUF, "t_ring", 0, 0, 64 * 1024)) {
            assertEquals(MapType.RINGBUF, ring.info().type());
            assertEquals(64 * 1024, ring.info().maxEntries());
        }
        BpfException bad = assertThrows(BpfException.class, () -> BpfMap.create(MapType.RINGBUF, "t_bad", 0, 0, 1000));
        assertEquals("EINVAL", bad.errnoName());
    }

    @Test
    void pinnedMapIsReusedByAnObject() throws IOException {
        Path pin = Kernel.BPFFS.resolve("sonde-test-" + KernelTests.suffix());
        try (BpfMap shared = BpfMap.create(MapType.ARRAY, "counts", 4, 8, 7)) {
            shared.pin(pin);
            try (BpfMap reopened = BpfMap.openPinned(pin)) {
                assertEquals(MapType.ARRAY, reopened.type());
                assertEquals(4, reopened.keySize());
                assertEquals(shared.info().id(), reopened.info().id());
            }
            try (BpfObject obj = BpfObject.openResource(MapTest.class, "/bpf/counters.bpf.o")) {
                obj.setGlobal("target_tid", KernelTests.tid());
                for (Program p : obj.programs()) {
                    p.setAutoload(p.name().equals("count_tp"));
                }
                obj.map("counts").reusePinned(pin);
                obj.load();
                try (Link link = obj.program("count_tp").attach()) {
                    KernelTests.getppid(25);
                }
            }
            // the object is gone; the counts live on in the shared map
            assertEquals(25, shared.lookupLong(0));
        } finally {
            Files.deleteIfExists(pin);
        }
        BpfException gone = assertThrows(BpfException.class, () -> BpfMap.openPinned(pin));
        assertEquals("ENOENT", gone.errnoName());
    }
}
