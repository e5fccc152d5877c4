package io.sonde.bpf;

import io.sonde.bpf.internal.LibBpf;
import io.sonde.bpf.internal.LibC;
import io.sonde.bpf.internal.Native;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * BpfMap is a kernel map: one of an object's maps, a map created directly with {@link #create}, or a
 * pinned map opened with {@link #openPinned}. Keys and values are raw bytes in the machine's byte
 * order; their sizes are checked in Java before any system call. Values of per-CPU maps hold one
 * slot per possible CPU, each rounded up to 8 bytes ({@link #valueSlotSize()}).
 *
 * <pre>{@code
 * BpfMap counts = object.map("counts");
 * counts.update(key, value, UpdateFlag.NO_EXIST);
 * byte[] v = counts.lookup(key);              // null when missing
 * long total = counts.sumLong(0);             // per-CPU array: the sum of every CPU's u64 at key 0
 * for (BpfMap.Entry e : counts.entries()) { ... }   // batched where the kernel can
 * }</pre>
 *
 * Maps of an object are freed with the object; maps created or opened here are freed by {@link #close()}.
 */
public final class BpfMap implements AutoCloseable {
    private static final int ENOENT = 2;
    private static final int EINVAL = 22;
    private static final int ENOTSUPP = 524;
    private static final int EOPNOTSUPP = 95;
    private static final int ENOSPC = 28;
    /**
     * The bytes of keys and values one batch call fills at most. The buffers are allocated and zeroed at
     * every read: sized by entries (up to 4,096 of a kilobyte each) they cost more than the read itself.
     */
    private static final int BATCH_BYTES = 64 * 1024;
    /** The entries one batch call takes at least: a hash map hands over whole buckets. */
    private static final int BATCH_MIN_ENTRIES = 64;

    /** Flags of an update, as the kernel defines them. */
    public enum UpdateFlag {
        /** Create or replace. */
        ANY(0),
        /** Create only; fails with EEXIST when the key is there. */
        NO_EXIST(1),
        /** Replace only; fails with ENOENT when the key is missing. */
        EXIST(2);

        final long value;

        UpdateFlag(long value) {
            this.value = value;
        }
    }

    /** Entry is one key with its value, both copied out of the map. */
    public record Entry(byte[] key, byte[] value) {}

    private final BpfObject object;
    private final MemorySegment map;
    private final String name;
    private final MapType type;
    private final int keySize;
    private final int valueSize;
    private int maxEntries;
    private int fd;
    private boolean closed;
    private volatile Boolean batchSupported;
    private volatile Boolean batchUpdateSupported;

    BpfMap(BpfObject object, MemorySegment map) {
        this.object = object;
        this.map = map;
        this.name = Native.string(LibBpf.mapName(map));
        this.type = MapType.of(LibBpf.mapType(map));
        this.keySize = LibBpf.mapKeySize(map);
        this.valueSize = LibBpf.mapValueSize(map);
        this.maxEntries = LibBpf.mapMaxEntries(map);
        this.fd = -1;
    }

    private BpfMap(int fd, String name, MapType type, int keySize, int valueSize, int maxEntries) {
        this.object = null;
        this.map = MemorySegment.NULL;
        this.fd = fd;
        this.name = name;
        this.type = type;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
    }

    /** Creates a standalone map (no object). Close it to free it. */
    public static BpfMap create(MapType type, String name, int keySize, int valueSize, int maxEntries) {
        return create(type, name, keySize, valueSize, maxEntries, 0);
    }

    /** Creates a standalone map with creation flags (BPF_F_NO_PREALLOC = 1, ...). */
    public static BpfMap create(MapType type, String name, int keySize, int valueSize, int maxEntries, int flags) {
        if (LibBpf.UNAVAILABLE != null) {
            throw new BpfException("map_create", LibBpf.UNAVAILABLE);
        }
        try (Arena a = Arena.ofConfined()) {
            // struct bpf_map_create_opts: sz at 0, map_flags at 28 (48 bytes in libbpf 1.1)
            MemorySegment opts = a.allocate(48, 8);
            opts.set(ValueLayout.JAVA_LONG, 0, 48);
            opts.set(ValueLayout.JAVA_INT, 28, flags);
            int fd = LibBpf.mapCreate(type.value(), a.allocateFrom(name), keySize, valueSize, maxEntries, opts);
            if (fd < 0) {
                throw new BpfException("map_create", -fd, null, null, "cannot create " + type + " map " + name
                        + " (key " + keySize + ", value " + valueSize + ", max entries " + maxEntries + ")", null);
            }
            return new BpfMap(fd, name, type, keySize, valueSize, maxEntries);
        }
    }

    /** Opens a map pinned in the BPF file system. Close it to release this process's reference. */
    public static BpfMap openPinned(Path path) {
        if (LibBpf.UNAVAILABLE != null) {
            throw new BpfException("map_open_pinned", LibBpf.UNAVAILABLE);
        }
        try (Arena a = Arena.ofConfined()) {
            int fd = LibBpf.objGet(a.allocateFrom(path.toString()));
            if (fd < 0) {
                throw new BpfException("map_open_pinned", -fd, null, null, "cannot open pinned map " + path, null);
            }
            MapInfo info;
            try {
                info = MapInfo.of(fd);
            } catch (BpfException e) {
                LibC.close(fd);
                throw new BpfException("map_open_pinned", e.errno(), null, null, path + " is not a BPF map", null);
            }
            return new BpfMap(fd, info.name(), info.type(), info.keySize(), info.valueSize(), info.maxEntries());
        }
    }

    void afterLoad() {
        fd = LibBpf.mapFd(map);
        maxEntries = LibBpf.mapMaxEntries(map);
    }

    void beforeClose() {
        closed = true;
        if (mapped != null) {
            LibC.munmap(Native.capture(), mapped, mapped.byteSize());
            mapped = null;
        }
    }

    private MemorySegment mapped;

    /**
     * The map's memory shared with the kernel, for an mmap-able array (BPF_F_MMAPABLE, as libbpf makes
     * .data and .bss): writes are seen by programs at once. Mapped on first use, unmapped with the object.
     */
    synchronized MemorySegment sharedMemory() {
        if (mapped == null) {
            int page = LibC.pageSize();
            long length = ((long) valueSize * Math.max(1, maxEntries) + page - 1) / page * page;
            MemorySegment capture = Native.capture();
            MemorySegment m = LibC.mmap(capture, length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd(), 0);
            if (m.address() == -1L) {
                throw new BpfException("map_mmap", Native.errno(capture), objectName(), null,
                        "cannot map the memory of " + name, null);
            }
            mapped = m.reinterpret(length);
        }
        return mapped;
    }

    MemorySegment handle() {
        return map;
    }

    /** The map's name. */
    public String name() {
        return name;
    }

    /** The map's type. */
    public MapType type() {
        return type;
    }

    /** Bytes per key. */
    public int keySize() {
        return keySize;
    }

    /** Bytes per value as declared (per CPU, for per-CPU maps). */
    public int valueSize() {
        return valueSize;
    }

    /** Bytes a lookup returns: the value size, or for per-CPU maps one 8-byte-aligned slot per possible CPU. */
    public int valueSlotSize() {
        return type.perCpu() ? ((valueSize + 7) & ~7) * Kernel.possibleCpus() : valueSize;
    }

    /** Capacity in entries (bytes, for a ring buffer). */
    public int maxEntries() {
        return maxEntries;
    }

    /** Whether libbpf made this map for global variables (.rodata, .data, .bss, .kconfig). */
    public boolean internal() {
        return object != null && LibBpf.mapIsInternal(map);
    }

    /** The map's file descriptor (after load, for an object's map). */
    public int fd() {
        if (closed) {
            throw new BpfException("map", 0, objectName(), null, "map " + name + " is closed", null);
        }
        if (fd < 0) {
            throw new BpfException("map", 0, objectName(), null,
                    "map " + name + " has no file descriptor yet: load the object first", null);
        }
        return fd;
    }

    private String objectName() {
        return object == null ? null : object.name();
    }

    /** Changes the capacity before load (a ring buffer's size must be a power-of-two multiple of the page size). */
    public BpfMap resize(int entries) {
        if (object == null) {
            throw new BpfException("map_resize", "map " + name + " is not part of an object; resize before load only");
        }
        object.ensureNotLoaded("map_resize");
        int err = LibBpf.mapSetMaxEntries(map, entries);
        if (err < 0) {
            throw new BpfException("map_resize", -err, object.name(), null,
                    "cannot resize map " + name + " to " + entries, null);
        }
        maxEntries = entries;
        return this;
    }

    /** Makes the object use an existing map (for example a pinned one) instead of creating this one; before load. */
    public BpfMap reuse(BpfMap existing) {
        if (object == null) {
            throw new BpfException("map_reuse", "map " + name + " is not part of an object");
        }
        object.ensureNotLoaded("map_reuse");
        int err = LibBpf.mapReuseFd(map, existing.fd());
        if (err < 0) {
            throw new BpfException("map_reuse", -err, object.name(), null, "map " + name + " cannot reuse map "
                    + existing.name() + " (type, key, value and max entries must match)", null);
        }
        return this;
    }

    /** Reuses the map pinned at a path; before load. */
    public BpfMap reusePinned(Path path) {
        try (BpfMap pinned = openPinned(path)) {
            return reuse(pinned);
        }
    }

    /** Pins the map at a path in the BPF file system. */
    public void pin(Path path) {
        try (Arena a = Arena.ofConfined()) {
            int err = LibBpf.objPin(fd(), a.allocateFrom(path.toString()));
            if (err < 0) {
                throw new BpfException("map_pin", -err, objectName(), null, "cannot pin map " + name + " at " + path,
                        null);
            }
        }
    }

    /** The kernel's information about the map. */
    public MapInfo info() {
        return MapInfo.of(fd());
    }

    private void checkKey(long size) {
        if (size != keySize) {
            throw new BpfException("map_key", 0, objectName(), null,
                    "map " + name + " has " + keySize + "-byte keys, the key given is " + size + " bytes", null);
        }
    }

    private void checkValue(long size) {
        int expected = valueSlotSize();
        if (size != expected) {
            throw new BpfException("map_value", 0, objectName(), null, "map " + name + " has " + expected
                    + "-byte values" + (type.perCpu() ? " (" + valueSize + " bytes on each of "
                    + Kernel.possibleCpus() + " CPUs, 8-byte aligned)" : "") + ", the value given is " + size
                    + " bytes", null);
        }
    }

    private BpfException error(String op, int err, String what) {
        return new BpfException(op, -err, objectName(), null, "map " + name + ": " + what, null);
    }

    /** Looks a key up into a caller-owned value segment; false when the key is missing. */
    public boolean lookup(MemorySegment key, MemorySegment value) {
        checkKey(key.byteSize());
        checkValue(value.byteSize());
        int err = LibBpf.mapLookup(fd(), key, value, 0);
        if (err == -ENOENT) {
            return false;
        }
        if (err < 0) {
            throw error("map_lookup", err, "lookup failed");
        }
        return true;
    }

    /** Looks a key up; returns a copy of the value, or null when the key is missing. */
    public byte[] lookup(byte[] key) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = a.allocateFrom(ValueLayout.JAVA_BYTE, key);
            MemorySegment v = a.allocate(valueSlotSize(), 8);
            return lookup(k, v) ? v.toArray(ValueLayout.JAVA_BYTE) : null;
        }
    }

    /** Creates or replaces an entry from caller-owned segments. */
    public void update(MemorySegment key, MemorySegment value, UpdateFlag flag) {
        checkKey(key.byteSize());
        checkValue(value.byteSize());
        int err = LibBpf.mapUpdate(fd(), key, value, flag.value);
        if (err < 0) {
            throw error("map_update", err, "update (" + flag + ") failed");
        }
    }

    /** Creates or replaces an entry. A full hash map refuses a new key with E2BIG; an LRU map evicts instead. */
    public void update(byte[] key, byte[] value, UpdateFlag flag) {
        try (Arena a = Arena.ofConfined()) {
            update(a.allocateFrom(ValueLayout.JAVA_BYTE, key), a.allocateFrom(ValueLayout.JAVA_BYTE, value), flag);
        }
    }

    /**
     * Creates or replaces the first {@code count} entries of caller-owned segments of keys and values (value
     * slots for per-CPU maps) in one system call where the kernel can (BPF_MAP_UPDATE_BATCH, which knows no
     * create-only or replace-only), else one update per entry. An array takes its indexes as u32 keys.
     */
    public void update(MemorySegment keys, MemorySegment values, int count) {
        int slot = valueSlotSize();
        if (count < 0 || keys.byteSize() < (long) keySize * count || values.byteSize() < (long) slot * count) {
            throw new BpfException("map_update_batch", 0, objectName(), null, "map " + name + ": " + count
                    + " entries need " + (long) keySize * count + " bytes of keys and " + (long) slot * count
                    + " of values, given " + keys.byteSize() + " and " + values.byteSize(), null);
        }
        if (count == 0) {
            return;
        }
        if (!Boolean.FALSE.equals(batchUpdateSupported)) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment n = a.allocate(ValueLayout.JAVA_INT);
                n.set(ValueLayout.JAVA_INT, 0, count);
                MemorySegment opts = a.allocate(24, 8); // struct bpf_map_batch_opts { sz; elem_flags; flags }
                opts.set(ValueLayout.JAVA_LONG, 0, 24);
                int err = LibBpf.mapUpdateBatch(fd(), keys, values, n, opts);
                if (err >= 0) {
                    batchUpdateSupported = true;
                    return;
                }
                if (batchUpdateSupported != null || (err != -EINVAL && err != -ENOTSUPP && err != -EOPNOTSUPP)) {
                    throw error("map_update_batch", err, "batch update of " + count + " entries failed");
                }
                batchUpdateSupported = false;
            }
        }
        for (int i = 0; i < count; i++) {
            update(keys.asSlice((long) i * keySize, keySize), values.asSlice((long) i * slot, slot), UpdateFlag.ANY);
        }
    }

    /** Sets a key of a prog array or perf event array to a program or perf event file descriptor. */
    public void updateFd(int index, int targetFd) {
        update(intBytes(index), intBytes(targetFd), UpdateFlag.ANY);
    }

    /** Deletes a key; false when it was missing. Arrays refuse deletion with EINVAL. */
    public boolean delete(byte[] key) {
        checkKey(key.length);
        try (Arena a = Arena.ofConfined()) {
            int err = LibBpf.mapDelete(fd(), a.allocateFrom(ValueLayout.JAVA_BYTE, key));
            if (err == -ENOENT) {
                return false;
            }
            if (err < 0) {
                throw error("map_delete", err, "delete failed");
            }
            return true;
        }
    }

    /** Looks a key up and deletes it in one step; null when missing. Hash maps need kernel 5.14+. */
    public byte[] lookupAndDelete(byte[] key) {
        checkKey(key.length);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(valueSlotSize(), 8);
            int err = LibBpf.mapLookupAndDelete(fd(), a.allocateFrom(ValueLayout.JAVA_BYTE, key), v);
            if (err == -ENOENT) {
                return null;
            }
            if (err < 0) {
                throw error("map_lookup_and_delete", err, "lookup and delete failed");
            }
            return v.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** Writes into {@code next} the key after {@code key} (the first key when key is null); false at the end. */
    public boolean nextKey(MemorySegment key, MemorySegment next) {
        if (key != null) {
            checkKey(key.byteSize());
        }
        checkKey(next.byteSize());
        int err = LibBpf.mapNextKey(fd(), key == null ? MemorySegment.NULL : key, next);
        if (err == -ENOENT) {
            return false;
        }
        if (err < 0) {
            throw error("map_get_next_key", err, "iteration failed");
        }
        return true;
    }

    /** All keys, by iteration. Keys deleted meanwhile may be skipped, as the kernel's iteration allows. */
    public List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cur = a.allocate(keySize, 8);
            MemorySegment next = a.allocate(keySize, 8);
            boolean first = true;
            while (nextKey(first ? null : cur, next)) {
                keys.add(next.toArray(ValueLayout.JAVA_BYTE));
                MemorySegment.copy(next, 0, cur, 0, keySize);
                first = false;
            }
        }
        return keys;
    }

    /** Every entry, read with batch lookups where the kernel supports them and by iteration elsewhere. */
    public List<Entry> entries() {
        List<Entry> batch = batch(false);
        if (batch != null) {
            return batch;
        }
        List<Entry> out = new ArrayList<>();
        for (byte[] k : keys()) {
            byte[] v = lookup(k);
            if (v != null) {
                out.add(new Entry(k, v));
            }
        }
        return out;
    }

    /**
     * Reads and removes every entry: batched lookup-and-delete where supported, else a lookup and a
     * delete per key. Arrays cannot be drained (their entries cannot be deleted).
     */
    public List<Entry> drain() {
        List<Entry> batch = batch(true);
        if (batch != null) {
            return batch;
        }
        List<Entry> out = new ArrayList<>();
        for (byte[] k : keys()) {
            byte[] v = lookup(k);
            if (v != null && delete(k)) {
                out.add(new Entry(k, v));
            }
        }
        return out;
    }

    /** Whether the kernel served the last batch call (null before the first). */
    public Boolean batchSupported() {
        return batchSupported;
    }

    private List<Entry> batch(boolean delete) {
        if (Boolean.FALSE.equals(batchSupported)) {
            return null;
        }
        int slot = valueSlotSize();
        int chunk = Math.max(1, Math.min(maxEntries, Math.min(4096,
                Math.max(BATCH_MIN_ENTRIES, BATCH_BYTES / (keySize + slot)))));
        List<Entry> out = new ArrayList<>();
        try (Arena a = Arena.ofConfined()) {
            int token = Math.max(keySize, 8);
            MemorySegment in = a.allocate(token, 8);
            MemorySegment outBatch = a.allocate(token, 8);
            MemorySegment keys = a.allocate((long) keySize * chunk, 8);
            MemorySegment values = a.allocate((long) slot * chunk, 8);
            MemorySegment count = a.allocate(ValueLayout.JAVA_INT);
            MemorySegment opts = a.allocate(24, 8); // struct bpf_map_batch_opts { sz; elem_flags; flags }
            opts.set(ValueLayout.JAVA_LONG, 0, 24);
            boolean first = true;
            while (true) {
                count.set(ValueLayout.JAVA_INT, 0, chunk);
                int err = LibBpf.mapLookupBatch(delete, fd(), first ? MemorySegment.NULL : in, outBatch, keys, values,
                        count, opts);
                if (err == -ENOSPC && chunk < maxEntries) {
                    // one hash bucket holds more entries than the buffers: take it again with room for it
                    chunk = Math.min(maxEntries, chunk * 2);
                    keys = a.allocate((long) keySize * chunk, 8);
                    values = a.allocate((long) slot * chunk, 8);
                    continue;
                }
                if (err < 0 && err != -ENOENT) {
                    if (first && (err == -EINVAL || err == -ENOTSUPP || err == -EOPNOTSUPP)) {
                        batchSupported = false;
                        return null;
                    }
                    throw error(delete ? "map_lookup_and_delete_batch" : "map_lookup_batch", err, "batch failed");
                }
                batchSupported = true;
                int n = count.get(ValueLayout.JAVA_INT, 0);
                for (int i = 0; i < n; i++) {
                    out.add(new Entry(keys.asSlice((long) i * keySize, keySize).toArray(ValueLayout.JAVA_BYTE),
                            values.asSlice((long) i * slot, slot).toArray(ValueLayout.JAVA_BYTE)));
                }
                if (err == -ENOENT) {
                    return out;
                }
                MemorySegment.copy(outBatch, 0, in, 0, token);
                first = false;
            }
        }
    }

    // ---- conveniences for the common u32 key / u64 value shapes ----

    /** A u32 key (or value) in the machine's byte order. */
    public static byte[] intBytes(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    /** A u64 value in the machine's byte order. */
    public static byte[] longBytes(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array();
    }

    /** Reads a u64 from a byte array at an offset, in the machine's byte order. */
    public static long longAt(byte[] b, int offset) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getLong(offset);
    }

    /** The u64 at the start of the value of a u32 key (first CPU's slot for per-CPU maps); 0 when missing. */
    public long lookupLong(int key) {
        byte[] v = lookup(intBytes(key));
        return v == null ? 0 : longAt(v, 0);
    }

    /** Sets a u32 key to a u64 value (every CPU's slot, for per-CPU maps). */
    public void update(int key, long value) {
        byte[] v = new byte[valueSlotSize()];
        int stride = type.perCpu() ? (valueSize + 7) & ~7 : valueSize;
        for (int off = 0; off + 8 <= v.length; off += stride) {
            System.arraycopy(longBytes(value), 0, v, off, 8);
        }
        update(intBytes(key), v, UpdateFlag.ANY);
    }

    /** The per-CPU u64 values at an offset within the value of a key; one entry per possible CPU. */
    public long[] perCpuLongs(byte[] key, int offset) {
        byte[] v = lookup(key);
        int cpus = Kernel.possibleCpus();
        long[] out = new long[cpus];
        if (v != null) {
            int stride = (valueSize + 7) & ~7;
            for (int c = 0; c < cpus; c++) {
                out[c] = longAt(v, c * stride + offset);
            }
        }
        return out;
    }

    /** The sum over every CPU of the u64 at the start of a u32 key's value; for a plain map, the value itself. */
    public long sumLong(int key) {
        if (!type.perCpu()) {
            return lookupLong(key);
        }
        long sum = 0;
        for (long x : perCpuLongs(intBytes(key), 0)) {
            sum += x;
        }
        return sum;
    }

    /** Sums the u64 at {@code offset} of each CPU's slot in a per-CPU value read by lookup. */
    public long sumPerCpu(byte[] perCpuValue, int offset) {
        int stride = (valueSize + 7) & ~7;
        long sum = 0;
        for (int off = offset; off + 8 <= perCpuValue.length; off += stride) {
            sum += longAt(perCpuValue, off);
        }
        return sum;
    }

    /** Releases a map created or opened here. An object's maps are released with the object. Idempotent. */
    @Override
    public synchronized void close() {
        if (object != null || closed) {
            return;
        }
        closed = true;
        LibC.close(fd);
        fd = -1;
    }

    @Override
    public String toString() {
        return "BpfMap[" + name + ", " + type + ", key " + keySize + ", value " + valueSize + ", max " + maxEntries
                + "]";
    }
}
