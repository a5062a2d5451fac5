#define _GNU_SOURCE
#include "COpenBeneath.h"
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

int sv_open_beneath(int dirfd, const char *path, int flags) {
    struct open_how how = {
        .flags = (unsigned long long)flags,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}
