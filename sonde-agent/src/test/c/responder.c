// SPDX-License-Identifier: GPL-2.0
// The far end of the active prober's tests. Built static, run in a network namespace:
//   responder PORT   echo every UDP datagram back to its sender, and accept and close every TCP
//                    connection, on PORT of every address (IPv4 and IPv6); print "ready"; exit when
//                    standard input closes
// (ICMP echo needs no responder: the kernel answers.)
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int bound(int type, int port)
{
	struct sockaddr_in6 a;
	int fd = socket(AF_INET6, type, 0), off = 0, on = 1;

	if (fd < 0) {
		perror("socket");
		exit(1);
	}
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_port = htons(port);
	a.sin6_addr = in6addr_any;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("bind");
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct pollfd fds[3];
	char buf[2048];

	if (argc != 2) {
		fprintf(stderr, "usage: responder PORT\n");
		return 2;
	}
	int port = atoi(argv[1]);
	int udp = bound(SOCK_DGRAM, port);
	int tcp = bound(SOCK_STREAM, port);

	if (listen(tcp, 1024) < 0) {
		perror("listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	fds[0] = (struct pollfd){ .fd = udp, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = tcp, .events = POLLIN };
	fds[2] = (struct pollfd){ .fd = 0, .events = POLLIN };
	for (;;) {
		if (poll(fds, 3, -1) < 0)
			continue;
		if (fds[0].revents & POLLIN) {
			struct sockaddr_storage from;
			socklen_t len = sizeof(from);
			ssize_t n = recvfrom(udp, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);

			if (n >= 0)
				sendto(udp, buf, n, 0, (struct sockaddr *)&from, len);
		}
		if (fds[1].revents & POLLIN) {
			int c = accept(tcp, NULL, NULL);

			if (c >= 0)
				close(c);
		}
		if (fds[2].revents & (POLLIN | POLLHUP)) {
			if (read(0, buf, sizeof(buf)) <= 0)
				return 0;
		}
	}
}
