/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/wasm_info.c: a bounds-checked reader for the parts of a wasm
 * binary that the engine needs (see wasm_info.h for the layout).
 *
 * Every length and count comes from an untrusted file: each read checks the
 * remaining bytes first, and counts are checked against the bytes left
 * before anything is allocated for them. Owns the arrays in pg_wasm_info.
 * One thread at a time per pg_wasm_info.
 */
#include "wasm_info.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "parigot/error.h"

typedef struct reader {
  const uint8_t *p;    /* next byte */
  const uint8_t *end;  /* one past the readable range */
  const uint8_t *base; /* start of the module, for offsets in messages */
  pg_wasm_info *info;
} reader;

static int fail(reader *r, int code, const char *fmt, ...) {
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  snprintf(r->info->errmsg, sizeof r->info->errmsg, "%s (at byte offset %zu)",
           msg, (size_t)(r->p - r->base));
  return code;
}

static int read_u8(reader *r, uint8_t *out) {
  *out = 0;
  if (r->p >= r->end)
    return fail(r, PARIGOT_EBADMODULE, "unexpected end of section");
  *out = *r->p++;
  return 0;
}

static int read_leb(reader *r, int max_bits, uint64_t *out) {
  uint64_t v = 0;
  *out = 0;
  for (int shift = 0; shift < max_bits; shift += 7) {
    uint8_t b;
    int rc = read_u8(r, &b);
    if (rc)
      return rc;
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      if (max_bits < 64 && (v >> max_bits) != 0)
        return fail(r, PARIGOT_EBADMODULE, "integer too large");
      *out = v;
      return 0;
    }
  }
  return fail(r, PARIGOT_EBADMODULE, "integer representation too long");
}

static int read_u32(reader *r, uint32_t *out) {
  uint64_t v;
  int rc = read_leb(r, 32, &v);
  if (rc == 0)
    *out = (uint32_t)v;
  return rc;
}

/* A count of items each at least min_bytes long must fit in what is left. */
static int read_count(reader *r, size_t min_bytes, uint32_t *out) {
  int rc = read_u32(r, out);
  if (rc == 0 && (uint64_t)*out * min_bytes > (uint64_t)(r->end - r->p))
    return fail(r, PARIGOT_EBADMODULE, "count %u exceeds section size", *out);
  return rc;
}

static int read_name(reader *r, char **out) {
  uint32_t len;
  int rc = read_u32(r, &len);
  if (rc)
    return rc;
  if (len > (size_t)(r->end - r->p))
    return fail(r, PARIGOT_EBADMODULE, "name runs past the end of section");
  if (memchr(r->p, 0, len))
    return fail(r, PARIGOT_EBADMODULE, "name contains a NUL byte");
  char *s = pg_mem_malloc(r->info->mem, (size_t)len + 1);
  if (!s)
    return PARIGOT_ENOMEM;
  memcpy(s, r->p, len);
  s[len] = '\0';
  r->p += len;
  *out = s;
  return 0;
}

static int valtype_letter(reader *r, char *out) {
  uint8_t b;
  int rc = read_u8(r, &b);
  if (rc)
    return rc;
  switch (b) {
  case 0x7f:
    *out = 'i';
    return 0;
  case 0x7e:
    *out = 'I';
    return 0;
  case 0x7d:
    *out = 'f';
    return 0;
  case 0x7c:
    *out = 'F';
    return 0;
  case 0x7b:
    *out = 'v';
    return 0;
  case 0x70:
    *out = 'r';
    return 0;
  case 0x6f:
    *out = 'e';
    return 0;
  }
  return fail(r, PARIGOT_EBADMODULE, "unknown value type 0x%02x", b);
}

static int read_functype(reader *r, char **out) {
  uint8_t form;
  uint32_t np, nr;
  int rc = read_u8(r, &form);
  if (rc)
    return rc;
  if (form != 0x60)
    return fail(r, PARIGOT_EBADMODULE, "bad function type form 0x%02x", form);
  if ((rc = read_count(r, 1, &np)))
    return rc;
  char *sig = pg_mem_malloc(r->info->mem, (size_t)np + 2);
  if (!sig)
    return PARIGOT_ENOMEM;
  for (uint32_t i = 0; i < np && rc == 0; i++)
    rc = valtype_letter(r, &sig[i]);
  if (rc == 0)
    rc = read_count(r, 1, &nr);
  char *full = NULL;
  if (rc == 0 && !(full = pg_mem_realloc(r->info->mem, sig, np + nr + 2)))
    rc = PARIGOT_ENOMEM;
  if (rc) {
    pg_mem_free(r->info->mem, sig);
    return rc;
  }
  full[np] = ':';
  for (uint32_t i = 0; i < nr && rc == 0; i++)
    rc = valtype_letter(r, &full[np + 1 + i]);
  full[np + 1 + nr] = '\0';
  if (rc)
    pg_mem_free(r->info->mem, full);
  else
    *out = full;
  return rc;
}

static int read_limits(reader *r, bool is_memory, uint64_t *min,
                       uint64_t *max) {
  uint8_t flags;
  int rc = read_u8(r, &flags);
  if (rc)
    return rc;
  if (is_memory && (flags & 0x02))
    return fail(r, PARIGOT_EUNSUPPORTED,
                "shared memory (the threads proposal) is not supported");
  if (is_memory && (flags & 0x04))
    return fail(r, PARIGOT_EUNSUPPORTED, "memory64 is not supported");
  if (flags > 1)
    return fail(r, PARIGOT_EBADMODULE, "bad limits flags 0x%02x", flags);
  if ((rc = read_leb(r, 32, min)))
    return rc;
  *max = UINT64_MAX;
  return (flags & 1) ? read_leb(r, 32, max) : 0;
}

static int parse_types(reader *r) {
  pg_wasm_info *info = r->info;
  uint32_t n;
  int rc = read_count(r, 3, &n);
  if (rc)
    return rc;
  if (!(info->types = pg_mem_calloc(info->mem, n, sizeof(char *))))
    return PARIGOT_ENOMEM;
  for (; info->ntypes < n; info->ntypes++)
    if ((rc = read_functype(r, &info->types[info->ntypes])))
      return rc;
  return 0;
}

static int parse_import_desc(reader *r, pg_wasm_import *im) {
  uint8_t b;
  uint64_t lo, hi;
  int rc = read_u8(r, &im->kind);
  if (rc)
    return rc;
  switch (im->kind) {
  case PG_WASM_EXTERN_FUNC:
    if ((rc = read_u32(r, &im->type_index)))
      return rc;
    if (im->type_index >= r->info->ntypes)
      return fail(r, PARIGOT_EBADMODULE, "import %s.%s has bad type index %u",
                  im->module, im->name, im->type_index);
    r->info->nimported_funcs++;
    return 0;
  case PG_WASM_EXTERN_TABLE:
    if ((rc = read_u8(r, &b)))
      return rc;
    return read_limits(r, false, &lo, &hi);
  case PG_WASM_EXTERN_MEMORY:
    return read_limits(r, true, &lo, &hi);
  case PG_WASM_EXTERN_GLOBAL:
    if ((rc = read_u8(r, &b)))
      return rc;
    return read_u8(r, &b);
  case PG_WASM_EXTERN_TAG:
    if ((rc = read_u8(r, &b)))
      return rc;
    return read_u32(r, &im->type_index);
  }
  return fail(r, PARIGOT_EBADMODULE, "bad import kind 0x%02x", im->kind);
}

static int parse_imports(reader *r) {
  pg_wasm_info *info = r->info;
  uint32_t n;
  int rc = read_count(r, 4, &n);
  if (rc)
    return rc;
  if (!(info->imports = pg_mem_calloc(info->mem, n, sizeof *info->imports)))
    return PARIGOT_ENOMEM;
  for (; info->nimports < n;) {
    pg_wasm_import *im = &info->imports[info->nimports++];
    if ((rc = read_name(r, &im->module)) || (rc = read_name(r, &im->name)) ||
        (rc = parse_import_desc(r, im)))
      return rc;
  }
  return 0;
}

static int parse_functions(reader *r) {
  pg_wasm_info *info = r->info;
  uint32_t n;
  int rc = read_count(r, 1, &n);
  if (rc)
    return rc;
  if (!(info->func_types = pg_mem_calloc(info->mem, n, sizeof(uint32_t))))
    return PARIGOT_ENOMEM;
  for (; info->nfuncs < n; info->nfuncs++) {
    uint32_t *t = &info->func_types[info->nfuncs];
    if ((rc = read_u32(r, t)))
      return rc;
    if (*t >= info->ntypes)
      return fail(r, PARIGOT_EBADMODULE, "function has bad type index %u", *t);
  }
  return 0;
}

static int parse_memories(reader *r) {
  pg_wasm_info *info = r->info;
  uint32_t n;
  int rc = read_count(r, 2, &n);
  if (rc || n == 0)
    return rc;
  if (n > 1 || info->has_memory)
    return fail(r, PARIGOT_EUNSUPPORTED,
                "multiple memories (multi-memory proposal) are not supported");
  info->has_memory = true;
  return read_limits(r, true, &info->mem_initial_pages, &info->mem_max_pages);
}

static int parse_exports(reader *r) {
  pg_wasm_info *info = r->info;
  uint32_t n;
  int rc = read_count(r, 3, &n);
  if (rc)
    return rc;
  if (!(info->exports = pg_mem_calloc(info->mem, n, sizeof *info->exports)))
    return PARIGOT_ENOMEM;
  for (; info->nexports < n;) {
    pg_wasm_export *ex = &info->exports[info->nexports++];
    if ((rc = read_name(r, &ex->name)) || (rc = read_u8(r, &ex->kind)) ||
        (rc = read_u32(r, &ex->index)))
      return rc;
  }
  return 0;
}

static int parse_section(reader *r, uint8_t id) {
  switch (id) {
  case 1:
    return r->info->types
               ? fail(r, PARIGOT_EBADMODULE, "duplicate type section")
               : parse_types(r);
  case 2:
    return r->info->imports
               ? fail(r, PARIGOT_EBADMODULE, "duplicate import section")
               : parse_imports(r);
  case 3:
    return r->info->func_types
               ? fail(r, PARIGOT_EBADMODULE, "duplicate function section")
               : parse_functions(r);
  case 5:
    return parse_memories(r);
  case 7:
    return r->info->exports
               ? fail(r, PARIGOT_EBADMODULE, "duplicate export section")
               : parse_exports(r);
  }
  return 0; /* other sections are wasm2c's to validate */
}

static int parse_sections(reader *r) {
  while (r->p < r->end) {
    uint8_t id;
    uint32_t size;
    int rc = read_u8(r, &id);
    if (rc == 0)
      rc = read_u32(r, &size);
    if (rc)
      return rc;
    if (size > (size_t)(r->end - r->p))
      return fail(r, PARIGOT_EBADMODULE,
                  "section %u is %u bytes but only %zu remain", id, size,
                  (size_t)(r->end - r->p));
    reader sub = {r->p, r->p + size, r->base, r->info};
    if ((rc = parse_section(&sub, id)))
      return rc;
    bool parsed = id == 1 || id == 2 || id == 3 || id == 5 || id == 7;
    if (parsed && sub.p != sub.end)
      return fail(&sub, PARIGOT_EBADMODULE, "section %u has trailing bytes",
                  id);
    r->p += size;
  }
  return 0;
}

int pg_wasm_info_parse(pg_wasm_info *info, const uint8_t *bytes, size_t len,
                       const pg_mem *mem) {
  memset(info, 0, sizeof *info);
  info->mem = mem;
  info->mem_max_pages = UINT64_MAX;
  reader r = {bytes, bytes + len, bytes, info};
  if (len < 8 || memcmp(bytes, "\0asm", 4) != 0) {
    snprintf(info->errmsg, sizeof info->errmsg,
             "not a WebAssembly binary (no \\0asm magic number)");
    return PARIGOT_ENOTWASM;
  }
  uint32_t version = (uint32_t)bytes[4] | (uint32_t)bytes[5] << 8 |
                     (uint32_t)bytes[6] << 16 | (uint32_t)bytes[7] << 24;
  if (version != 1) {
    snprintf(info->errmsg, sizeof info->errmsg,
             "binary version 0x%08x is not supported (parigot runs core "
             "modules, version 1%s)",
             version,
             (version & 0xffff) == 0x0d ? "; this looks like a component" : "");
    return PARIGOT_EUNSUPPORTED;
  }
  r.p += 8;
  int rc = parse_sections(&r);
  if (rc)
    pg_wasm_info_deinit(info);
  return rc;
}

void pg_wasm_info_deinit(pg_wasm_info *info) {
  const pg_mem *mem = info->mem;
  if (!mem)
    return;
  for (uint32_t i = 0; i < info->ntypes; i++)
    pg_mem_free(mem, info->types[i]);
  for (uint32_t i = 0; i < info->nimports; i++) {
    pg_mem_free(mem, info->imports[i].module);
    pg_mem_free(mem, info->imports[i].name);
  }
  for (uint32_t i = 0; i < info->nexports; i++)
    pg_mem_free(mem, info->exports[i].name);
  pg_mem_free(mem, info->types);
  pg_mem_free(mem, info->imports);
  pg_mem_free(mem, info->func_types);
  pg_mem_free(mem, info->exports);
  info->types = NULL;
  info->imports = NULL;
  info->func_types = NULL;
  info->exports = NULL;
  info->ntypes = info->nimports = info->nfuncs = info->nexports = 0;
}

const char *pg_wasm_info_func_sig(const pg_wasm_info *info,
                                  uint32_t func_index) {
  if (func_index < info->nimported_funcs) {
    for (uint32_t i = 0; i < info->nimports; i++) {
      const pg_wasm_import *im = &info->imports[i];
      if (im->kind == PG_WASM_EXTERN_FUNC && func_index-- == 0)
        return info->types[im->type_index];
    }
    return NULL;
  }
  func_index -= info->nimported_funcs;
  if (func_index >= info->nfuncs)
    return NULL;
  return info->types[info->func_types[func_index]];
}

const pg_wasm_export *pg_wasm_info_export(const pg_wasm_info *info,
                                          const char *name) {
  for (uint32_t i = 0; i < info->nexports; i++)
    if (strcmp(info->exports[i].name, name) == 0)
      return &info->exports[i];
  return NULL;
}
