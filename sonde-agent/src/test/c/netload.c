// SPDX-License-Identifier: GPL-2.0
// A network test workload whose work is exactly known. Built static. ADDR is an IPv4 or IPv6 address.
//   netload serve ADDR PORT N MODE  listen, print "ready", then accept N connections one after another;
//                                   MODE sink: read each until EOF, then close; MODE echo[:MS]: send
//                                   back what arrives until EOF (MS ms after it arrives); MODE reset:
//                                   close each at once with a reset (SO_LINGER 0); print "received B"
//                                   (all bytes read), exit
//   netload connect ADDR PORT N B   print "ready", wait for a line, then N connections one after
//                                   another, each sending B bytes, shutting down its sending side and
//                                   reading until EOF; print "done E" (E: connects that failed), exit
//   netload ping ADDR PORT N MS S   connect, print "connected SPORT", then N times: send S bytes, read
//                                   S bytes back, sleep MS ms; print "idle", wait for a line, close;
//                                   print "done", exit
//   netload udprecv ADDR PORT N     bind, print "ready", receive N datagrams, print "received B", exit
//   netload udpsend ADDR PORT N S   print "ready", wait for a line, send N datagrams of S bytes, print
//                                   "done", exit
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char buf[65536];

static void wait_for_go(void)
{
	char line[16];

	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		exit(3);
}

static socklen_t address(const char *addr, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		if (inet_pton(AF_INET6, addr, &a->sin6_addr) != 1)
			exit(2);
		return sizeof(*a);
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &a->sin_addr) != 1)
		exit(2);
	return sizeof(*a);
}

static int writeall(int fd, const char *p, long n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n > (long)sizeof(buf) ? (long)sizeof(buf) : n);
		if (w <= 0)
			return -1;
		n -= w;
	}
	return 0;
}

static int serve(const char *addr, int port, int n, const char *mode)
{
	int echo = !strncmp(mode, "echo", 4);
	int ms = mode[4] == ':' ? atoi(mode + 5) : 0;
	struct timespec delay = {ms / 1000, (ms % 1000) * 1000000L};
	struct sockaddr_storage ss;
	socklen_t len = address(addr, port, &ss);
	int one = 1;
	long total = 0;
	int l = socket(ss.ss_family, SOCK_STREAM, 0);

	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&ss, len) || listen(l, 128))
		return 4;
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		int c = accept(l, NULL, NULL);
		if (c < 0)
			return 5;
		if (!strcmp(mode, "reset")) {
			struct linger now = {1, 0};
			setsockopt(c, SOL_SOCKET, SO_LINGER, &now, sizeof(now));
			close(c);
			continue;
		}
		for (;;) {
			ssize_t r = read(c, buf, sizeof(buf));
			if (r < 0)
				return 6;
			if (r == 0)
				break;
			total += r;
			if (echo && ms)
				nanosleep(&delay, NULL);
			if (echo && writeall(c, buf, r))
				return 7;
		}
		close(c);
	}
	printf("received %ld\n", total);
	return 0;
}

static int connect_to(const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = address(addr, port, &ss);
	int s = socket(ss.ss_family, SOCK_STREAM, 0);

	if (s < 0)
		return -1;
	if (connect(s, (struct sockaddr *)&ss, len)) {
		close(s);
		return -1;
	}
	return s;
}

static int connects(const char *addr, int port, int n, long bytes)
{
	int failed = 0;

	memset(buf, 'x', sizeof(buf));
	wait_for_go();
	for (int i = 0; i < n; i++) {
		int s = connect_to(addr, port);
		if (s < 0) {
			failed++;
			continue;
		}
		if (writeall(s, buf, bytes))
			return 8;
		shutdown(s, SHUT_WR);
		while (read(s, buf, sizeof(buf)) > 0)
			;
		close(s);
	}
	printf("done %d\n", failed);
	return 0;
}

static int ping(const char *addr, int port, int n, int ms, int size)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	struct timespec nap = {ms / 1000, (ms % 1000) * 1000000L};
	int s = connect_to(addr, port);

	if (s < 0 || size > (int)sizeof(buf))
		return 9;
	getsockname(s, (struct sockaddr *)&local, &len);
	printf("connected %d\n", ntohs(((struct sockaddr_in *)&local)->sin_port));
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		if (writeall(s, buf, size))
			return 10;
		for (int got = 0; got < size;) {
			ssize_t r = read(s, buf, size - got);
			if (r <= 0)
				return 11;
			got += r;
		}
		nanosleep(&nap, NULL);
	}
	printf("idle\n");
	fflush(stdout);
	if (!fgets(buf, sizeof(buf), stdin))
		return 16;
	shutdown(s, SHUT_WR);
	while (read(s, buf, sizeof(buf)) > 0)
		;
	close(s);
	printf("done\n");
	return 0;
}

static int udprecv(const char *addr, int port, int n)
{
	struct sockaddr_storage ss;
	socklen_t len = address(addr, port, &ss);
	long total = 0;
	int s = socket(ss.ss_family, SOCK_DGRAM, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&ss, len))
		return 12;
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		ssize_t r = recv(s, buf, sizeof(buf), 0);
		if (r < 0)
			return 13;
		total += r;
	}
	printf("received %ld\n", total);
	return 0;
}

static int udpsend(const char *addr, int port, int n, int size)
{
	struct sockaddr_storage ss;
	socklen_t len = address(addr, port, &ss);
	struct timespec nap = {0, 200000};
	int s = socket(ss.ss_family, SOCK_DGRAM, 0);

	if (s < 0 || size > (int)sizeof(buf))
		return 14;
	wait_for_go();
	for (int i = 0; i < n; i++) {
		if (sendto(s, buf, size, 0, (struct sockaddr *)&ss, len) != size)
			return 15;
		nanosleep(&nap, NULL); /* paced, so that the receiver's buffer never overflows */
	}
	printf("done\n");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 6 && !strcmp(argv[1], "serve"))
		return serve(argv[2], atoi(argv[3]), atoi(argv[4]), argv[5]);
	if (argc == 6 && !strcmp(argv[1], "connect"))
		return connects(argv[2], atoi(argv[3]), atoi(argv[4]), atol(argv[5]));
	if (argc == 7 && !strcmp(argv[1], "ping"))
		return ping(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
	if (argc == 5 && !strcmp(argv[1], "udprecv"))
		return udprecv(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 6 && !strcmp(argv[1], "udpsend"))
		return udpsend(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	fprintf(stderr, "usage: netload serve|connect|ping|udprecv|udpsend ...\n");
	return 1;
}
