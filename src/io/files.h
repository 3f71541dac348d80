/*
 * files.h — small file-system helpers of the io layer (commit.c): directory creation and removal,
 * whole writes.
 */
#ifndef RF_FILES_H
#define RF_FILES_H

int rf__mkdirs(const char *path);   /* mkdir -p; an existing directory is fine */
int rf__rmtree(const char *path);   /* rm -r; a missing path is fine */
/* Writes all n bytes of p to fd (retrying short writes and EINTR); an error names path. */
int rf__write_full(int fd, const void *p, size_t n, const char *path);

#endif
