// SPDX-License-Identifier: GPL-2.0
// A test workload whose system calls are exactly known. Built static, so that starting it (and
// re-executing it) opens no shared libraries.
//   workload run N M K F G   print "ready", wait for a line, then: N openat calls of which M fail
//                            with ENOENT, G getppid calls, F forks of which K children exec
//                            "workload exit"; print "done"
//   workload exit            exit 0 at once
//   workload sleep S         S nanosleep calls of 10 ms each
//   workload eat             allocate and touch memory until killed
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void wait_for_go(void)
{
	char line[16];

	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		exit(3);
}

static int run(int n, int m, int k, int f, int g)
{
	char path[64], self[4096];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (len <= 0)
		return 10;
	self[len] = 0;

	wait_for_go();
	for (int i = 0; i < n; i++) {
		const char *p = i < m ? path : "/proc/self/stat";
		snprintf(path, sizeof(path), "/nonexistent/sonde-%d", i);
		long fd = syscall(SYS_openat, AT_FDCWD, p, O_RDONLY);
		if (i < m && fd >= 0)
			return 4;
		if (i >= m) {
			if (fd < 0)
				return 5;
			close(fd);
		}
	}
	for (int i = 0; i < g; i++)
		syscall(SYS_getppid);
	for (int i = 0; i < f; i++) {
		pid_t child = fork();
		if (child < 0)
			return 6;
		if (child == 0) {
			if (i < k) {
				char *argv[] = {"workload", "exit", NULL};
				execv(self, argv); /* by its own name, so that comm reads "workload" */
				_exit(7);
			}
			_exit(0);
		}
		int status;
		waitpid(child, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			return 8;
	}
	printf("done\n");
	fflush(stdout);
	return 0;
}

static int sleep_ms(int count)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};

	wait_for_go();
	for (int i = 0; i < count; i++)
		syscall(SYS_nanosleep, &ts, NULL);
	printf("done\n");
	fflush(stdout);
	return 0;
}

static int eat(void)
{
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		char *p = malloc(1 << 20);
		if (!p)
			return 9;
		memset(p, 1, 1 << 20);
	}
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "exit"))
		return 0;
	if (argc == 7 && !strcmp(argv[1], "run"))
		return run(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
	if (argc == 3 && !strcmp(argv[1], "sleep"))
		return sleep_ms(atoi(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "eat"))
		return eat();
	fprintf(stderr, "usage: workload run N M K F G | exit | sleep S | eat\n");
	return 2;
}
