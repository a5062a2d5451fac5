#ifndef COPENBENEATH_H
#define COPENBENEATH_H

/// openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS: opens
/// `path` relative to the folder `dirfd` only if no component leaves it and none is a
/// symbolic link, in one system call. Returns the descriptor, or -1 with errno set
/// (ENOSYS on kernels before 5.6 or where a sandbox refuses the call).
int sv_open_beneath(int dirfd, const char *path, int flags);

#endif
