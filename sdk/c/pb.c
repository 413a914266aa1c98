/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sdk/c/pb.c: the table-driven protobuf codec behind generated message code.
 *
 * Every message is decoded and freed here by walking its
 * parigot_pb_message_desc, so this file is the whole attack surface for
 * hostile bytes: every length is checked against the bytes that remain
 * before it is used, every allocation is charged to a budget, nesting is
 * counted, and an error leaves a message that can still be freed.
 *
 * Encoding is generated code (protoc-gen-parigot's gen_c.c): it runs
 * backwards, from the end of the buffer to its start, so a sub-message is
 * written before its length and no size is computed twice.
 * parigot_pb_encode() then moves the bytes to the front when the buffer
 * was larger than needed.
 *
 * Repeated fields carry no capacity: an array decode allocated always has
 * room for pb_capacity(count) elements, so growth doubles without a field
 * for it in every generated struct.
 */
#include "parigot/pb.h"
#include "parigot/pb_gen.h"

#include <stdlib.h>
#include <string.h>

enum {
  WT_VARINT = 0,
  WT_I64 = 1,
  WT_LEN = 2,
  WT_SGROUP = 3,
  WT_EGROUP = 4,
  WT_I32 = 5
};

#define MAX_FIELD_NUMBER 536870911u

static void *malloc_alloc(void *ctx, size_t size) {
  (void)ctx;
  return malloc(size ? size : 1);
}

static void malloc_free(void *ctx, void *ptr) {
  (void)ctx;
  free(ptr);
}

const parigot_pb_allocator parigot_pb_malloc_allocator = {malloc_alloc,
                                                          malloc_free, NULL};

static void pb_release(const parigot_pb_allocator *a, void *p) {
  if (p != NULL && a->free != NULL)
    a->free(a->ctx, p);
}

/* ---- field storage ---------------------------------------------------- */

/* The wire and the generated structs are little-endian on every target
 * parigot builds for (x86-64, arm64, wasm32), so fixed-width values and
 * packed arrays of them are copied as they are. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "sdk/c/pb.c assumes a little-endian target"
#endif
_Static_assert(sizeof(bool) == 1, "packed bools are copied as bytes");

/* Per type, indexed by parigot_pb_type: its wire type, and the size of one
 * stored value (for messages, of the pointer that holds one). Tables keep
 * these lookups cheap enough for every field of every message. */
static const uint8_t k_wire[19] = {
    [PARIGOT_PB_DOUBLE] = WT_I64,   [PARIGOT_PB_FLOAT] = WT_I32,
    [PARIGOT_PB_INT64] = WT_VARINT, [PARIGOT_PB_UINT64] = WT_VARINT,
    [PARIGOT_PB_INT32] = WT_VARINT, [PARIGOT_PB_FIXED64] = WT_I64,
    [PARIGOT_PB_FIXED32] = WT_I32,  [PARIGOT_PB_BOOL] = WT_VARINT,
    [PARIGOT_PB_STRING] = WT_LEN,   [PARIGOT_PB_MESSAGE] = WT_LEN,
    [PARIGOT_PB_BYTES] = WT_LEN,    [PARIGOT_PB_UINT32] = WT_VARINT,
    [PARIGOT_PB_ENUM] = WT_VARINT,  [PARIGOT_PB_SFIXED32] = WT_I32,
    [PARIGOT_PB_SFIXED64] = WT_I64, [PARIGOT_PB_SINT32] = WT_VARINT,
    [PARIGOT_PB_SINT64] = WT_VARINT};

static const uint8_t k_size[19] = {
    [PARIGOT_PB_DOUBLE] = 8,
    [PARIGOT_PB_FLOAT] = 4,
    [PARIGOT_PB_INT64] = 8,
    [PARIGOT_PB_UINT64] = 8,
    [PARIGOT_PB_INT32] = 4,
    [PARIGOT_PB_FIXED64] = 8,
    [PARIGOT_PB_FIXED32] = 4,
    [PARIGOT_PB_BOOL] = sizeof(bool),
    [PARIGOT_PB_STRING] = sizeof(parigot_pb_bytes),
    [PARIGOT_PB_MESSAGE] = sizeof(void *),
    [PARIGOT_PB_BYTES] = sizeof(parigot_pb_bytes),
    [PARIGOT_PB_UINT32] = 4,
    [PARIGOT_PB_ENUM] = 4,
    [PARIGOT_PB_SFIXED32] = 4,
    [PARIGOT_PB_SFIXED64] = 8,
    [PARIGOT_PB_SINT32] = 4,
    [PARIGOT_PB_SINT64] = 8};

static inline int wire_type(uint8_t type) {
  return k_wire[type];
}

static inline bool is_bytes(uint8_t type) {
  return type == PARIGOT_PB_STRING || type == PARIGOT_PB_BYTES;
}

static inline size_t value_size(uint8_t type) {
  return k_size[type];
}

size_t parigot_pb_field_size(const parigot_pb_field *f) {
  if (f->type == PARIGOT_PB_MESSAGE)
    return f->message->size;
  return value_size(f->type);
}

static size_t *count_of(const parigot_pb_field *f, void *msg) {
  return (size_t *)((uint8_t *)msg + f->aux);
}

static void **array_of(const parigot_pb_field *f, void *msg) {
  return (void **)((uint8_t *)msg + f->offset);
}

bool parigot_pb_field_is_repeated(const parigot_pb_field *f) {
  return f->label == PARIGOT_PB_REPEATED || f->label == PARIGOT_PB_UNPACKED ||
         f->label == PARIGOT_PB_MAP;
}

static size_t pb_capacity(size_t n) {
  if (n <= 4)
    return n == 0 ? 0 : 4;
  return (size_t)1 << (64 - __builtin_clzll((unsigned long long)(n - 1)));
}

static inline const parigot_pb_field *
find_field(const parigot_pb_message_desc *desc, uint32_t number) {
  if (number < desc->dense_len) {
    uint16_t i = desc->dense[number];
    return i ? &desc->fields[i - 1] : NULL;
  }
  return parigot_pb_field_find(desc, number);
}

const parigot_pb_field *
parigot_pb_field_find(const parigot_pb_message_desc *desc, uint32_t number) {
  if (number < desc->dense_len) {
    uint16_t i = desc->dense[number];
    return i ? &desc->fields[i - 1] : NULL;
  }
  uint32_t lo = 0, hi = desc->n_fields;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    uint32_t n = desc->fields[mid].number;
    if (n == number)
      return &desc->fields[mid];
    if (n < number)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

void parigot_pb_init(const parigot_pb_message_desc *desc, void *msg) {
  memset(msg, 0, desc->size);
}

/* ---- free --------------------------------------------------------------- */

static void free_message(const parigot_pb_message_desc *desc, void *msg,
                         const parigot_pb_allocator *a);

/* Frees what one stored value owns (not the storage itself). */
static void free_value(const parigot_pb_field *f, void *slot,
                       const parigot_pb_allocator *a) {
  if (is_bytes(f->type)) {
    parigot_pb_bytes *b = slot;
    pb_release(a, b->data);
  } else if (f->type == PARIGOT_PB_MESSAGE) {
    void *sub = *(void **)slot;
    if (sub != NULL) {
      free_message(f->message, sub, a);
      pb_release(a, sub);
    }
  }
}

static void free_array(const parigot_pb_field *f, void *msg,
                       const parigot_pb_allocator *a) {
  uint8_t *arr = *array_of(f, msg);
  size_t n = *count_of(f, msg), esz = parigot_pb_field_size(f);
  if (arr == NULL)
    return;
  for (size_t i = 0; i < n; i++) {
    if (f->type == PARIGOT_PB_MESSAGE)
      free_message(f->message, arr + i * esz, a);
    else if (is_bytes(f->type))
      pb_release(a, ((parigot_pb_bytes *)(arr + i * esz))->data);
  }
  pb_release(a, arr);
}

static void free_message(const parigot_pb_message_desc *desc, void *msg,
                         const parigot_pb_allocator *a) {
  uint8_t *m = msg;
  for (uint32_t i = 0; i < desc->n_fields; i++) {
    const parigot_pb_field *f = &desc->fields[i];
    if (parigot_pb_field_is_repeated(f))
      free_array(f, msg, a);
    else if (f->label != PARIGOT_PB_ONEOF ||
             *(uint32_t *)(m + f->aux) == f->number)
      free_value(f, m + f->offset, a);
  }
  pb_release(a, ((parigot_pb_bytes *)(m + desc->unknown_offset))->data);
}

void parigot_pb_free(const parigot_pb_message_desc *desc, void *msg,
                     const parigot_pb_allocator *a) {
  free_message(desc, msg, a ? a : &parigot_pb_malloc_allocator);
  parigot_pb_init(desc, msg);
}

/* ---- encode --------------------------------------------------------------
 * Encoders are generated per message (gen_c.c); these are the two entry
 * points and the packed-array helpers they share. */

size_t parigot_pb_encoded_size(const parigot_pb_message_desc *desc,
                               const void *msg) {
  return desc->encoded_size(msg, 0);
}

int64_t parigot_pb_encode(const parigot_pb_message_desc *desc, const void *msg,
                          uint8_t *buf, size_t cap) {
  parigot_pb_writer w = {buf, buf + cap};
  int rc = desc->put(&w, msg, 0);
  if (rc != 0)
    return rc;
  size_t len = (size_t)(buf + cap - w.p);
  if (w.p != buf)
    memmove(buf, w.p, len);
  return (int64_t)len;
}

/* Fixed widths multiply; varints sum, with the element type decided once,
 * outside the loop. */
size_t parigot_pb_packed_size(uint8_t type, const void *arr, size_t n) {
  size_t total = 0;
  switch (type) {
  case PARIGOT_PB_BOOL:
    return n;
  case PARIGOT_PB_INT32:
  case PARIGOT_PB_ENUM:
    for (size_t i = 0; i < n; i++) {
      int32_t v = ((const int32_t *)arr)[i];
      total += v < 0 ? 10 : parigot_pb_varint_size((uint32_t)v);
    }
    return total;
  case PARIGOT_PB_UINT32:
    for (size_t i = 0; i < n; i++)
      total += parigot_pb_varint_size(((const uint32_t *)arr)[i]);
    return total;
  case PARIGOT_PB_SINT32:
    for (size_t i = 0; i < n; i++)
      total += parigot_pb_varint_size(
          parigot_pb_zigzag32(((const int32_t *)arr)[i]));
    return total;
  case PARIGOT_PB_SINT64:
    for (size_t i = 0; i < n; i++)
      total += parigot_pb_varint_size(
          parigot_pb_zigzag64(((const int64_t *)arr)[i]));
    return total;
  case PARIGOT_PB_INT64:
  case PARIGOT_PB_UINT64:
    for (size_t i = 0; i < n; i++)
      total += parigot_pb_varint_size(((const uint64_t *)arr)[i]);
    return total;
  default: /* fixed widths */
    return n * value_size(type);
  }
}

/* Last element first, as everything is written backwards. */
int parigot_pb_put_packed(parigot_pb_writer *w, uint8_t type, const void *arr,
                          size_t n) {
  int rc = 0;
  size_t i = n;
  switch (type) {
  case PARIGOT_PB_INT32:
  case PARIGOT_PB_ENUM:
    while (i-- > 0 && rc == 0)
      rc = parigot_pb_put_varint(w,
                                 (uint64_t)(int64_t)((const int32_t *)arr)[i]);
    return rc;
  case PARIGOT_PB_UINT32:
    while (i-- > 0 && rc == 0)
      rc = parigot_pb_put_varint(w, ((const uint32_t *)arr)[i]);
    return rc;
  case PARIGOT_PB_SINT32:
    while (i-- > 0 && rc == 0)
      rc = parigot_pb_put_varint(
          w, parigot_pb_zigzag32(((const int32_t *)arr)[i]));
    return rc;
  case PARIGOT_PB_SINT64:
    while (i-- > 0 && rc == 0)
      rc = parigot_pb_put_varint(
          w, parigot_pb_zigzag64(((const int64_t *)arr)[i]));
    return rc;
  case PARIGOT_PB_INT64:
  case PARIGOT_PB_UINT64:
    while (i-- > 0 && rc == 0)
      rc = parigot_pb_put_varint(w, ((const uint64_t *)arr)[i]);
    return rc;
  default: /* fixed widths, and bools: a bool's byte is its varint */
    return parigot_pb_put_raw(w, arr, n * value_size(type));
  }
}

/* ---- decode ------------------------------------------------------------- */

typedef struct pb_dec {
  const parigot_pb_allocator *a;
  size_t budget; /* bytes decode may still allocate */
  uint32_t depth_left;
  bool keep_unknown;
  bool alias_bytes;
} pb_dec;

static int dec_alloc(pb_dec *d, size_t size, void **out) {
  if (size > d->budget)
    return PARIGOT_ETOOBIG;
  void *p = d->a->alloc(d->a->ctx, size);
  if (p == NULL)
    return PARIGOT_ENOMEM;
  d->budget -= size;
  *out = p;
  return 0;
}

/* Slow path: near the end of the input, where every byte is checked. */
static int read_varint_tail(const uint8_t **pp, const uint8_t *end,
                            uint64_t *out) {
  const uint8_t *p = *pp;
  uint64_t v = 0;
  for (unsigned shift = 0;; shift += 7) {
    if (p >= end)
      return PARIGOT_ETRUNCATED;
    uint8_t b = *p++;
    /* The tenth byte holds bit 63 only: anything more is over-long. */
    if (shift == 63 && b > 1)
      return PARIGOT_EVARINT;
    v |= (uint64_t)(b & 0x7f) << shift;
    if (b < 0x80)
      break;
  }
  *pp = p;
  *out = v;
  return 0;
}

/* With ten bytes left a varint cannot run off the end, so the common case
 * reads byte after byte with one comparison each. */
static inline int read_varint(const uint8_t **pp, const uint8_t *end,
                              uint64_t *out) {
  const uint8_t *p = *pp;
  if (end - p < 10)
    return read_varint_tail(pp, end, out);
  uint64_t v = 0;
  for (unsigned shift = 0; shift < 63; shift += 7) {
    uint64_t b = *p++;
    v |= (b & 0x7f) << shift;
    if (b < 0x80) {
      *pp = p;
      *out = v;
      return 0;
    }
  }
  if (*p > 1)
    return PARIGOT_EVARINT;
  *out = v | ((uint64_t)*p << 63);
  *pp = p + 1;
  return 0;
}

/* Reads a length prefix and checks it against the bytes that remain. */
static int read_len(const uint8_t **pp, const uint8_t *end, size_t *out) {
  const uint8_t *p = *pp;
  uint64_t len;
  /* Lengths under 16 KiB take one or two bytes: read them here. */
  if (end - p >= 1 && p[0] < 0x80) {
    len = p[0];
    p += 1;
  } else if (end - p >= 2 && p[1] < 0x80) {
    len = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
    p += 2;
  } else {
    int rc = read_varint(&p, end, &len);
    if (rc != 0)
      return rc;
  }
  if (len > (uint64_t)(end - p))
    return PARIGOT_ELENGTH;
  *pp = p;
  *out = (size_t)len;
  return 0;
}

static bool utf8_valid(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    if (c < 0x80) {
      /* ASCII runs eight bytes at a time. */
      uint64_t w;
      while (i + 8 <= n && (memcpy(&w, s + i, 8), !(w & 0x8080808080808080ull)))
        i += 8;
      if (i < n && s[i] < 0x80)
        i++;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i < len)
      return false;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xc0) != 0x80)
        return false;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    /* Reject over-long forms, surrogates and code points past U+10FFFF. */
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
      return false;
    i += len;
  }
  return true;
}

/* Stores one scalar read from the wire (varint, I32 or I64 types). */
static int read_scalar(uint8_t type, const uint8_t **pp, const uint8_t *end,
                       void *slot) {
  int wt = wire_type(type);
  if (wt == WT_I32 || wt == WT_I64) {
    size_t n = wt == WT_I32 ? 4 : 8;
    if ((size_t)(end - *pp) < n)
      return PARIGOT_ETRUNCATED;
    memcpy(slot, *pp, n);
    *pp += n;
    return 0;
  }
  uint64_t v;
  int rc = read_varint(pp, end, &v);
  if (rc != 0)
    return rc;
  switch (type) {
  case PARIGOT_PB_INT32:
  case PARIGOT_PB_ENUM:
  case PARIGOT_PB_UINT32:
    *(uint32_t *)slot = (uint32_t)v;
    break;
  case PARIGOT_PB_SINT32:
    *(int32_t *)slot = (int32_t)(((uint32_t)v >> 1) ^ (0u - ((uint32_t)v & 1)));
    break;
  case PARIGOT_PB_SINT64:
    *(int64_t *)slot = (int64_t)((v >> 1) ^ (0 - (v & 1)));
    break;
  case PARIGOT_PB_BOOL:
    *(bool *)slot = v != 0;
    break;
  default: /* INT64, UINT64 */
    *(uint64_t *)slot = v;
    break;
  }
  return 0;
}

static int read_bytes(pb_dec *d, uint8_t type, const uint8_t *p, size_t len,
                      parigot_pb_bytes *out) {
  void *data;
  if (type == PARIGOT_PB_STRING && !utf8_valid(p, len))
    return PARIGOT_EUTF8;
  if (type == PARIGOT_PB_BYTES && d->alias_bytes) {
    out->data = (uint8_t *)p; /* the allocator frees nothing: no free */
    out->len = len;
    return 0;
  }
  int rc = dec_alloc(d, len + 1, &data);
  if (rc != 0)
    return rc;
  if (len > 0)
    memcpy(data, p, len);
  ((uint8_t *)data)[len] = 0;
  pb_release(d->a, out->data);
  out->data = data;
  out->len = len;
  return 0;
}

/* Makes room for @p add more elements; new elements are zeroed. */
static int grow(pb_dec *d, const parigot_pb_field *f, void *msg, size_t add) {
  size_t n = *count_of(f, msg), esz = parigot_pb_field_size(f);
  void **arr = array_of(f, msg);
  if (add > SIZE_MAX / esz - n)
    return PARIGOT_ETOOBIG;
  if (*arr != NULL && n + add <= pb_capacity(n))
    return 0;
  size_t cap = pb_capacity(n + add);
  void *bigger;
  if (cap > SIZE_MAX / esz)
    return PARIGOT_ETOOBIG;
  int rc = dec_alloc(d, cap * esz, &bigger);
  if (rc != 0)
    return rc;
  if (n > 0)
    memcpy(bigger, *arr, n * esz);
  memset((uint8_t *)bigger + n * esz, 0, (cap - n) * esz);
  pb_release(d->a, *arr);
  *arr = bigger;
  return 0;
}

static int decode_message(pb_dec *d, const parigot_pb_message_desc *desc,
                          void *msg, const uint8_t *p, const uint8_t *end);

static int decode_sub(pb_dec *d, const parigot_pb_message_desc *desc, void *msg,
                      const uint8_t *p, size_t len) {
  if (d->depth_left == 0)
    return PARIGOT_EDEPTH;
  d->depth_left--;
  int rc = decode_message(d, desc, msg, p, p + len);
  d->depth_left++;
  return rc;
}

/* Decodes a LEN value (string, bytes or message) into a singular slot;
 * a message already present is merged into, as protobuf requires. */
static int read_len_value(pb_dec *d, const parigot_pb_field *f,
                          const uint8_t *p, size_t len, void *slot) {
  if (is_bytes(f->type))
    return read_bytes(d, f->type, p, len, slot);
  void **sub = slot;
  if (*sub == NULL) {
    int rc = dec_alloc(d, f->message->size, sub);
    if (rc != 0)
      return rc;
    parigot_pb_init(f->message, *sub);
  }
  return decode_sub(d, f->message, *sub, p, len);
}

/* Switches a oneof to member @p f, freeing the member that was set. */
static void oneof_select(pb_dec *d, const parigot_pb_message_desc *desc,
                         const parigot_pb_field *f, uint8_t *m) {
  uint32_t *which = (uint32_t *)(m + f->aux);
  if (*which == f->number)
    return;
  if (*which != 0) {
    const parigot_pb_field *old = parigot_pb_field_find(desc, *which);
    if (old != NULL) {
      free_value(old, m + old->offset, d->a);
      memset(m + old->offset, 0, value_size(old->type));
    }
  }
  *which = f->number;
}

static size_t count_varints(const uint8_t *p, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++)
    n += p[i] < 0x80;
  return n;
}

static int read_packed(pb_dec *d, const parigot_pb_field *f, void *msg,
                       const uint8_t *p, size_t len) {
  const uint8_t *end = p + len;
  int wt = wire_type(f->type);
  size_t width = wt == WT_I32 ? 4 : wt == WT_I64 ? 8 : 0;
  size_t add = width ? len / width : count_varints(p, len);
  if (width && len % width != 0)
    return PARIGOT_ELENGTH;
  if (add == 0) /* empty, or varint bytes that never end */
    return len == 0 ? 0 : PARIGOT_ETRUNCATED;
  int rc = grow(d, f, msg, add);
  if (rc != 0)
    return rc;
  size_t *n = count_of(f, msg), esz = parigot_pb_field_size(f);
  uint8_t *arr = *array_of(f, msg);
  if (width) { /* the wire bytes are the array's bytes */
    memcpy(arr + *n * esz, p, len);
    *n += add;
    return 0;
  }
  while (p < end && rc == 0) {
    rc = read_scalar(f->type, &p, end, arr + *n * esz);
    if (rc == 0)
      (*n)++;
  }
  return rc;
}

static int key_compare(const parigot_pb_field *k, const void *a,
                       const void *b) {
  switch (k->type) {
  case PARIGOT_PB_STRING: {
    const parigot_pb_bytes *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = n ? memcmp(x->data, y->data, n) : 0;
    return c ? c : (x->len > y->len) - (x->len < y->len);
  }
  case PARIGOT_PB_BOOL:
    return (int)*(const bool *)a - (int)*(const bool *)b;
  case PARIGOT_PB_INT32:
  case PARIGOT_PB_SINT32:
  case PARIGOT_PB_SFIXED32: {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
  }
  case PARIGOT_PB_UINT32:
  case PARIGOT_PB_FIXED32: {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
  }
  case PARIGOT_PB_UINT64:
  case PARIGOT_PB_FIXED64: {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
  }
  default: { /* INT64, SINT64, SFIXED64 */
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
  }
  }
}

/* Sorts map entries by key, stable, with a bottom-up merge sort through
 * @p tmp, so equal keys keep their wire order. */
static void sort_entries(const parigot_pb_field *k, uint8_t *arr, uint8_t *tmp,
                         size_t n, size_t esz) {
  uint8_t *src = arr, *dst = tmp;
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n;
      size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
      size_t i = lo, j = mid, o = lo;
      while (i < mid && j < hi) {
        if (key_compare(k, src + j * esz + k->offset,
                        src + i * esz + k->offset) < 0)
          memcpy(dst + o++ * esz, src + j++ * esz, esz);
        else
          memcpy(dst + o++ * esz, src + i++ * esz, esz);
      }
      memcpy(dst + o * esz, src + i * esz, (mid - i) * esz);
      o += mid - i;
      memcpy(dst + o * esz, src + j * esz, (hi - j) * esz);
    }
    uint8_t *t = src;
    src = dst;
    dst = t;
  }
  if (src != arr)
    memcpy(arr, src, n * esz);
}

/* Leaves a map sorted by key with one entry per key, the last one read. */
static int normalize_map(pb_dec *d, const parigot_pb_field *f, void *msg) {
  size_t *n = count_of(f, msg), esz = parigot_pb_field_size(f);
  uint8_t *arr = *array_of(f, msg);
  const parigot_pb_field *key = &f->message->fields[0];
  bool sorted = true;
  for (size_t i = 1; i < *n && sorted; i++)
    sorted = key_compare(key, arr + (i - 1) * esz + key->offset,
                         arr + i * esz + key->offset) < 0;
  if (sorted)
    return 0;
  void *tmp;
  int rc = dec_alloc(d, *n * esz, &tmp);
  if (rc != 0)
    return rc;
  sort_entries(key, arr, tmp, *n, esz);
  pb_release(d->a, tmp);
  size_t out = 0;
  for (size_t i = 0; i < *n; i++) {
    bool superseded =
        i + 1 < *n && key_compare(key, arr + i * esz + key->offset,
                                  arr + (i + 1) * esz + key->offset) == 0;
    if (superseded) {
      free_message(f->message, arr + i * esz, d->a);
      continue;
    }
    if (out != i)
      memcpy(arr + out * esz, arr + i * esz, esz);
    out++;
  }
  memset(arr + out * esz, 0, (*n - out) * esz);
  *n = out;
  return 0;
}

/* A map entry whose message value was absent holds an empty message, so
 * readers never see a NULL value. */
static int read_entry(pb_dec *d, const parigot_pb_field *f, void *msg,
                      const uint8_t *p, size_t len) {
  int rc = grow(d, f, msg, 1);
  if (rc != 0)
    return rc;
  size_t *n = count_of(f, msg);
  uint8_t *entry = (uint8_t *)*array_of(f, msg) + *n * parigot_pb_field_size(f);
  (*n)++;
  rc = decode_sub(d, f->message, entry, p, len);
  const parigot_pb_field *value = &f->message->fields[1];
  void **sub = (void **)(entry + value->offset);
  if (rc == 0 && value->type == PARIGOT_PB_MESSAGE && *sub == NULL) {
    rc = dec_alloc(d, value->message->size, sub);
    if (rc == 0)
      parigot_pb_init(value->message, *sub);
  }
  return rc;
}

static int skip_value(pb_dec *d, int wt, uint32_t number, const uint8_t **pp,
                      const uint8_t *end);

static int skip_group(pb_dec *d, uint32_t number, const uint8_t **pp,
                      const uint8_t *end) {
  if (d->depth_left == 0)
    return PARIGOT_EDEPTH;
  d->depth_left--;
  int rc = 0;
  for (;;) {
    uint64_t tag;
    if ((rc = read_varint(pp, end, &tag)) != 0)
      break;
    if (tag > UINT32_MAX || (tag >> 3) == 0) {
      rc = PARIGOT_EFIELD;
      break;
    }
    if ((tag & 7) == WT_EGROUP) {
      if ((tag >> 3) != number)
        rc = PARIGOT_EWIRETYPE;
      break;
    }
    if ((rc = skip_value(d, (int)(tag & 7), (uint32_t)(tag >> 3), pp, end)))
      break;
  }
  d->depth_left++;
  return rc;
}

static int skip_value(pb_dec *d, int wt, uint32_t number, const uint8_t **pp,
                      const uint8_t *end) {
  uint64_t v;
  size_t len;
  int rc;
  switch (wt) {
  case WT_VARINT:
    return read_varint(pp, end, &v);
  case WT_I64:
  case WT_I32:
    len = wt == WT_I64 ? 8 : 4;
    if ((size_t)(end - *pp) < len)
      return PARIGOT_ETRUNCATED;
    *pp += len;
    return 0;
  case WT_LEN:
    if ((rc = read_len(pp, end, &len)) != 0)
      return rc;
    *pp += len;
    return 0;
  case WT_SGROUP:
    return skip_group(d, number, pp, end);
  default: /* an end-group with no start, or wire types 6 and 7 */
    return PARIGOT_EWIRETYPE;
  }
}

static int keep_unknown(pb_dec *d, const parigot_pb_message_desc *desc,
                        uint8_t *m, const uint8_t *from, size_t n) {
  parigot_pb_bytes *u = (parigot_pb_bytes *)(m + desc->unknown_offset);
  if (u->data == NULL || u->len + n > pb_capacity(u->len)) {
    if (n > SIZE_MAX / 2 - u->len)
      return PARIGOT_ETOOBIG;
    void *bigger;
    int rc = dec_alloc(d, pb_capacity(u->len + n), &bigger);
    if (rc != 0)
      return rc;
    if (u->len > 0)
      memcpy(bigger, u->data, u->len);
    pb_release(d->a, u->data);
    u->data = bigger;
  }
  memcpy(u->data + u->len, from, n);
  u->len += n;
  return 0;
}

static int decode_field(pb_dec *d, const parigot_pb_message_desc *desc,
                        const parigot_pb_field *f, int wt, uint8_t *m,
                        const uint8_t **pp, const uint8_t *end) {
  size_t len = 0;
  int rc;
  bool repeated = parigot_pb_field_is_repeated(f);
  if (wt == WT_LEN && (wire_type(f->type) == WT_LEN || repeated)) {
    if ((rc = read_len(pp, end, &len)) != 0)
      return rc;
    const uint8_t *p = *pp;
    *pp += len;
    if (f->label == PARIGOT_PB_MAP)
      return read_entry(d, f, m, p, len);
    if (repeated && wire_type(f->type) != WT_LEN)
      return read_packed(d, f, m, p, len);
    if (repeated) {
      if ((rc = grow(d, f, m, 1)) != 0)
        return rc;
      size_t *n = count_of(f, m);
      uint8_t *slot =
          (uint8_t *)*array_of(f, m) + *n * parigot_pb_field_size(f);
      (*n)++;
      if (f->type == PARIGOT_PB_MESSAGE)
        return decode_sub(d, f->message, slot, p, len);
      return read_bytes(d, f->type, p, len, (parigot_pb_bytes *)slot);
    }
    if (f->label == PARIGOT_PB_ONEOF)
      oneof_select(d, desc, f, m);
    else if (f->label == PARIGOT_PB_OPTIONAL && f->type != PARIGOT_PB_MESSAGE)
      *(bool *)(m + f->aux) = true;
    return read_len_value(d, f, p, len, m + f->offset);
  }
  if (wt != wire_type(f->type) || f->label == PARIGOT_PB_MAP)
    return PARIGOT_EWIRETYPE;
  if (repeated) {
    if ((rc = grow(d, f, m, 1)) != 0)
      return rc;
    size_t *n = count_of(f, m);
    rc =
        read_scalar(f->type, pp, end,
                    (uint8_t *)*array_of(f, m) + *n * parigot_pb_field_size(f));
    if (rc == 0)
      (*n)++;
    return rc;
  }
  if (f->label == PARIGOT_PB_ONEOF)
    oneof_select(d, desc, f, m);
  else if (f->label == PARIGOT_PB_OPTIONAL)
    *(bool *)(m + f->aux) = true;
  return read_scalar(f->type, pp, end, m + f->offset);
}

static int decode_message(pb_dec *d, const parigot_pb_message_desc *desc,
                          void *msg, const uint8_t *p, const uint8_t *end) {
  uint8_t *m = msg;
  int rc = 0;
  bool maps_touched = false;
  while (p < end && rc == 0) {
    /* p stays a register: the helpers that move it get a copy (q). In
     * wasm an address-taken local lives in linear memory, and every step
     * of the loop would load and store it. */
    const uint8_t *start = p, *q = p;
    uint64_t tag = *p;
    if (tag < 0x80) { /* field numbers up to 15: a one-byte tag */
      q = ++p;
    } else if ((rc = read_varint(&q, end, &tag)) != 0) {
      break;
    } else {
      p = q;
    }
    uint32_t number = (uint32_t)(tag >> 3);
    int wt = (int)(tag & 7);
    if (tag > UINT32_MAX || number == 0 || number > MAX_FIELD_NUMBER) {
      rc = PARIGOT_EFIELD;
      break;
    }
    const parigot_pb_field *f = find_field(desc, number);
    if (f == NULL) {
      rc = skip_value(d, wt, number, &q, end);
      p = q;
      if (rc == 0 && d->keep_unknown)
        rc = keep_unknown(d, desc, m, start, (size_t)(p - start));
      continue;
    }
    maps_touched |= f->label == PARIGOT_PB_MAP;
    rc = decode_field(d, desc, f, wt, m, &q, end);
    p = q;
  }
  for (uint32_t i = 0; maps_touched && rc == 0 && i < desc->n_fields; i++)
    if (desc->fields[i].label == PARIGOT_PB_MAP)
      rc = normalize_map(d, &desc->fields[i], msg);
  return rc;
}

int parigot_pb_decode(const parigot_pb_message_desc *desc, void *msg,
                      const uint8_t *buf, size_t len,
                      const parigot_pb_decode_options *opts) {
  parigot_pb_decode_options o = {0};
  if (opts != NULL)
    o = *opts;
  size_t max_size = o.max_size ? o.max_size : PARIGOT_PB_DEFAULT_MAX_SIZE;
  if (len > max_size)
    return PARIGOT_ETOOBIG;
  if (len > 0 && buf == NULL)
    return PARIGOT_EINVAL;
  if (o.alias_bytes && (o.allocator == NULL || o.allocator->free != NULL))
    return PARIGOT_EINVAL; /* a free could reach the caller's input */
  pb_dec d = {
      .a = o.allocator ? o.allocator : &parigot_pb_malloc_allocator,
      .budget = o.max_alloc ? o.max_alloc
                            : (max_size > (SIZE_MAX - (1u << 20)) / 16
                                   ? SIZE_MAX
                                   : 16 * max_size + (1u << 20)),
      .depth_left = o.max_depth ? o.max_depth : PARIGOT_PB_DEFAULT_MAX_DEPTH,
      .keep_unknown = o.keep_unknown,
      .alias_bytes = o.alias_bytes,
  };
  return decode_message(&d, desc, msg, buf, buf + len);
}
