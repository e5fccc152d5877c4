// SPDX-License-Identifier: GPL-2.0
// An open-loop HTTP/1.1 load generator at a fixed request rate, for the slowdown benchmark.
//
// Request i is due at t0 + i / RATE, whatever happened to the requests before it, and goes round-robin
// to one of CONNS keep-alive connections. A connection carries one request at a time: a request due
// while its connection still waits for a response queues behind it and is sent when the response
// arrives. Latency is measured from the request's due time, not from when it was sent, so a slow
// response delays the requests queued behind it and they count that delay (no coordinated omission);
// the latency from the actual send is printed beside it. A periodic timerfd (RATE per second, at most
// 20 kHz) wakes the sender; requests due by then go out at once.
//
// Usage: http_load PORT RATE SECONDS CONNS [WARMUP_SECONDS]
//   Prints one line: requests (timed), achieved rate, p50/p90/p99/p99.9/max latency in microseconds
//   from the due time (p50_us ...) and from the send (sent_p50_us, sent_p99_us), queued (requests that
//   waited for their connection), errors. Requests due in the warm-up are sent but not timed.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define QUEUE 4096
static const char REQUEST[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: sonde-bench\r\n\r\n";

struct conn {
	int fd;
	int busy;                 // a request is in flight
	int64_t due, sent;        // of the request in flight
	int64_t queue[QUEUE];     // due times of requests waiting for this connection
	unsigned head, tail;
	char buf[8192];
	size_t len;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static double pct(int64_t *v, long n, double p)
{
	if (n == 0)
		return 0;
	long i = (long)(p * (n - 1) + 0.5);
	return v[i] / 1000.0;
}

static long errors, queued;

static void send_request(struct conn *c, int64_t due)
{
	c->busy = 1;
	c->due = due;
	c->sent = now_ns();
	if (write(c->fd, REQUEST, sizeof(REQUEST) - 1) != sizeof(REQUEST) - 1) {
		perror("write");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: http_load PORT RATE SECONDS CONNS [WARMUP_SECONDS]\n");
		return 2;
	}
	int port = atoi(argv[1]), nconns = atoi(argv[4]);
	double rate = atof(argv[2]), seconds = atof(argv[3]), warmup = argc > 5 ? atof(argv[5]) : 1;
	if (rate <= 0 || seconds <= 0 || nconns < 1) {
		fprintf(stderr, "http_load: RATE, SECONDS and CONNS must be positive\n");
		return 2;
	}
	long cap = (long)(rate * seconds) + 16;
	int64_t *lat = malloc(cap * sizeof(*lat)), *slat = malloc(cap * sizeof(*slat));
	struct conn *conns = calloc(nconns, sizeof(*conns));
	int ep = epoll_create1(0), one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	for (int i = 0; i < nconns; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
			perror("connect");
			return 1;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		conns[i].fd = fd;
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &conns[i]};
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	}
	int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	int64_t period = (int64_t)(1e9 / rate);
	if (period < 50000)
		period = 50000;
	struct itimerspec its = {.it_interval = {0, period}, .it_value = {0, period}};
	struct epoll_event tev = {.events = EPOLLIN, .data.ptr = NULL};
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &tev);

	int64_t t0 = now_ns();
	int64_t timed_from = t0 + (int64_t)(warmup * 1e9), end = timed_from + (int64_t)(seconds * 1e9);
	long issued = 0, timed = 0, inflight = 0;
	timerfd_settime(tfd, 0, &its, NULL);
	struct epoll_event events[256];
	int64_t drain_until = 0;
	for (;;) {
		int64_t now = now_ns();
		if (now >= end && drain_until == 0) {
			its.it_interval.tv_nsec = its.it_value.tv_nsec = 0;
			timerfd_settime(tfd, 0, &its, NULL); // stop scheduling
			drain_until = now + 2000000000LL;
		}
		if (drain_until && (inflight == 0 || now >= drain_until))
			break;
		int n = epoll_wait(ep, events, 256, 100);
		for (int i = 0; i < n; i++) {
			struct conn *c = events[i].data.ptr;
			if (c == NULL) {
				uint64_t ticks;
				if (read(tfd, &ticks, sizeof(ticks)) < 0)
					continue;
				now = now_ns();
				// every request due by now: due(i) = t0 + i / rate
				while (!drain_until) {
					int64_t due = t0 + (int64_t)(issued * 1e9 / rate);
					if (due > now || due >= end)
						break;
					struct conn *k = &conns[issued % nconns];
					issued++;
					inflight++;
					if (!k->busy) {
						send_request(k, due);
					} else {
						if (k->tail - k->head == QUEUE) {
							fprintf(stderr, "http_load: queue full: the server does not keep up\n");
							return 1;
						}
						k->queue[k->tail++ % QUEUE] = due;
						queued++;
					}
				}
				continue;
			}
			ssize_t r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
			if (r <= 0) {
				if (r < 0 && errno == EINTR)
					continue;
				fprintf(stderr, "http_load: the server closed a connection\n");
				return 1;
			}
			c->len += r;
			for (;;) { // complete responses in the buffer
				char *hdr_end = memmem(c->buf, c->len, "\r\n\r\n", 4);
				if (!hdr_end)
					break;
				long body = 0;
				char *cl = memmem(c->buf, hdr_end - c->buf, "Content-Length:", 15);
				if (cl)
					body = atol(cl + 15);
				size_t total = hdr_end + 4 - c->buf + body;
				if (total > c->len)
					break;
				int64_t done = now_ns();
				if (strncmp(c->buf, "HTTP/1.1 200", 12) != 0)
					errors++;
				if (c->busy && c->due >= timed_from && c->due < end && timed < cap) {
					lat[timed] = done - c->due;
					slat[timed] = done - c->sent;
					timed++;
				}
				inflight--;
				c->busy = 0;
				memmove(c->buf, c->buf + total, c->len - total);
				c->len -= total;
				if (c->head != c->tail)
					send_request(c, c->queue[c->head++ % QUEUE]);
			}
		}
	}
	qsort(lat, timed, sizeof(*lat), cmp);
	qsort(slat, timed, sizeof(*slat), cmp);
	printf("requests=%ld rate=%.0f achieved=%.1f p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f "
	       "sent_p50_us=%.1f sent_p99_us=%.1f queued=%ld unanswered=%ld errors=%ld\n",
	       timed, rate, timed / seconds, pct(lat, timed, 0.5), pct(lat, timed, 0.9), pct(lat, timed, 0.99),
	       pct(lat, timed, 0.999), timed ? lat[timed - 1] / 1000.0 : 0, pct(slat, timed, 0.5), pct(slat, timed, 0.99),
	       queued, inflight, errors);
	return errors || inflight ? 1 : 0;
}
