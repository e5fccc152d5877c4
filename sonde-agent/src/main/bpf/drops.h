/* SPDX-License-Identifier: GPL-2.0 */
/* The drops probe's map and record layouts, mirrored by DropsProbe.java and DropEvent.java. */
#ifndef DROPS_H
#define DROPS_H

#define DROP_COMM_LEN 16

/* drop_counts: per drop reason and protocol (8 bytes) */
struct drop_key {
	__u32 reason;     /* enum skb_drop_reason of the running kernel */
	__u16 ethertype;  /* skb->protocol, host order */
	__u8 l4;          /* IP protocol (IPPROTO_*), 0 when unknown */
	__u8 pad;
};

/* one record in the ring buffer (88 bytes) */
struct drop_event {
	__u64 ts_ns;
	__u64 cgroup_id;  /* the owner of the packet's socket; the root cgroup when it has none */
	__u32 reason;
	__u32 pid;        /* the task running, when it is the socket's owner; else 0 */
	__u16 ethertype;
	__u8 l4;
	__u8 pad;
	__u16 family;     /* AF_INET, AF_INET6, or 0 */
	__u16 sport;      /* host order */
	__u16 dport;
	__u16 pad2;
	__u32 ifindex;    /* the device the packet was on, or 0 */
	__u8 saddr[16];
	__u8 daddr[16];
	char comm[DROP_COMM_LEN];
};

#endif
