// SPDX-License-Identifier: GPL-2.0
// Real activity in many cgroups, for the /metrics size benchmark: for i in [FROM, TO), creates the
// cgroup BASE/c<i> (cgroup v2) and runs one short-lived process in it, which makes a mix of system
// calls (opens and reads, a failed open, stat, a pipe, getpid), forks a child that exits with status
// 1, sleeps 1 ms (a wakeup and a run-queue wait) and execs /bin/true. The cgroups are left in place
// (empty) so that their series stay; the caller removes them.
// Usage: cgroup_spread BASE FROM TO
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void work(const char *dir)
{
	char path[4200], buf[256];
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	int fd = open(path, O_WRONLY);
	int n = snprintf(buf, sizeof(buf), "%d\n", getpid());
	if (fd < 0 || write(fd, buf, n) != n) {
		perror(path);
		_exit(3);
	}
	close(fd);
	for (int i = 0; i < 3; i++) {
		fd = open("/proc/self/stat", O_RDONLY);
		if (fd >= 0) {
			if (read(fd, buf, sizeof(buf)) < 0)
				_exit(3);
			close(fd);
		}
	}
	if (open("/nonexistent/sonde-bench", O_RDONLY) >= 0)
		_exit(3);
	struct stat st;
	stat("/", &st);
	int p[2];
	if (pipe(p) == 0) {
		if (write(p[1], "x", 1) != 1 || read(p[0], buf, 1) != 1)
			_exit(3);
		close(p[0]);
		close(p[1]);
	}
	getpid();
	pid_t child = fork();
	if (child == 0)
		_exit(1);
	if (child > 0)
		waitpid(child, NULL, 0);
	struct timespec ms = {0, 1000000};
	nanosleep(&ms, NULL);
	execl("/bin/true", "true", (char *)NULL);
	_exit(3);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: cgroup_spread BASE FROM TO\n");
		return 2;
	}
	int from = atoi(argv[2]), to = atoi(argv[3]);
	char dir[4096];
	if (mkdir(argv[1], 0755) && errno != EEXIST) {
		perror(argv[1]);
		return 1;
	}
	for (int i = from; i < to; i++) {
		snprintf(dir, sizeof(dir), "%s/c%d", argv[1], i);
		if (mkdir(dir, 0755) && errno != EEXIST) {
			perror(dir);
			return 1;
		}
		pid_t pid = fork();
		if (pid == 0)
			work(dir);
		int status;
		if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "cgroup_spread: the process in %s failed\n", dir);
			return 1;
		}
	}
	return 0;
}
