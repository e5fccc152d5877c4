/* SPDX-License-Identifier: GPL-2.0 */
/* What every Sonde probe shares on the kernel side: log2 histogram slots. */
#ifndef SONDE_H
#define SONDE_H

/* Slots of a log2 histogram: slot k counts values v with 2^(k-1) <= v < 2^k (slot 0: v == 0); the
 * last slot also takes everything larger. The agent turns slot k into the bucket le = 2^k ns. */
#define HIST_SLOTS 40

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

struct hist {
	__u64 slots[HIST_SLOTS];
	__u64 sum_ns;
};

#endif
