// SPDX-License-Identifier: GPL-2.0
// tcp: connects by result, accepts, connect and connection durations, bytes, smoothed RTT samples,
// retransmits and resets per cgroup of the socket's owner, and RTT, retransmits and traffic per remote
// endpoint; connects, accepts, closes, retransmits and resets also go into a ring buffer.
//
// Every socket between SYN_SENT (or ESTABLISHED) and CLOSE has an entry in `live`. Bytes come from the
// socket's own counters (bytes_acked, bytes_received): a closing socket adds its final figures to its
// cgroup, and refresh_listed, which the agent runs at every scrape for the open ones it found in `live`,
// copies their counters into their entries, so that long-lived connections count up to the scrape.
// Retransmits are the delta of the socket's total_retrans, the counter the kernel adds to RetransSegs with.
//
// The per-segment path (on_segment, every segment an established socket receives) calls no helper, does
// no hash lookup and reads no clock: the time a socket's next RTT sample is due sits in a slot of the
// array `rtt_due` chosen by hashing the socket's address (an inlined array access), and is compared
// with the socket's own timestamp tcp_clock_cache (CLOCK_MONOTONIC ns of the kernel's last send or
// receive on it, refreshed right after this hook: never later than now). Only a due sample looks up the
// socket's entry in `live` and reads the clock, to set the next due time. Sockets that share a slot
// share its due time: a sample of one postpones the others' until it is due again, so two samples of one
// socket are never closer than rtt_interval_ns, and with 65,536 slots few sockets ever share one. A
// socket's slot is reset when it becomes established, so that its first segment with an RTT is
// sampled; a reset can let a socket that shares the slot take one sample early. (Socket-local storage
// would give each socket its own slot, but finding it is a helper call and three dependent loads on
// every segment, which cost as much as the rest of the program; bpf_ktime_get_coarse_ns would have done
// for the timestamp, but the verifier refuses it in tracing programs.)
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#define SONDE_EVENTS
#include "sonde_net.h"
#include "tcp.h"

char LICENSE[] SEC("license") = "GPL";

#define RING_BYTES (256 * 1024)

#define ECONNREFUSED 111
#define ETIMEDOUT 110

/* At most one RTT sample per socket in this many nanoseconds. */
const volatile __u64 rtt_interval_ns = 1000000000ULL;
/* Whether successful connects, accepts and closes go into the ring buffer (failures always do). */
const volatile bool connection_events = true;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct tcp_cgroup_stats);
} cgroup_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct tcp_remote);
	__type(value, struct tcp_remote_stats);
} remote_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct tcp_live);
} live SEC(".maps");

/* The time each socket's next RTT sample is due (bpf_ktime_get_ns; 0: due now), in the slot its address
 * hashes to (rtt_slot). */
#define RTT_SLOTS 65536
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RTT_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} rtt_due SEC(".maps");

/* The keys of `live` that refresh_listed refreshes, written by the agent before each run; a zero key or
 * the end of the array ends the list. As large as `live` (the agent resizes both). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} refresh_list SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RING_BYTES);
} tcp_events SEC(".maps");

static const struct tcp_cgroup_stats zero_stats;
static const struct tcp_remote_stats zero_remote;

static __always_inline struct tcp_cgroup_stats *stats_of(__u64 cgroup_id)
{
	return lookup_or_init(&cgroup_stats, &cgroup_id, &zero_stats);
}

static __always_inline void hist_add(struct hist *h, __u64 v)
{
	__sync_fetch_and_add(&h->slots[log2_slot(v)], 1);
	__sync_fetch_and_add(&h->sum_ns, v);
}

/* The RTT due time of a socket: its slot in rtt_due (a multiplicative hash of its address). The verifier
 * allows no arithmetic on a pointer but the difference of two, which is a plain number: the socket's
 * address less the map's, a constant, hashes as well as the address itself. */
static __always_inline __u64 *rtt_slot(const struct sock *sk)
{
	__u64 a = (__u64)sk - (__u64)&rtt_due;
	__u32 i = (__u32)((a * 0x9E3779B97F4A7C15ULL) >> 48);

	return bpf_map_lookup_elem(&rtt_due, &i);
}

/* An established socket (a socket connected again starts over): its first segment with an RTT is
 * sampled. */
static __always_inline void hot_start(const struct sock *sk)
{
	__u64 *due = rtt_slot(sk);

	if (due)
		*due = 0;
}

static __always_inline void remote_of(const struct sock *sk, struct tcp_remote *r)
{
	__u8 saddr[16];
	__u16 sport;

	sonde_sock_addrs(sk, &r->family, saddr, r->addr, &sport, &r->port);
	if (r->family != SONDE_AF_INET6)
		__builtin_memset(&r->addr[4], 0, 12);
	r->pad = 0;
}

static __always_inline struct tcp_event *reserve(__u32 type, const struct sock *sk, const struct tcp_live *l,
						 __u64 cgroup_id)
{
	struct tcp_event *e = sonde_ringbuf_reserve(&tcp_events, sizeof(*e));

	if (!e)
		return NULL;
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->cgroup_id = cgroup_id;
	e->type = type;
	if (l && l->pid) {
		e->pid = l->pid;
		__builtin_memcpy(e->comm, l->comm, sizeof(e->comm));
	}
	if (sk) {
		sonde_sock_addrs(sk, &e->family, e->saddr, e->daddr, &e->sport, &e->dport);
		e->state = BPF_CORE_READ(sk, __sk_common.skc_state);
		/* a closing socket may have given its port back already */
		if (!e->sport && l && l->portpair)
			e->sport = l->portpair >> 16;
	}
	return e;
}

/* The socket's bytes_acked and bytes_received count sequence space: the SYN it sent (active opens)
 * and a FIN either way once acknowledged or received. Data only: the counters when the connection
 * was established are its base (the SYN), and these leave out a FIN. */
static __always_inline __u64 data_acked(const struct sock *sk, int state)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	__u64 acked = BPF_CORE_READ(tp, bytes_acked);
	bool fin_sent = state == TCP_FIN_WAIT1 || state == TCP_FIN_WAIT2 || state == TCP_CLOSING || state == TCP_LAST_ACK;

	if (fin_sent && acked && BPF_CORE_READ(tp, snd_una) == BPF_CORE_READ(tp, write_seq))
		acked -= 1;
	return acked;
}

static __always_inline __u64 data_received(const struct sock *sk)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	__u64 received = BPF_CORE_READ(tp, bytes_received);
	__u64 flags = BPF_CORE_READ(sk, __sk_common.skc_flags);

	/* SOCK_DONE: the peer's FIN arrived (tcp_fin) */
	if ((flags >> bpf_core_enum_value(enum sock_flags, SOCK_DONE)) & 1 && received)
		received -= 1;
	return received;
}

static __always_inline void on_syn_sent(const struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct tcp_live l = {};

	l.cgroup_id = sonde_sock_cgroup(sk);
	l.start_ns = bpf_ktime_get_ns();
	l.flags = TCP_LIVE_ACTIVE;
	l.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(&l.comm, sizeof(l.comm));
	l.retrans = BPF_CORE_READ((struct tcp_sock *)sk, total_retrans);
	remote_of(sk, &l.remote);
	bpf_map_update_elem(&live, &key, &l, BPF_ANY);
}

/* A socket first seen open (passive open, or opened before the probe): an entry from now on. */
static __always_inline void track(const struct sock *sk, __u64 now, __u32 flags)
{
	__u64 key = (__u64)sk;
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	struct tcp_live l = {};

	l.cgroup_id = sonde_sock_cgroup(sk);
	l.start_ns = now;
	l.established_ns = now;
	l.base_acked = data_acked(sk, TCP_ESTABLISHED);
	l.base_received = data_received(sk);
	l.acked = l.base_acked;
	l.received = l.base_received;
	l.portpair = BPF_CORE_READ(sk, __sk_common.skc_portpair);
	l.retrans = BPF_CORE_READ(tp, total_retrans);
	l.flags = flags;
	remote_of(sk, &l.remote);
	bpf_map_update_elem(&live, &key, &l, BPF_NOEXIST);
	hot_start(sk);
}

static __always_inline void on_established(const struct sock *sk, int oldstate)
{
	__u64 key = (__u64)sk;
	__u64 now = bpf_ktime_get_ns();
	struct tcp_live *l = bpf_map_lookup_elem(&live, &key);
	struct tcp_cgroup_stats *s;
	struct tcp_event *e;

	if (l && !l->established_ns) {
		__u64 took = now - l->start_ns;
		l->established_ns = now;
		l->base_acked = data_acked(sk, TCP_ESTABLISHED);
		l->base_received = data_received(sk);
		l->acked = l->base_acked;
		l->received = l->base_received;
		l->portpair = BPF_CORE_READ(sk, __sk_common.skc_portpair);
		hot_start(sk);
		s = stats_of(l->cgroup_id);
		if (s) {
			__sync_fetch_and_add(&s->connects[TCP_RESULT_ESTABLISHED], 1);
			hist_add(&s->connect, took);
		}
		if (connection_events) {
			e = reserve(TCP_EVENT_CONNECT, sk, l, l->cgroup_id);
			if (e) {
				e->duration_ns = took;
				e->detail = TCP_RESULT_ESTABLISHED;
				sonde_ringbuf_submit(&tcp_events, e, RING_BYTES);
			}
		}
		return;
	}
	if (l)
		return;
	/* a passive open (its socket inherits the listener's owner), or a connect the probe missed */
	track(sk, now, oldstate == TCP_SYN_RECV ? 0 : TCP_LIVE_ACTIVE);
	if (oldstate != TCP_SYN_RECV)
		return;
	__u64 cgroup_id = sonde_sock_cgroup(sk);
	s = stats_of(cgroup_id);
	if (s)
		__sync_fetch_and_add(&s->accepts, 1);
	if (connection_events) {
		e = reserve(TCP_EVENT_ACCEPT, sk, NULL, cgroup_id);
		if (e)
			sonde_ringbuf_submit(&tcp_events, e, RING_BYTES);
	}
}

static __always_inline void add_retransmits(const struct tcp_live *l, __u32 segments)
{
	struct tcp_cgroup_stats *s = stats_of(l->cgroup_id);
	struct tcp_remote_stats *r;

	if (s)
		__sync_fetch_and_add(&s->retransmits, segments);
	r = lookup_or_init(&remote_stats, &l->remote, &zero_remote);
	if (r)
		__sync_fetch_and_add(&r->retransmits, segments);
}

static __always_inline void on_close(const struct sock *sk, int oldstate)
{
	__u64 key = (__u64)sk;
	__u64 now = bpf_ktime_get_ns();
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	struct tcp_live *found = bpf_map_lookup_elem(&live, &key);
	struct tcp_cgroup_stats *s;
	struct tcp_remote_stats *r;
	struct tcp_event *e;
	struct tcp_live l;
	__u32 retrans;

	if (!found)
		return;
	l = *found;
	/* forget the socket before adding its figures: a scrape in between then counts them nowhere for
	 * a moment, never twice */
	bpf_map_delete_elem(&live, &key);
	retrans = BPF_CORE_READ(tp, total_retrans);
	if (retrans != l.retrans)
		add_retransmits(&l, retrans - l.retrans);
	s = stats_of(l.cgroup_id);
	if (!l.established_ns) {
		int err = BPF_CORE_READ(sk, sk_err);
		__u16 result = err == ECONNREFUSED ? TCP_RESULT_REFUSED
			     : err == ETIMEDOUT ? TCP_RESULT_TIMEOUT : TCP_RESULT_ERROR;
		if (s)
			__sync_fetch_and_add(&s->connects[result & 3], 1);
		e = reserve(TCP_EVENT_CONNECT, sk, &l, l.cgroup_id);
		if (e) {
			e->duration_ns = now - l.start_ns;
			e->detail = result;
			sonde_ringbuf_submit(&tcp_events, e, RING_BYTES);
		}
		return;
	}
	__u64 sent = data_acked(sk, oldstate) - l.base_acked;
	__u64 received = data_received(sk) - l.base_received;
	if (s) {
		__sync_fetch_and_add(&s->sent_bytes, sent);
		__sync_fetch_and_add(&s->received_bytes, received);
		if (!(l.flags & TCP_LIVE_ADOPTED))
			hist_add(&s->duration, now - l.established_ns);
	}
	r = lookup_or_init(&remote_stats, &l.remote, &zero_remote);
	if (r)
		__sync_fetch_and_add(&r->bytes, sent + received);
	if (connection_events) {
		e = reserve(TCP_EVENT_CLOSE, sk, &l, l.cgroup_id);
		if (e) {
			e->duration_ns = l.flags & TCP_LIVE_ADOPTED ? 0 : now - l.established_ns;
			e->sent_bytes = sent;
			e->received_bytes = received;
			e->state = oldstate;
			sonde_ringbuf_submit(&tcp_events, e, RING_BYTES);
		}
	}
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(on_state, const struct sock *sk, const int oldstate, const int newstate)
{
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	if (newstate == TCP_SYN_SENT)
		on_syn_sent(sk);
	else if (newstate == TCP_ESTABLISHED)
		on_established(sk, oldstate);
	else if (newstate == TCP_CLOSE)
		on_close(sk, oldstate);
	return 0;
}

/* The RTT sample (ns) of a socket whose sample is due; false when there is none to take yet: no RTT
 * measured, or the socket has no entry in live (the LRU forgot it for newer ones: it is adopted again). */
static __always_inline bool sample_rtt(const struct sock *sk, __u64 rtt)
{
	__u64 key = (__u64)sk;
	struct tcp_cgroup_stats *s;
	struct tcp_remote_stats *r;
	struct tcp_live *l;

	l = bpf_map_lookup_elem(&live, &key);
	if (!l) {
		track(sk, bpf_ktime_get_ns(), TCP_LIVE_ADOPTED);
		return false;
	}
	if (!rtt)
		return false;
	s = stats_of(l->cgroup_id);
	if (s)
		hist_add(&s->rtt, rtt);
	r = lookup_or_init(&remote_stats, &l->remote, &zero_remote);
	if (r)
		hist_add(&r->rtt, rtt);
	return true;
}

/* Every segment an established socket receives, with the socket also seen as a tcp_sock: when its slot
 * is due, sample its smoothed RTT (at most every rtt_interval_ns), or start following it if it was open
 * before the probe (it has no entry in live yet). */
static __always_inline int segment(struct sock *sk, const struct tcp_sock *tp)
{
	__u64 *due = rtt_slot(sk);

	if (!tp || !due || tp->tcp_clock_cache < *due)
		return 0;
	if (sample_rtt(sk, (__u64)(tp->srtt_us >> 3) * 1000))
		*due = bpf_ktime_get_ns() + rtt_interval_ns;
	return 0;
}

/* The verifier turns this cast into no instruction at all (6.2 and later); weak, so that the object
 * also loads where the kernel lacks it and on_segment_compat runs instead. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

SEC("tp_btf/tcp_probe")
int BPF_PROG(on_segment, struct sock *sk)
{
	return segment(sk, bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct tcp_sock)));
}

/* on_segment for kernels before 6.2: the same with a helper call to see the tcp_sock. */
SEC("tp_btf/tcp_probe")
int BPF_PROG(on_segment_compat, struct sock *sk)
{
	return segment(sk, bpf_skc_to_tcp_sock(sk));
}

/* The kernel retransmitted (or tried to): count the segments its own counter added. */
SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(on_retransmit, const struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct tcp_live *l = bpf_map_lookup_elem(&live, &key);
	struct tcp_event *e;
	__u32 now, segments;

	if (!l)
		return 0;
	now = BPF_CORE_READ((struct tcp_sock *)sk, total_retrans);
	segments = now - l->retrans;
	if (!segments)
		return 0;
	l->retrans = now;
	add_retransmits(l, segments);
	e = reserve(TCP_EVENT_RETRANSMIT, sk, l, l->cgroup_id);
	if (e) {
		e->segments = segments;
		sonde_ringbuf_submit(&tcp_events, e, RING_BYTES);
	}
	return 0;
}

static __always_inline void count_reset(const struct sock *sk, const struct sk_buff *skb, __u16 received)
{
	__u64 cgroup_id = sonde_sock_cgroup(sk);
	struct tcp_cgroup_stats *s = stats_of(cgroup_id);
	struct tcp_live *l = NULL;
	struct tcp_event *e;

	if (s) {
		if (received)
			__sync_fetch_and_add(&s->resets_received, 1);
		else
			__sync_fetch_and_add(&s->resets_sent, 1);
	}
	if (sk) {
		__u64 key = (__u64)sk;
		l = bpf_map_lookup_elem(&live, &key);
	}
	e = reserve(TCP_EVENT_RESET, sk, l, cgroup_id);
	if (!e)
		return;
	e->detail = received;
	if (!sk && skb) {
		/* a reset answering a packet no socket took: the packet's addresses, seen from here */
		__u16 ethertype = 0;
		__u8 l4 = 0;
		sonde_skb_addrs(skb, &ethertype, &l4, &e->family, e->daddr, e->saddr, &e->dport, &e->sport);
	}
	sonde_ringbuf_submit(&tcp_events, e, RING_BYTES);
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(on_send_reset, const struct sock *sk, const struct sk_buff *skb)
{
	count_reset(sk, skb, 0);
	return 0;
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(on_receive_reset, struct sock *sk)
{
	count_reset(sk, NULL, 1);
	return 0;
}

static long refresh_at(__u64 index, void *ctx)
{
	__u32 i = index;
	__u64 *key = bpf_map_lookup_elem(&refresh_list, &i);
	const struct sock *sk;
	struct tcp_live *l;

	if (!key || !*key)
		return 1;
	l = bpf_map_lookup_elem(&live, key);
	if (!l || !l->established_ns)
		return 0;
	sk = (const struct sock *)*key;
	/* an entry whose socket went away unseen: the address holds something else now */
	if (BPF_CORE_READ(sk, __sk_common.skc_portpair) != l->portpair) {
		bpf_map_delete_elem(&live, key);
		return 0;
	}
	l->acked = data_acked(sk, BPF_CORE_READ(sk, __sk_common.skc_state));
	l->received = data_received(sk);
	return 0;
}

/* Run by the agent at every scrape (BPF_PROG_TEST_RUN), never attached: copies the byte counters of the
 * open sockets listed in refresh_list into their entries. A walk of `live` itself would visit every one
 * of its 65,536 hash buckets (about 1 ms), however few sockets are open. */
SEC("raw_tp")
int refresh_listed(void *ctx)
{
	bpf_loop(1 << 23, refresh_at, NULL, 0);
	return 0;
}
