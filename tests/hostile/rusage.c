/* rusage OUTFILE TIMEOUT_S CMD ARG...: runs CMD, writes
 * "STATUS CPU_MS WALL_MS MAXRSS_KB" to OUTFILE and exits with CMD's status.
 * STATUS is the exit status, or 128+N if CMD died of signal N; a command
 * still running after TIMEOUT_S seconds is killed (a hang) and reported as
 * status 124.  CPU is user + system time of CMD alone, so the measurement
 * does not depend on how busy the machine is. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fputs("usage: rusage OUTFILE TIMEOUT_S CMD [ARG...]\n", stderr);
		return 2;
	}
	int timeout = atoi(argv[2]);
	long long t0 = now_ms();
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		perror(argv[3]);
		_exit(127);
	}
	int st = 0, timed_out = 0;
	struct rusage ru;
	for (;;) {
		pid_t r = wait4(pid, &st, WNOHANG, &ru);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			perror("wait4");
			return 2;
		}
		if (!timed_out && now_ms() - t0 > (long long)timeout * 1000) {
			kill(pid, SIGKILL);
			timed_out = 1;
		}
		usleep(2000);
	}
	long long wall = now_ms() - t0;
	long long cpu = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
			(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
	int status = timed_out ? 124 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	FILE *f = fopen(argv[1], "w");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	fprintf(f, "%d %lld %lld %ld\n", status, cpu, wall, ru.ru_maxrss);
	fclose(f);
	return status;
}
