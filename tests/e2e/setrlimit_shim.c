/*
 * LD_PRELOAD shim for stapbpf in a sandbox without CAP_SYS_RESOURCE.
 *
 * stapbpf raises RLIMIT_MEMLOCK to RLIM_INFINITY before loading its BPF
 * programs and maps, and gives up when setrlimit() fails with EPERM.  Kernels
 * since 5.11 charge BPF memory to the memory cgroup, not to RLIMIT_MEMLOCK,
 * so the raise is unnecessary there.  This shim turns exactly that failure --
 * RLIMIT_MEMLOCK, EPERM -- into success after raising the soft limit as far
 * as the hard limit allows; every other call is passed through untouched.
 *
 * Build: cc -shared -fPIC -O2 -o setrlimit_shim.so setrlimit_shim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

typedef int (*setrlimit_fn)(__rlimit_resource_t, const struct rlimit *);

static void note(const char *what)
{
	if (getenv("STAPGEN_SHIM_VERBOSE"))
		fprintf(stderr, "setrlimit_shim: %s(RLIMIT_MEMLOCK) failed with EPERM; "
			"keeping the hard limit and reporting success\n", what);
}

static int soften(int rc, int err, const char *what, pid_t pid)
{
	struct rlimit cur;

	if (rc == 0 || err != EPERM)
		return rc;
	/* Best effort: soft limit up to the hard limit, which needs no privilege. */
	if (prlimit(pid, RLIMIT_MEMLOCK, NULL, &cur) == 0 && cur.rlim_cur < cur.rlim_max) {
		cur.rlim_cur = cur.rlim_max;
		(void)prlimit(pid, RLIMIT_MEMLOCK, &cur, NULL);
	}
	note(what);
	errno = 0;
	return 0;
}

int setrlimit(__rlimit_resource_t res, const struct rlimit *rl)
{
	static setrlimit_fn real;
	int rc, err;

	if (!real)
		real = (setrlimit_fn)dlsym(RTLD_NEXT, "setrlimit");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	rc = real(res, rl);
	err = errno;
	if (res != RLIMIT_MEMLOCK)
		return rc;
	rc = soften(rc, err, "setrlimit", 0);
	if (rc)
		errno = err;
	return rc;
}

/* On 64-bit glibc struct rlimit64 and struct rlimit have the same layout. */
int setrlimit64(__rlimit_resource_t res, const struct rlimit64 *rl)
{
	_Static_assert(sizeof(struct rlimit64) == sizeof(struct rlimit),
		       "rlimit64 and rlimit differ on this ABI");
	return setrlimit(res, (const struct rlimit *)(const void *)rl);
}
