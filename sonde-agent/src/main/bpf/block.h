/* SPDX-License-Identifier: GPL-2.0 */
/* The block probe's map layouts, mirrored by BlockProbe.java. */
#ifndef BLOCK_H
#define BLOCK_H

#include "sonde.h"

/* the request's operation (cmd_flags & REQ_OP_MASK), folded: read, write, flush, discard, other */
#define BLOCK_OP_READ 0
#define BLOCK_OP_WRITE 1
#define BLOCK_OP_FLUSH 2
#define BLOCK_OP_DISCARD 3
#define BLOCK_OP_OTHER 4

/* block_io: per disk (dev = major << 20 | minor, the kernel's dev_t) and op */
struct block_key {
	__u32 dev;
	__u32 op;
};

/* requests completed, bytes completed, and issue-to-completion latency of the requests whose issue
 * was seen */
struct block_stats {
	__u64 requests;
	__u64 bytes;
	struct hist latency;
};

/* block_cgroup_bytes: bytes completed per cgroup that started the request, disk and op */
struct block_cgroup_key {
	__u64 cgroup_id;
	__u32 dev;
	__u32 op;
};

#endif
