/* SPDX-License-Identifier: GPL-2.0 */
/* The tcp probe's map and record layouts, mirrored by TcpProbe.java and TcpEvents.java. */
#ifndef TCP_H
#define TCP_H

#include "sonde.h"

#define TCP_COMM_LEN 16

/* how a connect ended */
#define TCP_RESULT_ESTABLISHED 0
#define TCP_RESULT_REFUSED 1
#define TCP_RESULT_TIMEOUT 2
#define TCP_RESULT_ERROR 3

/* tcp_cgroup_stats: per cgroup of the socket (shared by all CPUs, updated atomically; 1064 bytes) */
struct tcp_cgroup_stats {
	__u64 connects[4];      /* by TCP_RESULT_* */
	__u64 accepts;          /* passive opens that reached ESTABLISHED */
	__u64 retransmits;      /* segments, as RetransSegs counts them */
	__u64 resets_sent;
	__u64 resets_received;
	__u64 sent_bytes;       /* of connections closed: bytes the peer acknowledged */
	__u64 received_bytes;   /* of connections closed: bytes received in order */
	struct hist connect;    /* SYN sent to ESTABLISHED */
	struct hist duration;   /* ESTABLISHED to CLOSE */
	struct hist rtt;        /* smoothed RTT samples */
};

/* a remote endpoint: family AF_INET (addr[0..3]) or AF_INET6; port in host order (24 bytes) */
struct tcp_remote {
	__u8 addr[16];
	__u16 port;
	__u16 family;
	__u32 pad;
};

/* remote_stats: per remote endpoint (LRU: the least recently active are forgotten; 344 bytes) */
struct tcp_remote_stats {
	__u64 bytes;            /* sent + received bytes of connections closed */
	__u64 retransmits;
	struct hist rtt;
};

#define TCP_LIVE_ACTIVE 1       /* opened by connect() */
#define TCP_LIVE_ADOPTED 2      /* already open when first seen: no duration, bytes from then on */

/* live: one entry per socket between SYN_SENT (or ESTABLISHED) and CLOSE, keyed by the socket's
 * address (112 bytes); the time of a socket's last RTT sample lives in the socket itself (sock_hot in
 * tcp.bpf.c) */
struct tcp_live {
	__u64 cgroup_id;
	__u64 start_ns;         /* SYN sent, or when first seen */
	__u64 established_ns;   /* 0 while connecting */
	__u64 base_acked;       /* data counters when established, or when first seen */
	__u64 base_received;
	__u64 acked;            /* the socket's counters at the last refresh (refresh_listed) */
	__u64 received;
	struct tcp_remote remote;
	__u32 portpair;         /* skc_portpair once established: checks the address still is this socket */
	__u32 retrans;          /* the socket's total_retrans already counted */
	__u32 pid;              /* connect(): the caller; 0 for passive opens */
	__u32 flags;            /* TCP_LIVE_* */
	char comm[TCP_COMM_LEN];
};

enum tcp_event_type {
	TCP_EVENT_CONNECT = 1,
	TCP_EVENT_ACCEPT = 2,
	TCP_EVENT_CLOSE = 3,
	TCP_EVENT_RETRANSMIT = 4,
	TCP_EVENT_RESET = 5,
};

/* one record in the ring buffer (112 bytes) */
struct tcp_event {
	__u64 ts_ns;
	__u64 cgroup_id;
	__u64 duration_ns;      /* connect: SYN to result; close: ESTABLISHED to CLOSE */
	__u64 sent_bytes;       /* close */
	__u64 received_bytes;   /* close */
	__u32 type;             /* enum tcp_event_type */
	__u32 pid;
	__u16 family;
	__u16 sport;            /* host order */
	__u16 dport;
	__u16 detail;           /* connect: TCP_RESULT_*; reset: 0 sent, 1 received */
	__u32 segments;         /* retransmit: segments retransmitted */
	__u32 state;            /* the socket's TCP state */
	__u8 saddr[16];
	__u8 daddr[16];
	char comm[TCP_COMM_LEN];
};

#endif
