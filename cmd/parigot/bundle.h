/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd/parigot/bundle.h: reading the executables `parigot build` makes
 * (build.c): a unit's parigot with the app's wasm, the objects compiled
 * ahead of time for what the unit loads, and the manifest appended.
 * `parigot up --bin` reads them to check and order the app's units with
 * no compiler and no wasm file of its own. Main thread.
 */
#ifndef PG_BUNDLE_H
#define PG_BUNDLE_H

#include <stddef.h>

/*
 * Unpacks the unit executable @p exe into the folder @p dir, which must
 * exist: dir/app.toml (the manifest, naming its guests wasm/N.wasm),
 * dir/wasm/ and dir/prebuilt/ (objects named by the SHA-256 of their
 * wasm), adding to what is there; @p unit gets the unit's name. Returns
 * 0; 1 when @p exe is not a unit `parigot build` made; 2 when a wasm file
 * of it is in @p dir already with other bytes (a unit unpacked there
 * before was built from other wasm); -1 when it cannot be read or is
 * damaged (errno may say why). Every length in it is checked against the
 * file.
 */
int pg_bundle_unpack(const char *exe, const char *dir, char *unit,
                     size_t unit_cap);

/* Removes @p dir and everything under it. */
void pg_bundle_remove(const char *dir);

#endif /* PG_BUNDLE_H */
