/* Test program for the helpers: a different binary (other function names)
 * for the host's copy of a path a test process in another mount namespace
 * runs prog.c from. */
#include <unistd.h>

__attribute__((noinline)) int host_func(int x)
{
    return x * 7 + 1;
}

int main(void)
{
    return host_func((int)getpid()) == 0;
}
