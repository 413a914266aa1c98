/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/meter.c: the fuel metering pass (see meter.h).
 *
 * Reads the module section by section and writes a new one: the import
 * section is read for its count of imported globals (the fuel global's
 * index comes after them and the module's own), the global and export
 * sections get one entry more (or are created, in their place in the
 * section order), and every function body of the code section is decoded
 * instruction by instruction, then written again with the metering code at
 * its entry and after each `loop`, under its new size. Every other section
 * is copied as it is. Owns nothing past the call: the output goes to the
 * caller. Calls only pg_mem and libc; any thread.
 */
#include "meter.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "parigot/error.h"

/* ---- reading: every read checks what is left ---- */

typedef struct rd {
  const uint8_t *p;    /* next byte */
  const uint8_t *end;  /* one past the readable range */
  const uint8_t *base; /* the module's first byte, for offsets */
  char *err;           /* the caller's message buffer */
  size_t err_len;
} rd;

static int fail(rd *r, int code, const char *fmt, ...) {
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  snprintf(r->err, r->err_len, "%s (at byte offset %zu)", msg,
           (size_t)(r->p - r->base));
  return code;
}

static int get_u8(rd *r, uint8_t *out) {
  if (r->p >= r->end)
    return fail(r, PARIGOT_EBADMODULE, "unexpected end of section");
  *out = *r->p++;
  return 0;
}

/* An unsigned LEB128 of at most @p bits bits, in at most ceil(bits/7)
 * bytes, with no bit set above @p bits. */
static int get_uleb(rd *r, int bits, uint64_t *out) {
  uint64_t v = 0;
  for (int shift = 0; shift < bits; shift += 7) {
    uint8_t b;
    int rc = get_u8(r, &b);
    if (rc)
      return rc;
    if (shift == 63 && (b & 0x7e) != 0)
      return fail(r, PARIGOT_EBADMODULE, "integer too large");
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      if (bits < 64 && (v >> bits) != 0)
        return fail(r, PARIGOT_EBADMODULE, "integer too large");
      *out = v;
      return 0;
    }
  }
  return fail(r, PARIGOT_EBADMODULE, "integer representation too long");
}

static int get_u32(rd *r, uint32_t *out) {
  uint64_t v = 0;
  int rc = get_uleb(r, 32, &v);
  *out = (uint32_t)v;
  return rc;
}

/* A signed LEB128 of at most @p bits bits: only its length is checked (its
 * value is copied, never used). Its sign is returned in @p is_negative. */
static int skip_sleb(rd *r, int bits, bool *is_negative) {
  for (int shift = 0; shift < bits; shift += 7) {
    uint8_t b;
    int rc = get_u8(r, &b);
    if (rc)
      return rc;
    if (!(b & 0x80)) {
      if (is_negative != NULL)
        *is_negative = (b & 0x40) != 0;
      return 0;
    }
  }
  return fail(r, PARIGOT_EBADMODULE, "integer representation too long");
}

static int skip(rd *r, uint64_t n) {
  if (n > (uint64_t)(r->end - r->p))
    return fail(r, PARIGOT_EBADMODULE, "%llu bytes run past the end",
                (unsigned long long)n);
  r->p += n;
  return 0;
}

static int skip_u32(rd *r) {
  uint32_t v;
  return get_u32(r, &v);
}

/* ---- writing: a growing buffer that remembers running out of memory ---- */

typedef struct wbuf {
  uint8_t *d;
  size_t len, cap;
  const pg_mem *mem; /* borrowed */
  bool is_oom;
} wbuf;

static void put(wbuf *w, const void *src, size_t n) {
  if (w->is_oom)
    return;
  if (w->cap - w->len < n) {
    size_t cap = w->cap ? w->cap : 256;
    while (cap - w->len < n)
      cap *= 2;
    uint8_t *d = pg_mem_realloc(w->mem, w->d, cap);
    if (d == NULL) {
      w->is_oom = true;
      return;
    }
    w->d = d;
    w->cap = cap;
  }
  memcpy(w->d + w->len, src, n);
  w->len += n;
}

static void put_u8(wbuf *w, uint8_t b) {
  put(w, &b, 1);
}

static void put_uleb(wbuf *w, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    put_u8(w, v ? (uint8_t)(b | 0x80) : b);
  } while (v);
}

static void put_sleb(wbuf *w, int64_t v) {
  for (;;) {
    uint8_t b = (uint8_t)(v & 0x7f);
    v >>= 7; /* arithmetic: gcc and clang, as C23 requires */
    bool is_last = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    put_u8(w, is_last ? b : (uint8_t)(b | 0x80));
    if (is_last)
      return;
  }
}

/* A section: its id, its size and its payload @p body. */
static void put_section(wbuf *w, uint8_t id, const wbuf *body) {
  put_u8(w, id);
  put_uleb(w, body->len);
  put(w, body->d, body->len);
}

/* ---- the module's shape ---- */

enum {
  SEC_CUSTOM = 0,
  SEC_IMPORT = 2,
  SEC_GLOBAL = 6,
  SEC_EXPORT = 7,
  SEC_CODE = 10,
};

/* The place of section @p id in the order the spec requires; 0 when it
 * is not a section the pass knows. The tag section (13) sits between
 * memory and global. */
static int rank(uint8_t id) {
  static const int ranks[] = {
      [1] = 1, [2] = 2, [3] = 3,  [4] = 4,   [5] = 5,   [13] = 6,  [6] = 7,
      [7] = 8, [8] = 9, [9] = 10, [12] = 11, [10] = 12, [11] = 13,
  };
  return id < sizeof ranks / sizeof ranks[0] ? ranks[id] : 0;
}

typedef struct meter {
  rd r;
  wbuf out;
  uint32_t nimported_globals;
  uint32_t nglobals; /* defined by the module */
  uint32_t fuel;     /* the fuel global's index, once known */
  bool has_global_section, has_export_section;
} meter;

static bool is_valtype(uint8_t b) {
  return b == 0x7f || b == 0x7e || b == 0x7d || b == 0x7c || b == 0x7b ||
         b == 0x70 || b == 0x6f;
}

static int skip_limits(rd *r) {
  uint8_t flags;
  int rc = get_u8(r, &flags);
  if (rc == 0 && flags > 7)
    return fail(r, PARIGOT_EUNSUPPORTED, "unknown limits flags 0x%02x", flags);
  int bits = flags & 4 ? 64 : 32;
  uint64_t v;
  if (rc == 0)
    rc = get_uleb(r, bits, &v);
  if (rc == 0 && (flags & 1))
    rc = get_uleb(r, bits, &v);
  return rc;
}

/* Counts the imported globals; the section is copied unchanged. */
static int read_imports(meter *m) {
  rd *r = &m->r;
  uint32_t n, len;
  int rc = get_u32(r, &n);
  for (uint32_t i = 0; rc == 0 && i < n; i++) {
    uint8_t kind, b;
    for (int s = 0; rc == 0 && s < 2; s++) /* module, name */
      if ((rc = get_u32(r, &len)) == 0)
        rc = skip(r, len);
    if (rc == 0)
      rc = get_u8(r, &kind);
    if (rc)
      return rc;
    switch (kind) {
    case 0: /* function: type index */
      rc = skip_u32(r);
      break;
    case 1: /* table: reference type, limits */
      if ((rc = get_u8(r, &b)) == 0)
        rc = skip_limits(r);
      break;
    case 2: /* memory */
      rc = skip_limits(r);
      break;
    case 3: /* global: value type, mutability */
      if ((rc = get_u8(r, &b)) == 0)
        rc = get_u8(r, &b);
      m->nimported_globals++;
      break;
    case 4: /* tag: attribute, type index */
      if ((rc = get_u8(r, &b)) == 0)
        rc = skip_u32(r);
      break;
    default:
      return fail(r, PARIGOT_EUNSUPPORTED, "unknown import kind %u", kind);
    }
  }
  if (rc == 0 && r->p != r->end)
    return fail(r, PARIGOT_EBADMODULE,
                "import section longer than its imports");
  return rc;
}

/* The global section with the fuel global last: a mutable i64 that starts
 * at INT64_MAX, so a start function runs before any budget is set. */
static void put_global_section(meter *m, uint32_t n, const uint8_t *rest,
                               size_t rest_len) {
  wbuf body = {.mem = m->out.mem};
  m->fuel = m->nimported_globals + n;
  put_uleb(&body, (uint64_t)n + 1);
  put(&body, rest, rest_len);
  static const uint8_t head[] = {0x7e, 0x01, 0x42};
  put(&body, head, sizeof head);
  put_sleb(&body, INT64_MAX);
  put_u8(&body, 0x0b);
  put_section(&m->out, SEC_GLOBAL, &body);
  m->out.is_oom |= body.is_oom;
  pg_mem_free(body.mem, body.d);
  m->has_global_section = true;
}

/* The export section with the fuel global's export last. */
static void put_export_section(meter *m, uint32_t n, const uint8_t *rest,
                               size_t rest_len) {
  wbuf body = {.mem = m->out.mem};
  put_uleb(&body, (uint64_t)n + 1);
  put(&body, rest, rest_len);
  put_uleb(&body, sizeof PG_METER_EXPORT - 1);
  put(&body, PG_METER_EXPORT, sizeof PG_METER_EXPORT - 1);
  put_u8(&body, 3); /* a global */
  put_uleb(&body, m->fuel);
  put_section(&m->out, SEC_EXPORT, &body);
  m->out.is_oom |= body.is_oom;
  pg_mem_free(body.mem, body.d);
  m->has_export_section = true;
}

/* Checks every export and refuses one that takes the fuel's name. */
static int read_exports(meter *m, uint32_t n) {
  rd *r = &m->r;
  int rc = 0;
  for (uint32_t i = 0; rc == 0 && i < n; i++) {
    uint32_t len;
    uint8_t kind;
    if ((rc = get_u32(r, &len)) != 0 || (rc = skip(r, len)) != 0)
      return rc;
    if (len == sizeof PG_METER_EXPORT - 1 &&
        memcmp(r->p - len, PG_METER_EXPORT, len) == 0)
      return fail(r, PARIGOT_EUNSUPPORTED,
                  "the module exports \"" PG_METER_EXPORT
                  "\", a name parigot reserves for the fuel counter");
    if ((rc = get_u8(r, &kind)) == 0)
      rc = skip_u32(r);
  }
  if (rc == 0 && r->p != r->end)
    return fail(r, PARIGOT_EBADMODULE,
                "export section longer than its exports");
  return rc;
}

/* ---- instructions ---- */

static int skip_blocktype(rd *r) {
  if (r->p >= r->end)
    return fail(r, PARIGOT_EBADMODULE, "unexpected end of section");
  if (*r->p == 0x40 || is_valtype(*r->p)) {
    r->p++;
    return 0;
  }
  bool is_negative = false;
  int rc = skip_sleb(r, 33, &is_negative);
  if (rc == 0 && is_negative)
    return fail(r, PARIGOT_EUNSUPPORTED, "unknown block type");
  return rc;
}

/* align, [memory index], offset */
static int skip_memarg(rd *r) {
  uint32_t align;
  uint64_t offset;
  int rc = get_u32(r, &align);
  if (rc == 0 && (align & 0x40))
    rc = skip_u32(r);
  return rc ? rc : get_uleb(r, 64, &offset);
}

static int unknown(rd *r, const char *prefix, uint32_t op) {
  r->p--; /* point at it */
  return fail(r, PARIGOT_EUNSUPPORTED,
              "instruction %s0x%02x is not one the fuel metering pass knows",
              prefix, op);
}

/* 0xFC: saturating truncations, bulk memory, tables. */
static int skip_fc(rd *r) {
  uint32_t op;
  int rc = get_u32(r, &op);
  if (rc)
    return rc;
  if (op <= 7) /* trunc_sat */
    return 0;
  switch (op) {
  case 8:  /* memory.init data, memory */
  case 10: /* memory.copy memory, memory */
  case 12: /* table.init elem, table */
  case 14: /* table.copy table, table */
    return (rc = skip_u32(r)) ? rc : skip_u32(r);
  case 9:  /* data.drop */
  case 11: /* memory.fill */
  case 13: /* elem.drop */
  case 15: /* table.grow */
  case 16: /* table.size */
  case 17: /* table.fill */
    return skip_u32(r);
  }
  return unknown(r, "0xfc ", op);
}

/* 0xFD: fixed-width SIMD (wasm 2.0). The opcodes the spec leaves out are
 * refused, and so is relaxed SIMD (0x100 and above). */
static int skip_fd(rd *r) {
  static const uint8_t holes[] = {0x9a, 0xa2, 0xa5, 0xa6, 0xaf, 0xb0, 0xb2,
                                  0xb3, 0xb4, 0xbb, 0xc2, 0xc5, 0xc6, 0xcf,
                                  0xd0, 0xd2, 0xd3, 0xd4, 0xe2, 0xee};
  uint32_t op;
  int rc = get_u32(r, &op);
  if (rc)
    return rc;
  if (op <= 11 || op == 92 || op == 93) /* loads, stores, load_zero */
    return skip_memarg(r);
  if (op == 12 || op == 13) /* v128.const, i8x16.shuffle */
    return skip(r, 16);
  if (op >= 21 && op <= 34) /* extract_lane, replace_lane: a lane */
    return skip(r, 1);
  if (op >= 84 && op <= 91) /* load_lane, store_lane: memarg, lane */
    return (rc = skip_memarg(r)) ? rc : skip(r, 1);
  if (op > 0xff)
    return unknown(r, "0xfd ", op);
  for (size_t i = 0; i < sizeof holes; i++)
    if (op == holes[i])
      return unknown(r, "0xfd ", op);
  return 0; /* 14..20, 35..83, 94..255: no immediate */
}

/* 0xFE: the threads proposal's atomics. */
static int skip_fe(rd *r) {
  uint32_t op;
  int rc = get_u32(r, &op);
  if (rc)
    return rc;
  if (op == 3) /* atomic.fence: a zero byte */
    return skip(r, 1);
  if (op <= 2 || (op >= 0x10 && op <= 0x4e))
    return skip_memarg(r);
  return unknown(r, "0xfe ", op);
}

static int skip_select_types(rd *r) {
  uint32_t n;
  int rc = get_u32(r, &n);
  for (uint32_t i = 0; rc == 0 && i < n; i++) {
    uint8_t t;
    if ((rc = get_u8(r, &t)) == 0 && !is_valtype(t))
      return fail(r, PARIGOT_EUNSUPPORTED, "unknown value type 0x%02x", t);
  }
  return rc;
}

static int skip_br_table(rd *r) {
  uint32_t n;
  int rc = get_u32(r, &n);
  if (rc == 0 && n > (size_t)(r->end - r->p))
    return fail(r, PARIGOT_EBADMODULE, "br_table of %u labels past the end", n);
  for (uint32_t i = 0; rc == 0 && i <= n; i++) /* the labels, the default */
    rc = skip_u32(r);
  return rc;
}

/* Reads the instruction at r->p and its immediates; @p depth follows the
 * nesting of blocks (an `end` or a `delegate` closes one), @p is_loop
 * says whether it was a `loop`. */
static int next_instr(rd *r, uint32_t *depth, bool *is_loop) {
  uint8_t op = 0;
  int rc = get_u8(r, &op);
  *is_loop = op == 0x03;
  if (rc)
    return rc;
  if ((op >= 0x45 && op <= 0xc4) || op <= 0x01 || op == 0x05 || op == 0x0f ||
      op == 0x19 || op == 0x1a || op == 0x1b || op == 0xd1)
    return 0; /* no immediate */
  if (op >= 0x28 && op <= 0x3e)
    return skip_memarg(r);
  switch (op) {
  case 0x02: /* block */
  case 0x03: /* loop */
  case 0x04: /* if */
  case 0x06: /* try (legacy exceptions) */
    ++*depth;
    return skip_blocktype(r);
  case 0x0b: /* end */
    --*depth;
    return 0;
  case 0x18: /* delegate: ends its try */
    --*depth;
    return skip_u32(r);
  case 0x07: /* catch tag */
  case 0x08: /* throw tag */
  case 0x09: /* rethrow label */
  case 0x0c: /* br */
  case 0x0d: /* br_if */
  case 0x10: /* call */
  case 0x12: /* return_call */
  case 0x20: /* local.get */
  case 0x21: /* local.set */
  case 0x22: /* local.tee */
  case 0x23: /* global.get */
  case 0x24: /* global.set */
  case 0x25: /* table.get */
  case 0x26: /* table.set */
  case 0x3f: /* memory.size */
  case 0x40: /* memory.grow */
  case 0xd2: /* ref.func */
    return skip_u32(r);
  case 0x0e:
    return skip_br_table(r);
  case 0x11: /* call_indirect type, table */
  case 0x13: /* return_call_indirect */
    return (rc = skip_u32(r)) ? rc : skip_u32(r);
  case 0x1c:
    return skip_select_types(r);
  case 0x41:
    return skip_sleb(r, 32, NULL);
  case 0x42:
    return skip_sleb(r, 64, NULL);
  case 0x43:
    return skip(r, 4);
  case 0x44:
    return skip(r, 8);
  case 0xd0: { /* ref.null: funcref or externref */
    uint8_t t;
    if ((rc = get_u8(r, &t)) == 0 && t != 0x70 && t != 0x6f)
      return fail(r, PARIGOT_EUNSUPPORTED, "unknown heap type 0x%02x", t);
    return rc;
  }
  case 0xfc:
    return skip_fc(r);
  case 0xfd:
    return skip_fd(r);
  case 0xfe:
    return skip_fe(r);
  }
  return unknown(r, "", op);
}

/* ---- function bodies ---- */

typedef struct point {
  size_t at;     /* offset in the body where the metering code goes */
  uint64_t cost; /* instructions from here to the next point */
} point;

typedef struct points {
  point *v;
  size_t n, cap;
  const pg_mem *mem; /* borrowed */
} points;

static int add_point(points *ps, size_t at) {
  if (ps->n == ps->cap) {
    size_t cap = ps->cap ? ps->cap * 2 : 16;
    point *v = pg_mem_realloc(ps->mem, ps->v, cap * sizeof *v);
    if (v == NULL)
      return PARIGOT_ENOMEM;
    ps->v = v;
    ps->cap = cap;
  }
  ps->v[ps->n++] = (point){.at = at, .cost = 0};
  return 0;
}

/* Skips the local declarations of the body at r->p. */
static int skip_locals(rd *r) {
  uint32_t n;
  int rc = get_u32(r, &n);
  for (uint32_t i = 0; rc == 0 && i < n; i++) {
    uint8_t t;
    if ((rc = skip_u32(r)) == 0 && (rc = get_u8(r, &t)) == 0 && !is_valtype(t))
      return fail(r, PARIGOT_EUNSUPPORTED, "unknown value type 0x%02x", t);
  }
  return rc;
}

/* The region of each open block, by depth (open[0]: the body's). */
typedef struct open_blocks {
  uint32_t *v;
  size_t cap;
  const pg_mem *mem; /* borrowed */
} open_blocks;

static int set_open(open_blocks *o, uint32_t depth, uint32_t region) {
  if (depth >= o->cap) {
    size_t cap = o->cap ? o->cap * 2 : 16;
    uint32_t *v = pg_mem_realloc(o->mem, o->v, cap * sizeof *v);
    if (v == NULL)
      return PARIGOT_ENOMEM;
    o->v = v;
    o->cap = cap;
  }
  o->v[depth] = region;
  return 0;
}

/* Finds the metering points of the body [r->p, r->end) (after its
 * locals), its entry and the first instruction of each loop, and counts
 * each instruction in the region of its innermost loop (or the entry's):
 * a `loop` in the region around it, its `end` in its own. */
static int find_points(rd *r, const uint8_t *body, points *ps) {
  open_blocks open = {.mem = ps->mem};
  int rc = add_point(ps, (size_t)(r->p - body));
  if (rc == 0)
    rc = set_open(&open, 0, 0);
  uint32_t depth = 1;
  while (rc == 0 && depth > 0) {
    if (r->p >= r->end) {
      rc = fail(r, PARIGOT_EBADMODULE, "function body ends inside a block");
      break;
    }
    bool is_loop;
    uint32_t before = depth, region = open.v[depth - 1];
    if ((rc = next_instr(r, &depth, &is_loop)) != 0)
      break;
    ps->v[region].cost++;
    if (depth > before && is_loop &&
        (rc = add_point(ps, (size_t)(r->p - body))) == 0)
      rc = set_open(&open, before, (uint32_t)(ps->n - 1));
    else if (depth > before)
      rc = set_open(&open, before, region);
  }
  pg_mem_free(open.mem, open.v);
  if (rc == 0 && r->p != r->end)
    return fail(r, PARIGOT_EBADMODULE, "bytes after the end of a function");
  return rc;
}

static void put_metering(wbuf *w, uint32_t fuel, uint64_t cost) {
  put_u8(w, 0x23); /* global.get */
  put_uleb(w, fuel);
  put_u8(w, 0x42); /* i64.const */
  put_sleb(w, (int64_t)cost);
  put_u8(w, 0x7d); /* i64.sub */
  put_u8(w, 0x24); /* global.set */
  put_uleb(w, fuel);
  put_u8(w, 0x23); /* global.get */
  put_uleb(w, fuel);
  static const uint8_t tail[] = {
      0x42, 0x00, /* i64.const 0 */
      0x53,       /* i64.lt_s */
      0x04, 0x40, /* if */
      0x00,       /* unreachable */
      0x0b,       /* end */
  };
  put(w, tail, sizeof tail);
}

/* Rewrites the body [body, body + len) into @p w, its size first. */
static int meter_body(meter *m, const uint8_t *body, uint32_t len, wbuf *w) {
  rd r = m->r;
  r.p = body;
  r.end = body + len;
  points ps = {.mem = m->out.mem};
  int rc = skip_locals(&r);
  if (rc == 0)
    rc = find_points(&r, body, &ps);
  if (rc != 0) {
    pg_mem_free(ps.mem, ps.v);
    return rc;
  }
  wbuf nb = {.mem = m->out.mem};
  put(&nb, body, ps.v[0].at); /* the locals */
  for (size_t i = 0; i < ps.n; i++) {
    size_t to = i + 1 < ps.n ? ps.v[i + 1].at : len;
    put_metering(&nb, m->fuel, ps.v[i].cost);
    put(&nb, body + ps.v[i].at, to - ps.v[i].at);
  }
  if (nb.len > UINT32_MAX)
    rc = fail(&r, PARIGOT_EUNSUPPORTED, "a metered function grows past 4 GiB");
  put_uleb(w, nb.len);
  put(w, nb.d, nb.len);
  w->is_oom |= nb.is_oom;
  pg_mem_free(ps.mem, ps.v);
  pg_mem_free(nb.mem, nb.d);
  return rc;
}

static int meter_code(meter *m) {
  rd *r = &m->r;
  uint32_t n;
  int rc = get_u32(r, &n);
  wbuf body = {.mem = m->out.mem};
  put_uleb(&body, n);
  for (uint32_t i = 0; rc == 0 && i < n; i++) {
    uint32_t len;
    if ((rc = get_u32(r, &len)) != 0)
      break;
    if (len > (size_t)(r->end - r->p)) {
      rc = fail(r, PARIGOT_EBADMODULE, "function %u runs past the code section",
                i);
      break;
    }
    rc = meter_body(m, r->p, len, &body);
    r->p += len;
  }
  if (rc == 0 && r->p != r->end)
    rc = fail(r, PARIGOT_EBADMODULE, "code section longer than its functions");
  if (rc == 0)
    put_section(&m->out, SEC_CODE, &body);
  m->out.is_oom |= body.is_oom;
  pg_mem_free(body.mem, body.d);
  return rc;
}

/* ---- sections ---- */

/* Before a section ranked @p next: the global and export sections the
 * module lacks, where they belong. */
static void put_missing(meter *m, int next) {
  if (!m->has_global_section && next > rank(SEC_GLOBAL))
    put_global_section(m, 0, NULL, 0);
  if (!m->has_export_section && next > rank(SEC_EXPORT))
    put_export_section(m, 0, NULL, 0);
}

/* The section whose payload is [r->p, r->end), of id @p id, rewritten or
 * copied into the output. */
static int one_section(meter *m, uint8_t id, const uint8_t *start) {
  rd *r = &m->r;
  uint32_t n;
  int rc = 0;
  switch (id) {
  case SEC_IMPORT:
    if ((rc = read_imports(m)) == 0)
      put(&m->out, start, (size_t)(r->end - start));
    return rc;
  case SEC_GLOBAL:
    if ((rc = get_u32(r, &n)) == 0)
      put_global_section(m, n, r->p, (size_t)(r->end - r->p));
    return rc;
  case SEC_EXPORT: {
    if ((rc = get_u32(r, &n)) != 0)
      return rc;
    const uint8_t *rest = r->p;
    if ((rc = read_exports(m, n)) == 0)
      put_export_section(m, n, rest, (size_t)(r->end - rest));
    return rc;
  }
  case SEC_CODE:
    return meter_code(m);
  }
  put(&m->out, start, (size_t)(r->end - start)); /* id and size too */
  return 0;
}

/* A custom section naming the pass's version, last: what it writes is
 * compiled and cached under the hash of these bytes, so a module metered
 * by another version of the pass (or compiled with other patches for
 * metered code, compile.c) never shares a cache entry with this one. */
static void put_version(meter *m) {
  static const char name[] = "parigot.meter", version[] = "3";
  wbuf body = {.mem = m->out.mem};
  put_uleb(&body, sizeof name - 1);
  put(&body, name, sizeof name - 1);
  put(&body, version, sizeof version - 1);
  put_section(&m->out, SEC_CUSTOM, &body);
  m->out.is_oom |= body.is_oom;
  pg_mem_free(body.mem, body.d);
}

static int sections(meter *m, const uint8_t *in, size_t len) {
  rd *r = &m->r;
  const uint8_t *end = in + len;
  int last = 0;
  while (r->p < end) {
    const uint8_t *start = r->p;
    uint8_t id;
    uint32_t size;
    r->end = end;
    int rc = get_u8(r, &id);
    if (rc == 0)
      rc = get_u32(r, &size);
    if (rc)
      return rc;
    if (size > (size_t)(end - r->p))
      return fail(r, PARIGOT_EBADMODULE,
                  "section %u of %u bytes runs past the end of the module", id,
                  size);
    if (id != SEC_CUSTOM && rank(id) == 0)
      return fail(r, PARIGOT_EUNSUPPORTED, "unknown section id %u", id);
    if (id != SEC_CUSTOM && rank(id) <= last)
      return fail(r, PARIGOT_EBADMODULE, "section %u out of order", id);
    if (id != SEC_CUSTOM) {
      last = rank(id);
      put_missing(m, last);
    }
    r->end = r->p + size;
    if (id == SEC_CUSTOM) /* copied whole, with its id and size */
      put(&m->out, start, (size_t)(r->end - start));
    else if ((rc = one_section(m, id, start)) != 0)
      return rc;
    r->p = r->end;
  }
  put_missing(m, 1000);
  put_version(m);
  return 0;
}

int pg_meter_module(const uint8_t *in, size_t len, const pg_mem *mem,
                    uint8_t **out, size_t *out_len, char *err, size_t err_len) {
  static const uint8_t header[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  meter m = {.r = {.p = in,
                   .end = in + len,
                   .base = in,
                   .err = err,
                   .err_len = err_len},
             .out = {.mem = mem}};
  if (len < 8 || memcmp(in, header, 4) != 0)
    return fail(&m.r, PARIGOT_ENOTWASM, "not a WebAssembly module");
  if (memcmp(in, header, 8) != 0)
    return fail(&m.r, PARIGOT_EUNSUPPORTED,
                "not a version 1 core module, the only kind metered");
  m.r.p = in + 8;
  put(&m.out, header, sizeof header);
  int rc = sections(&m, in, len);
  if (rc == 0 && m.out.is_oom)
    rc = PARIGOT_ENOMEM;
  if (rc == PARIGOT_ENOMEM)
    snprintf(err, err_len, "out of memory while metering the module");
  if (rc != 0) {
    pg_mem_free(mem, m.out.d);
    return rc;
  }
  *out = m.out.d;
  *out_len = m.out.len;
  return 0;
}
