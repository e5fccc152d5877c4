// SPDX-License-Identifier: GPL-2.0
// block: block requests per disk and op, counted, sized and timed from issue to completion
// (block_rq_issue, block_rq_complete), and their bytes per cgroup of the task that started them
// (block_io_start, which runs in the submitter's context; block_rq_issue often does not: it may run
// from a plug flush, the I/O scheduler's dispatch or kblockd). Each hook has a tp_btf and a raw_tp
// variant; the agent loads one set.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "block.h"

char LICENSE[] SEC("license") = "GPL";

/* Set when the kernel has no block_io_start (before 6.5): the owner is then the task at issue. */
const volatile bool owner_at_issue = false;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct block_key);
	__type(value, struct block_stats);
} block_io SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct block_cgroup_key);
	__type(value, __u64);
} block_cgroup_bytes SEC(".maps");

/* A request between its start and its last completion: when it was issued (0 before), and the cgroup
 * that started it (0 when unknown). LRU, because a request merged into another or started before the
 * agent attached never completes here; its entry ages out. */
struct inflight {
	__u64 issue_ns;
	__u64 cgroup_id;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, struct inflight);
} inflight SEC(".maps");

static const struct block_stats zero_stats;

/* Kernels before 5.16 keep the disk in the request itself. */
struct request___old {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

/* What on_complete needs of a request. The BTF variants read it with plain loads that the verifier
 * checks (no helper call each: a call and its return cost tens of ns on hosts with return-stack
 * mitigations); the raw variants with BPF_CORE_READ, a probe read each. */
struct rq_facts {
	__u32 dev;
	__u32 op;
	__u32 flags;
	__u32 data_len;
	bool has_bio;
};

static __always_inline __u32 dev_of(__u32 major, __u32 first_minor)
{
	return (major << 20) | first_minor;
}

static __always_inline __u32 op_of(__u32 cmd_flags)
{
	__u32 op = cmd_flags & 0xff; /* REQ_OP_MASK */

	return op <= BLOCK_OP_DISCARD ? op : BLOCK_OP_OTHER;
}

static __always_inline void facts_btf(struct request *rq, struct rq_facts *x)
{
	struct gendisk *disk;

	if (bpf_core_field_exists(rq->q->disk))
		disk = rq->q->disk;
	else
		disk = ((struct request___old *)rq)->rq_disk;
	x->dev = disk ? dev_of(disk->major, disk->first_minor) : 0;
	x->op = op_of(rq->cmd_flags);
	x->flags = rq->rq_flags;
	x->data_len = rq->__data_len;
	x->has_bio = rq->bio != NULL;
}

static __always_inline void facts_raw(struct request *rq, struct rq_facts *x)
{
	struct gendisk *disk;

	if (bpf_core_field_exists(rq->q->disk))
		disk = BPF_CORE_READ(rq, q, disk);
	else
		disk = BPF_CORE_READ((struct request___old *)rq, rq_disk);
	x->dev = disk ? dev_of(BPF_CORE_READ(disk, major), BPF_CORE_READ(disk, first_minor)) : 0;
	x->op = op_of(BPF_CORE_READ(rq, cmd_flags));
	x->flags = BPF_CORE_READ(rq, rq_flags);
	x->data_len = BPF_CORE_READ(rq, __data_len);
	x->has_bio = BPF_CORE_READ(rq, bio) != NULL;
}

/* RQF_FLUSH_SEQ: the request is in the flush state machine (an enum bit since 6.9, 1 << 4 before) */
static __always_inline __u32 rqf_flush_seq(void)
{
	if (bpf_core_enum_value_exists(enum rqf_flags, __RQF_FLUSH_SEQ))
		return 1U << bpf_core_enum_value(enum rqf_flags, __RQF_FLUSH_SEQ);
	return 1U << 4;
}

static __always_inline int on_start(struct request *rq)
{
	__u64 key = (__u64)rq;
	struct inflight f = {.cgroup_id = bpf_get_current_cgroup_id()};

	bpf_map_update_elem(&inflight, &key, &f, BPF_ANY);
	return 0;
}

static __always_inline int on_issue(struct request *rq)
{
	__u64 key = (__u64)rq;
	struct inflight *f = bpf_map_lookup_elem(&inflight, &key);

	if (f) {
		f->issue_ns = bpf_ktime_get_ns();
		return 0;
	}
	struct inflight n = {
		.issue_ns = bpf_ktime_get_ns(),
		.cgroup_id = owner_at_issue ? bpf_get_current_cgroup_id() : 0,
	};
	bpf_map_update_elem(&inflight, &key, &n, BPF_ANY);
	return 0;
}

/* Bytes are added at every completion, partial or not, while the request still has bios: exactly what
 * the kernel adds to the sectors of /proc/diskstats. A request counts once, at its last completion,
 * except the data step of a request in the flush state machine: it completes again when the sequence
 * ends (the kernel counts it then too), while the flush request that the machine sends counts as a
 * flush. */
static __always_inline int on_complete(struct request *rq, unsigned int nr_bytes, const struct rq_facts *x)
{
	__u64 key = (__u64)rq;
	__u32 op = x->op;
	bool last = nr_bytes >= x->data_len;
	bool counted = last && (!(x->flags & rqf_flush_seq()) || op == BLOCK_OP_FLUSH);
	__u64 bytes = x->has_bio ? nr_bytes : 0;
	struct block_key k = {.dev = x->dev, .op = op};
	struct inflight *f;
	struct block_stats *s;

	if (!counted && !bytes)
		return 0;
	f = bpf_map_lookup_elem(&inflight, &key);
	s = lookup_or_init(&block_io, &k, &zero_stats);
	if (s) {
		s->bytes += bytes;
		if (counted) {
			s->requests += 1;
			if (f && f->issue_ns) {
				__u64 delta = bpf_ktime_get_ns() - f->issue_ns;
				s->latency.slots[log2_slot(delta)] += 1;
				s->latency.sum_ns += delta;
			}
		}
	}
	if (bytes && f && f->cgroup_id) {
		struct block_cgroup_key ck = {.cgroup_id = f->cgroup_id, .dev = k.dev, .op = op};
		__u64 zero = 0;
		__u64 *b = lookup_or_init(&block_cgroup_bytes, &ck, &zero);
		if (b)
			*b += bytes;
	}
	if (counted && f)
		bpf_map_delete_elem(&inflight, &key);
	return 0;
}

/* A request merged into another is freed without completing. */
static __always_inline int on_merge(struct request *rq)
{
	__u64 key = (__u64)rq;

	bpf_map_delete_elem(&inflight, &key);
	return 0;
}

SEC("tp_btf/block_io_start")
int BPF_PROG(btf_io_start, struct request *rq)
{
	return on_start(rq);
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(btf_rq_issue, struct request *rq)
{
	return on_issue(rq);
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(btf_rq_complete, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	struct rq_facts x;

	facts_btf(rq, &x);
	return on_complete(rq, nr_bytes, &x);
}

SEC("tp_btf/block_rq_merge")
int BPF_PROG(btf_rq_merge, struct request *rq)
{
	return on_merge(rq);
}

SEC("raw_tp/block_io_start")
int BPF_PROG(raw_io_start, struct request *rq)
{
	return on_start(rq);
}

SEC("raw_tp/block_rq_issue")
int BPF_PROG(raw_rq_issue, struct request *rq)
{
	return on_issue(rq);
}

SEC("raw_tp/block_rq_complete")
int BPF_PROG(raw_rq_complete, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	struct rq_facts x;

	facts_raw(rq, &x);
	return on_complete(rq, nr_bytes, &x);
}

SEC("raw_tp/block_rq_merge")
int BPF_PROG(raw_rq_merge, struct request *rq)
{
	return on_merge(rq);
}
