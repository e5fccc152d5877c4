package io.sonde.bpf;

/**
 * MapType names the kernel's map types ({@code enum bpf_map_type}) with their numbers.
 *
 * <pre>{@code
 * BpfMap counts = BpfMap.create(MapType.PERCPU_ARRAY, "counts", 4, 8, 16);
 * }</pre>
 */
public enum MapType {
    UNSPEC, HASH, ARRAY, PROG_ARRAY, PERF_EVENT_ARRAY, PERCPU_HASH, PERCPU_ARRAY, STACK_TRACE, CGROUP_ARRAY,
    LRU_HASH, LRU_PERCPU_HASH, LPM_TRIE, ARRAY_OF_MAPS, HASH_OF_MAPS, DEVMAP, SOCKMAP, CPUMAP, XSKMAP, SOCKHASH,
    CGROUP_STORAGE, REUSEPORT_SOCKARRAY, PERCPU_CGROUP_STORAGE, QUEUE, STACK, SK_STORAGE, DEVMAP_HASH, STRUCT_OPS,
    RINGBUF, INODE_STORAGE, TASK_STORAGE, BLOOM_FILTER, USER_RINGBUF, CGRP_STORAGE, ARENA;

    /** The kernel's number for this type. */
    public int value() {
        return ordinal();
    }

    /** Whether values of this type hold one slot per possible CPU. */
    public boolean perCpu() {
        return this == PERCPU_HASH || this == PERCPU_ARRAY || this == LRU_PERCPU_HASH || this == PERCPU_CGROUP_STORAGE;
    }

    /** The type with the kernel's number, or UNSPEC for a number this library does not know. */
    public static MapType of(int value) {
        MapType[] all = values();
        return value >= 0 && value < all.length ? all[value] : UNSPEC;
    }
}
