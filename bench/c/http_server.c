// SPDX-License-Identifier: GPL-2.0
// A tiny HTTP/1.1 keep-alive server for the slowdown benchmark: one thread, epoll, non-blocking
// sockets; every request (anything up to an empty line; no request bodies) gets the same small 200
// response, and pipelined requests are answered in order. Serves until SIGTERM or SIGINT.
// Usage: http_server PORT        (listens on 127.0.0.1:PORT)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNS 4096
#define BUF 16384

static const char RESPONSE[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n";

struct conn {
	int fd;
	size_t len;
	char buf[BUF];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void drop(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
}

// answers every complete request in the buffer; returns -1 when the connection must close
static int serve(struct conn *c)
{
	for (;;) {
		ssize_t r = read(c->fd, c->buf + c->len, BUF - c->len);
		if (r == 0)
			return -1;
		if (r < 0)
			return errno == EAGAIN ? 0 : -1;
		c->len += r;
		char *start = c->buf, *end;
		size_t left = c->len;
		while ((end = memmem(start, left, "\r\n\r\n", 4)) != NULL) {
			if (write(c->fd, RESPONSE, sizeof(RESPONSE) - 1) != sizeof(RESPONSE) - 1)
				return -1; // a 66-byte response always fits an empty socket buffer
			left -= end + 4 - start;
			start = end + 4;
		}
		if (left == BUF)
			return -1; // a request larger than the buffer
		memmove(c->buf, start, left);
		c->len = left;
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: http_server PORT\n");
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 1024)) {
		perror("bind/listen");
		return 1;
	}
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	printf("listening port=%s\n", argv[1]);
	fflush(stdout);
	struct epoll_event events[256];
	while (!stop) {
		int n = epoll_wait(ep, events, 256, 200);
		for (int i = 0; i < n; i++) {
			struct conn *c = events[i].data.ptr;
			if (c == NULL) {
				int fd;
				while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					c = calloc(1, sizeof(*c));
					c->fd = fd;
					struct epoll_event cev = {.events = EPOLLIN, .data.ptr = c};
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
				}
				continue;
			}
			if (serve(c) < 0)
				drop(ep, c);
		}
	}
	return 0;
}
