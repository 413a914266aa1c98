/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/wasi_tree.h: whole directory trees, for deterministic
 * mode's private copies of a guest's read-write directories (wasi_fs.c):
 * a copy made before the run, removed after it.
 *
 * Owns nothing. Calls the OS only. Any thread.
 */
#ifndef PG_WASI_TREE_H
#define PG_WASI_TREE_H

/**
 * @brief Copies the tree under directory @p src into the existing, empty
 * directory @p dst: directories, regular files (contents and permission
 * bits) and symlinks (their text); anything else (fifos, devices, sockets)
 * is left out. Symlinks are never followed.
 * @return 0, or -errno of the first failure (the copy is then partial;
 * pg_wasi_tree_remove() clears it).
 */
int pg_wasi_tree_copy(const char *src, const char *dst);

/**
 * @brief Removes @p path and everything under it, following no symlink.
 * @return 0, or -errno of the first failure.
 */
int pg_wasi_tree_remove(const char *path);

#endif /* PG_WASI_TREE_H */
