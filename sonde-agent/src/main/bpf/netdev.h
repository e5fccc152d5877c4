/* SPDX-License-Identifier: GPL-2.0 */
/* The netdev probe's map layouts, mirrored by NetdevProbe.java. */
#ifndef NETDEV_H
#define NETDEV_H

#define NETDEV_RECEIVED 0
#define NETDEV_SENT 1

/* netdev_counts: per cgroup of the packet's socket and direction (16 bytes) */
struct netdev_key {
	__u64 cgroup_id;
	__u32 direction;  /* NETDEV_RECEIVED or NETDEV_SENT */
	__u32 pad;
};

struct netdev_counts {
	__u64 bytes;      /* IP packet lengths (headers included, link layer not) */
	__u64 packets;    /* segments: a GSO/GRO packet counts as the packets it is made of */
};

#endif
