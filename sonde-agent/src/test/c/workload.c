// SPDX-License-Identifier: GPL-2.0
// A test workload whose system calls are exactly known. Built static, so that starting it (and
// re-executing it) opens no shared libraries.
//   workload run N M K F G   print "ready", wait for a line, then: N openat calls of which M fail
//                            with ENOENT, G getppid calls, F forks of which K children exec
//                            "workload exit"; print "done"
//   workload exit            exit 0 at once
//   workload sleep S         S nanosleep calls of 10 ms each; prints "slept NS" for each, as timed
//                            around the call
//   workload eat             allocate and touch memory until killed
//   workload blockio DEV N S print "ready", wait for a line, then: N O_DIRECT writes of S bytes to
//                            DEV (S a multiple of 4096), then N O_DIRECT reads of them; print "done"
//   workload hold MB MS N FILE  print "ready", wait for a line, then: touch MB MiB of memory, burn MS
//                            ms of CPU, N O_DIRECT writes and N reads of 4 KiB on FILE; print "done",
//                            then keep the memory and spin on the CPU until a line arrives
//   workload spin MS CPU T   print "ready", wait for a line, then: T threads (pinned to CPU unless
//                            it is -1) spin for MS ms of wall time; print "done"
//   workload naps N US CPU   print "ready", wait for a line, then (pinned to CPU unless it is -1): N
//                            sleeps of US microseconds; print "done" and wait for another line
//   workload flood N [CPU]   print "ready", wait for a line, then (pinned to CPU if given): N getppid
//                            calls; print "done"
//   workload nosys N NR...   print "ready", wait for a line, then: N calls of each syscall number NR
//                            (numbers the kernel lacks: each fails with ENOSYS); print "done"
//   workload execs K         print "ready", wait for a line, then: K children, one after the other, each
//                            exec "workload exit"; print "child PID" for each, then "done"
//   workload openloop MS     print "ready", then open and close /proc/self/stat every MS ms until
//                            stdin closes or a line arrives; print "opens N", the number of opens
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
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
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000}, t0, t1;

	wait_for_go();
	for (int i = 0; i < count; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		syscall(SYS_nanosleep, &ts, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("slept %lld\n", (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
	}
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

static int blockio(const char *dev, int n, int size)
{
	void *buf;
	int fd = open(dev, O_RDWR | O_DIRECT);

	if (fd < 0 || size <= 0 || size % 4096 || posix_memalign(&buf, 4096, size))
		return 11;
	memset(buf, 0x5a, size);
	wait_for_go();
	for (int i = 0; i < n; i++)
		if (pwrite(fd, buf, size, (off_t)i * size) != size)
			return 12;
	for (int i = 0; i < n; i++)
		if (pread(fd, buf, size, (off_t)i * size) != size)
			return 13;
	close(fd);
	printf("done\n");
	fflush(stdout);
	return 0;
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int hold(int mb, int ms, int n, const char *file)
{
	struct pollfd in = {.fd = 0, .events = POLLIN};
	volatile unsigned long spin = 0;
	size_t size = (size_t)mb << 20;
	void *buf;
	char *mem;
	int fd;

	wait_for_go();
	mem = malloc(size);
	if (!mem)
		return 14;
	memset(mem, 1, size);
	for (double t0 = cpu_ms(); cpu_ms() - t0 < ms;)
		spin++;
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0600);
	if (fd < 0 || posix_memalign(&buf, 4096, 4096))
		return 15;
	memset(buf, 0x5a, 4096);
	for (int i = 0; i < n; i++)
		if (pwrite(fd, buf, 4096, (off_t)i * 4096) != 4096)
			return 16;
	for (int i = 0; i < n; i++)
		if (pread(fd, buf, 4096, (off_t)i * 4096) != 4096)
			return 17;
	close(fd);
	printf("done\n");
	fflush(stdout);
	while (poll(&in, 1, 0) == 0)
		for (int i = 0; i < 100000; i++)
			spin++;
	return mem[size - 1] == 1 ? 0 : 18;
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		exit(19);
}

static double wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *spin_until(void *until_ms)
{
	volatile unsigned long spin = 0;
	double until = *(double *)until_ms;

	while (wall_ms() < until)
		spin++;
	return NULL;
}

static int spin(int ms, int cpu, int threads)
{
	pthread_t t[64];
	double until;

	if (threads < 1 || threads > 64)
		return 20;
	pin(cpu); /* threads created later inherit the mask */
	wait_for_go();
	until = wall_ms() + ms;
	for (int i = 1; i < threads; i++)
		if (pthread_create(&t[i], NULL, spin_until, &until))
			return 21;
	spin_until(&until);
	for (int i = 1; i < threads; i++)
		pthread_join(t[i], NULL);
	printf("done\n");
	fflush(stdout);
	return 0;
}

static int naps(int n, int us, int cpu)
{
	struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000L};
	char line[16];

	pin(cpu);
	wait_for_go();
	for (int i = 0; i < n; i++)
		syscall(SYS_nanosleep, &ts, NULL);
	printf("done\n");
	fflush(stdout);
	return fgets(line, sizeof(line), stdin) ? 0 : 3;
}

static int flood(long n, int cpu)
{
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			return 7;
	}
	wait_for_go();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	printf("done\n");
	fflush(stdout);
	return 0;
}

static int execs(int k)
{
	char self[4096];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (len <= 0)
		return 10;
	self[len] = 0;
	wait_for_go();
	for (int i = 0; i < k; i++) {
		pid_t child = fork();
		if (child < 0)
			return 6;
		if (child == 0) {
			char *argv[] = {"workload", "exit", NULL};
			execv(self, argv);
			_exit(7);
		}
		int status;
		waitpid(child, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			return 8;
		printf("child %d\n", child);
	}
	printf("done\n");
	fflush(stdout);
	return 0;
}

static int openloop(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	struct pollfd in = {.fd = 0, .events = POLLIN};
	long n = 0;

	printf("ready\n");
	fflush(stdout);
	while (poll(&in, 1, 0) == 0) {
		long fd = syscall(SYS_openat, AT_FDCWD, "/proc/self/stat", O_RDONLY);
		if (fd < 0)
			return 5;
		close(fd);
		n++;
		syscall(SYS_nanosleep, &ts, NULL);
	}
	printf("opens %ld\n", n);
	fflush(stdout);
	return 0;
}

static int nosys(int n, int count, char **numbers)
{
	wait_for_go();
	for (int i = 0; i < count; i++) {
		long nr = atol(numbers[i]);

		for (int j = 0; j < n; j++)
			if (syscall(nr) != -1)
				return 8;
	}
	printf("done\n");
	fflush(stdout);
	return 0;
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
	if (argc == 5 && !strcmp(argv[1], "blockio"))
		return blockio(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 6 && !strcmp(argv[1], "hold"))
		return hold(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), argv[5]);
	if (argc == 5 && !strcmp(argv[1], "spin"))
		return spin(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "naps"))
		return naps(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "execs"))
		return execs(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "openloop"))
		return openloop(atoi(argv[2]));
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "flood"))
		return flood(atol(argv[2]), argc == 4 ? atoi(argv[3]) : -1);
	if (argc >= 4 && !strcmp(argv[1], "nosys"))
		return nosys(atoi(argv[2]), argc - 3, argv + 3);
	fprintf(stderr, "usage: workload run N M K F G | exit | sleep S | eat | blockio DEV N S | hold MB MS N FILE\n");
	return 2;
}
