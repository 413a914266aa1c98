/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config/manifest_int.h: what the manifest loader's files share: the
 * loader (one load's state) and the readers of values that write the
 * loader's messages, "PATH:LINE: KEY: what is wrong". manifest.c reads
 * [app], the guests and the units with them; access.c reads who may call
 * what ([auth], [[route]], and the access keys of a guest).
 *
 * Each reader returns 0, or the error it wrote into the loader's buffer.
 * Any thread; the loader lives on the stack of one load.
 */
#ifndef PG_CONFIG_MANIFEST_INT_H
#define PG_CONFIG_MANIFEST_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "manifest.h"
#include "toml.h"

/* Room for a key path or a quoted value in a message; longer ones are cut,
 * since the message only needs to let the user find them. */
#define PG_MF_SHOWN_SIZE 128

struct named;

/* One load. */
typedef struct pg_mf_loader {
  const char *path;  /* the manifest as given; borrowed, starts messages */
  const pg_mem *mem; /* every allocation of the load */
  char *dir;         /* realpath of the manifest's directory; owned */
  char *err;         /* the caller's buffer, err_len bytes; or NULL */
  size_t err_len;
  /* every guest, sorted by name once all are loaded, so that units can
   * find the guests they list; owned */
  struct named *guests_by_name;
  unsigned flags; /* PG_MANIFEST_* of pg_manifest_load_flags() */
} pg_mf_loader;

/* Writes "PATH[:LINE]: [KEY: ]message" and returns @p code. Line 0 means
 * there is nothing in the file to point at. */
__attribute__((format(printf, 5, 6))) int pg_mf_fail(pg_mf_loader *ld, int code,
                                                     int line, const char *key,
                                                     const char *fmt, ...);
int pg_mf_nomem(pg_mf_loader *ld);
/* @p len bytes of @p s between @p q quotes, escaped, cut to fit. */
const char *pg_mf_quote(char out[PG_MF_SHOWN_SIZE], const char *s, size_t len,
                        char q);
/* "table.key" as TOML would spell it; @p table NULL: the key alone. */
void pg_mf_key_name(char out[PG_MF_SHOWN_SIZE], const char *table,
                    const char *k, size_t len);
bool pg_mf_key_is(const char *k, size_t len, const char *want);
int pg_mf_line_of(const pg_toml_value *v);
int pg_mf_wrong_type(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                     const char *expected);
int pg_mf_unknown_key(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                      const char *hint);
int pg_mf_missing(pg_mf_loader *ld, const char *table, const char *k, int line);
/* A string without NUL bytes, borrowed from the tree. */
int pg_mf_get_string(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                     const char **out, size_t *len_out);
int pg_mf_get_array(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                    size_t *n_out);
int pg_mf_get_string_at(pg_mf_loader *ld, const char *key,
                        const pg_toml_value *v, size_t i, const char **out,
                        size_t *len_out);
/* An array of strings, copied into *out (*nout of them). */
int pg_mf_load_strings(pg_mf_loader *ld, const char *key,
                       const pg_toml_value *v, char ***out, size_t *nout);
int pg_mf_load_bool(pg_mf_loader *ld, const char *key, const pg_toml_value *v,
                    bool *out);
/* The manifest's directory joined with @p rel, unless it is absolute;
 * allocated from the loader's allocator, NULL when out of memory. */
char *pg_mf_join_dir(pg_mf_loader *ld, const char *rel);

/* access.c: a guest's access key (public, login, roles, authenticates)
 * into @p g; *is_access false when @p k is none of them. */
int pg_mf_load_access_key(pg_mf_loader *ld, const char *key, const char *k,
                          size_t klen, const pg_toml_value *v,
                          pg_manifest_guest *g, bool *is_access);
/* access.c: app.secret_env or app.secret_file into @p m; *is_secret
 * false when @p k is neither. */
int pg_mf_load_secret_key(pg_mf_loader *ld, const char *key, const char *k,
                          size_t klen, const pg_toml_value *v, pg_manifest *m,
                          bool *is_secret);
/* access.c: [auth] and the [[route]] tables, once units are loaded. */
int pg_mf_load_access(pg_mf_loader *ld, const pg_toml_value *root,
                      pg_manifest *m);
/* access.c: frees what pg_mf_load_access and the access keys put in @p m. */
void pg_mf_free_access(pg_manifest *m, const pg_mem *mem);
/* access.c: writes them back (pg_manifest_write). */
void pg_mf_write_guest_access(FILE *out, const pg_manifest_guest *g);
void pg_mf_write_app_access(FILE *out, const pg_manifest *m);
void pg_mf_write_access(FILE *out, const pg_manifest *m);

#endif /* PG_CONFIG_MANIFEST_INT_H */
