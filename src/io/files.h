/*
 * files.h — small file-system helpers of the io layer (commit.c): directory creation and removal.
 */
#ifndef RF_FILES_H
#define RF_FILES_H

int rf__mkdirs(const char *path);   /* mkdir -p; an existing directory is fine */
int rf__rmtree(const char *path);   /* rm -r; a missing path is fine */

#endif
