/* Test program for check-debug-info: maps what /proc/PID/maps shows in
 * unusual ways, prints its PID, then waits to be killed (at most two
 * minutes).  Maps each FILE argument (read-only), a memfd holding data, a
 * memfd holding the bytes of ELF (the -e argument, if given), a SysV shared
 * memory segment and a shared mapping of /dev/zero. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void map_fd(int fd, size_t n, int prot, int flags)
{
    if (mmap(NULL, n, prot, flags, fd, 0) == MAP_FAILED)
        die("mmap");
}

int main(int argc, char **argv)
{
    static char page[4096] = "not ELF";
    struct stat st;
    int i, fd, id;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-e") == 0 && i + 1 < argc) {
            /* an ELF file's bytes in a memfd, as runc or a JIT does */
            char buf[65536];
            ssize_t r;
            int src = open(argv[++i], O_RDONLY);
            if (src < 0 || (fd = memfd_create("stapgen-elf", 0)) < 0)
                die("memfd with ELF");
            while ((r = read(src, buf, sizeof buf)) > 0)
                if (write(fd, buf, (size_t)r) != r)
                    die("write");
            if (fstat(fd, &st) != 0)
                die("fstat");
            map_fd(fd, (size_t)st.st_size, PROT_READ, MAP_PRIVATE);
            close(src);
            continue;
        }
        if ((fd = open(argv[i], O_RDONLY)) < 0 || fstat(fd, &st) != 0)
            die(argv[i]);
        map_fd(fd, (size_t)st.st_size, PROT_READ, MAP_PRIVATE);
        close(fd);
    }
    if ((fd = memfd_create("stapgen-data", 0)) < 0 || write(fd, page, sizeof page) < 0)
        die("memfd");
    map_fd(fd, sizeof page, PROT_READ, MAP_SHARED);
    if ((id = shmget(IPC_PRIVATE, sizeof page, IPC_CREAT | 0600)) < 0)
        die("shmget");
    if (shmat(id, NULL, SHM_RDONLY) == (void *)-1)
        die("shmat");
    shmctl(id, IPC_RMID, NULL); /* goes when this process does */
    if ((fd = open("/dev/zero", O_RDWR)) < 0)
        die("/dev/zero");
    map_fd(fd, sizeof page, PROT_READ | PROT_WRITE, MAP_SHARED);
    printf("pid %ld\nmain 0x0\n", (long)getpid());
    fflush(stdout);
    alarm(120);
    for (;;)
        pause();
}
