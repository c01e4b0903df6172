/* Test program for the helpers: records the address of marker instructions
 * inside (possibly inlined) functions, prints them and its PID, then waits
 * to be killed (at most two minutes, so a failed test leaves nothing).  Built by tests/helpers/run.sh with and
 * without -g, and with (-O2 -DINLINE) or without (-O0) inlining. */
#include <stdio.h>
#include <unistd.h>

#ifdef INLINE
#define MAYBE_INLINE static inline __attribute__((always_inline))
#else
#define MAYBE_INLINE static __attribute__((noinline))
#endif

/* The address of this instruction itself, so its line is the marker's. */
#if defined(__x86_64__)
#define HERE(v) __asm__ volatile("1: lea 1b(%%rip), %0" : "=r"(v))
#elif defined(__aarch64__)
#define HERE(v) __asm__ volatile("1: adr %0, 1b" : "=r"(v))
#else
#error "tests/helpers/prog.c: no marker instruction for this architecture"
#endif

static volatile unsigned long mark_leaf, mark_mid, mark_outer;
static volatile int sink;

MAYBE_INLINE int leaf_add(int x)
{
    unsigned long pc;
    HERE(pc); /* MARK_LEAF */
    mark_leaf = pc;
    return x + 1;
}

MAYBE_INLINE int mid_twice(int x)
{
    unsigned long pc;
    int y = leaf_add(x) * 2;
    HERE(pc); /* MARK_MID */
    mark_mid = pc;
    return y;
}

__attribute__((noinline)) int outer_entry(int x)
{
    unsigned long pc;
    int y = mid_twice(x) + 3;
    HERE(pc); /* MARK_OUTER */
    mark_outer = pc;
    return y;
}

int main(void)
{
    sink = outer_entry(sink);
    printf("pid %ld\n", (long)getpid());
    printf("leaf 0x%lx\nmid 0x%lx\nouter 0x%lx\n", mark_leaf, mark_mid, mark_outer);
    printf("outer_entry 0x%lx\nmain 0x%lx\n", (unsigned long)&outer_entry, (unsigned long)&main);
    fflush(stdout);
    alarm(120);
    for (;;)
        pause();
}
