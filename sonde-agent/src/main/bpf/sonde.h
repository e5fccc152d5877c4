/* SPDX-License-Identifier: GPL-2.0 */
/* What every Sonde probe shares on the kernel side: log2 histogram slots, counting helpers, sampling. */
#ifndef SONDE_H
#define SONDE_H

/* Slots of a log2 histogram: slot k counts values v with 2^(k-1) <= v < 2^k (slot 0: v == 0); the
 * last slot also takes everything larger. The agent turns slot k into the bucket le = 2^k ns. */
#define HIST_SLOTS 40

/* keeps the compiler from moving memory accesses across it */
#define barrier() asm volatile("" ::: "memory")

static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 n = 0;

	if (v >= (1ULL << 32)) { n += 32; v >>= 32; }
	if (v >= (1ULL << 16)) { n += 16; v >>= 16; }
	if (v >= (1ULL << 8)) { n += 8; v >>= 8; }
	if (v >= (1ULL << 4)) { n += 4; v >>= 4; }
	if (v >= (1ULL << 2)) { n += 2; v >>= 2; }
	if (v >= (1ULL << 1)) { n += 1; v >>= 1; }
	n += (__u32)v;
	return n < HIST_SLOTS ? n : HIST_SLOTS - 1;
}

/* Counter updates that found their map full: nothing is dropped without being counted. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} insert_failures SEC(".maps");

/* Counts one entry that could not be created (its map full, or storage refused). */
static __always_inline void count_insert_failure(void)
{
	__u32 zero = 0;
	__u64 *failed = bpf_map_lookup_elem(&insert_failures, &zero);

	if (failed)
		*failed += 1;
}

/* Adds one to the u64 counter of a key, creating it at 1 when it is missing (a creator racing on another
 * CPU is caught by the second lookup). `shared` is for maps whose values all CPUs share: the add is then
 * atomic; a per-CPU map's value is this CPU's own, and a plain add is enough. */
static __always_inline void count_add(void *map, const void *key, int shared)
{
	__u64 *count = bpf_map_lookup_elem(map, key);

	if (!count) {
		__u64 one = 1;
		if (!bpf_map_update_elem(map, key, &one, BPF_NOEXIST))
			return;
		count = bpf_map_lookup_elem(map, key);
		if (!count) {
			count_insert_failure();
			return;
		}
	}
	if (shared)
		__sync_fetch_and_add(count, 1);
	else
		*count += 1;
}

/* The value of a key in a hash, created from `zero` when missing (a creator racing on another CPU is
 * caught by the second lookup); NULL, counted in insert_failures, when the map is full. */
static __always_inline void *lookup_or_init(void *map, const void *key, const void *zero)
{
	void *value = bpf_map_lookup_elem(map, key);

	if (value)
		return value;
	bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	value = bpf_map_lookup_elem(map, key);
	if (!value)
		count_insert_failure();
	return value;
}

/* per-CPU hash maps */
#define count_percpu(map, key) count_add(map, key, 0)
/* hash maps shared by every CPU */
#define count_shared(map, key) count_add(map, key, 1)

struct hist {
	__u64 slots[HIST_SLOTS];
	__u64 sum_ns;
};

#ifdef SONDE_EVENTS
/* Ring-buffer records the kernel side could not reserve, for probes that define SONDE_EVENTS before
 * including this; the agent serves them as sonde_events_lost_total. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} events_lost SEC(".maps");

/* A record of `size` bytes reserved in `ring`, or NULL, counted in events_lost, when the ring is full. */
static __always_inline void *sonde_ringbuf_reserve(void *ring, __u64 size)
{
	void *e = bpf_ringbuf_reserve(ring, size, 0);

	if (!e) {
		__u32 zero = 0;
		__u64 *lost = bpf_map_lookup_elem(&events_lost, &zero);
		if (lost)
			*lost += 1;
	}
	return e;
}

/* Submits a ring-buffer record, waking the reader only once a quarter of the ring is waiting: the
 * reader also polls on a short timer, so records are late by at most that period, and a burst (a
 * connection storm, a flood of drops) costs one wakeup per many records instead of one each. */
#define sonde_ringbuf_submit(ring, record, ring_bytes)                                            \
	bpf_ringbuf_submit(record, bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA) >= (ring_bytes) / 4 \
					   ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP)
#endif

#ifdef SONDE_SAMPLED
/* Sampling under the overhead budget, for probes that define SONDE_SAMPLED before including this: 1
 * counts every event; N > 1 counts one event in N on each CPU (sample_ticks is the per-CPU tick). The
 * agent writes sample_every at run time and scales what was counted back up by N. */
__u32 sample_every = 1;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} sample_ticks SEC(".maps");

/* true when this event is not one of the sampled ones; one load and a branch when not sampling */
static __always_inline bool sampled_out(void)
{
	__u32 n = sample_every, zero = 0, *tick;

	if (n <= 1)
		return false;
	tick = bpf_map_lookup_elem(&sample_ticks, &zero);
	if (!tick)
		return false;
	*tick += 1;
	return *tick % n != 0;
}
#endif

#endif
