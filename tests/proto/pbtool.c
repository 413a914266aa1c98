/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/proto/pbtool.c: pg-proto-tool, our side of the codec interop tests.
 *
 *   pg-proto-tool gen TYPE SEED COUNT OUT   random messages, our encoding
 *   pg-proto-tool dump TYPE IN [CANON]      our decoding, as a value dump;
 *                                           CANON gets encode(decode(IN))
 *   pg-proto-tool corpus TYPE IN DIR        each element of field 1 of IN
 *                                           as its own file (fuzz seeds)
 *
 * It works on any message of the rich test schema by walking the generated
 * descriptors, as tests/proto/bufbuild.mjs does with @bufbuild/protobuf's
 * reflection: the two print the same dump format (specified in
 * bufbuild.mjs), so equal dumps mean the two decoders saw equal values.
 * `dump` also proves our encoding canonical: encode(decode(x)) decodes to
 * the same dump and encodes to the same bytes again. A path of "-" is
 * stdin or stdout; the same source builds to wasm32 and runs under parigot.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parigot/pb.h"
#include "parigot/test/v1/rich.pg.h"

static const parigot_pb_message_desc *find_in(const parigot_pb_file_desc *f,
                                              const char *name) {
  for (uint32_t i = 0; i < f->n_messages; i++)
    if (strcmp(f->messages[i]->full_name, name) == 0)
      return f->messages[i];
  for (uint32_t i = 0; i < f->n_dependencies; i++) {
    const parigot_pb_message_desc *d = find_in(f->dependencies[i], name);
    if (d != NULL)
      return d;
  }
  return NULL;
}

static void die(const char *fmt, const char *a, const char *b) {
  fprintf(stderr, "pg-proto-tool: ");
  fprintf(stderr, fmt, a, b);
  fputc('\n', stderr);
  exit(1);
}

/* ---- the value dump ---------------------------------------------------- */

static void dump_message(FILE *o, const parigot_pb_message_desc *d,
                         const void *msg, int indent);

static void indent_to(FILE *o, int indent) {
  for (int i = 0; i < indent; i++)
    fputs("  ", o);
}

static void dump_value(FILE *o, const parigot_pb_field *f, const void *slot,
                       bool in_array, int indent) {
  switch (f->type) {
  case PARIGOT_PB_INT32:
  case PARIGOT_PB_SINT32:
  case PARIGOT_PB_SFIXED32:
  case PARIGOT_PB_ENUM:
    fprintf(o, "%" PRId32 "\n", *(const int32_t *)slot);
    break;
  case PARIGOT_PB_UINT32:
  case PARIGOT_PB_FIXED32:
    fprintf(o, "%" PRIu32 "\n", *(const uint32_t *)slot);
    break;
  case PARIGOT_PB_INT64:
  case PARIGOT_PB_SINT64:
  case PARIGOT_PB_SFIXED64:
    fprintf(o, "%" PRId64 "\n", *(const int64_t *)slot);
    break;
  case PARIGOT_PB_UINT64:
  case PARIGOT_PB_FIXED64:
    fprintf(o, "%" PRIu64 "\n", *(const uint64_t *)slot);
    break;
  case PARIGOT_PB_BOOL:
    fputs(*(const bool *)slot ? "true\n" : "false\n", o);
    break;
  case PARIGOT_PB_FLOAT: {
    uint32_t bits;
    memcpy(&bits, slot, 4);
    if (isnan(*(const float *)slot))
      fputs("nan\n", o);
    else
      fprintf(o, "f32:%08" PRIx32 "\n", bits);
    break;
  }
  case PARIGOT_PB_DOUBLE: {
    uint64_t bits;
    memcpy(&bits, slot, 8);
    if (isnan(*(const double *)slot))
      fputs("nan\n", o);
    else
      fprintf(o, "f64:%016" PRIx64 "\n", bits);
    break;
  }
  case PARIGOT_PB_STRING:
  case PARIGOT_PB_BYTES: {
    const parigot_pb_bytes *b = slot;
    static const char hex[] = "0123456789abcdef";
    fputs("x:", o);
    for (size_t i = 0; i < b->len; i++) {
      putc(hex[b->data[i] >> 4], o);
      putc(hex[b->data[i] & 15], o);
    }
    putc('\n', o);
    break;
  }
  default: { /* MESSAGE */
    const void *sub = in_array ? slot : *(void *const *)slot;
    fputs("{\n", o);
    if (sub != NULL)
      dump_message(o, f->message, sub, indent + 1);
    indent_to(o, indent);
    fputs("}\n", o);
  }
  }
}

static bool present(const parigot_pb_field *f, const uint8_t *m) {
  const void *slot = m + f->offset;
  if (f->label == PARIGOT_PB_ONEOF)
    return *(const uint32_t *)(m + f->aux) == f->number;
  if (f->type == PARIGOT_PB_MESSAGE)
    return *(void *const *)slot != NULL;
  if (f->label == PARIGOT_PB_OPTIONAL)
    return *(const bool *)(m + f->aux);
  switch (f->type) {
  case PARIGOT_PB_STRING:
  case PARIGOT_PB_BYTES:
    return ((const parigot_pb_bytes *)slot)->len > 0;
  case PARIGOT_PB_BOOL:
    return *(const bool *)slot;
  case PARIGOT_PB_DOUBLE:
  case PARIGOT_PB_INT64:
  case PARIGOT_PB_UINT64:
  case PARIGOT_PB_FIXED64:
  case PARIGOT_PB_SFIXED64:
  case PARIGOT_PB_SINT64:
    return *(const uint64_t *)slot != 0;
  default:
    return *(const uint32_t *)slot != 0;
  }
}

static size_t esize(const parigot_pb_field *f) {
  switch (f->type) {
  case PARIGOT_PB_MESSAGE:
    return f->message->size;
  case PARIGOT_PB_STRING:
  case PARIGOT_PB_BYTES:
    return sizeof(parigot_pb_bytes);
  case PARIGOT_PB_BOOL:
    return sizeof(bool);
  case PARIGOT_PB_DOUBLE:
  case PARIGOT_PB_INT64:
  case PARIGOT_PB_UINT64:
  case PARIGOT_PB_FIXED64:
  case PARIGOT_PB_SFIXED64:
  case PARIGOT_PB_SINT64:
    return 8;
  default:
    return 4;
  }
}

static int by_text(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Map entries print as blocks sorted by their text, so the order of the
 * wire or of a hash table never shows. */
static void dump_map(FILE *o, const parigot_pb_field *f, const uint8_t *arr,
                     size_t n, int indent) {
  char **blocks = calloc(n ? n : 1, sizeof *blocks);
  const parigot_pb_message_desc *e = f->message;
  for (size_t i = 0; i < n; i++) {
    size_t len;
    FILE *b = open_memstream(&blocks[i], &len);
    const uint8_t *entry = arr + i * e->size;
    indent_to(b, indent);
    fprintf(b, "%" PRIu32 " {\n", f->number);
    for (int k = 0; k < 2; k++) {
      indent_to(b, indent + 1);
      fprintf(b, "%d ", k + 1);
      dump_value(b, &e->fields[k], entry + e->fields[k].offset, false,
                 indent + 1);
    }
    indent_to(b, indent);
    fputs("}\n", b);
    fclose(b);
  }
  qsort(blocks, n, sizeof *blocks, by_text);
  for (size_t i = 0; i < n; i++) {
    fputs(blocks[i], o);
    free(blocks[i]);
  }
  free(blocks);
}

static void dump_message(FILE *o, const parigot_pb_message_desc *d,
                         const void *msg, int indent) {
  const uint8_t *m = msg;
  for (uint32_t i = 0; i < d->n_fields; i++) {
    const parigot_pb_field *f = &d->fields[i];
    if (f->label == PARIGOT_PB_MAP || f->label == PARIGOT_PB_REPEATED ||
        f->label == PARIGOT_PB_UNPACKED) {
      size_t n = *(const size_t *)(m + f->aux);
      const uint8_t *arr = *(void *const *)(m + f->offset);
      if (f->label == PARIGOT_PB_MAP) {
        dump_map(o, f, arr, n, indent);
        continue;
      }
      for (size_t k = 0; k < n; k++) {
        indent_to(o, indent);
        fprintf(o, "%" PRIu32 " ", f->number);
        dump_value(o, f, arr + k * esize(f), true, indent);
      }
    } else if (present(f, m)) {
      indent_to(o, indent);
      fprintf(o, "%" PRIu32 " ", f->number);
      dump_value(o, f, m + f->offset, false, indent);
    }
  }
}

static char *dump_text(const parigot_pb_message_desc *d, const void *msg) {
  char *text;
  size_t len;
  FILE *o = open_memstream(&text, &len);
  dump_message(o, d, msg, 0);
  fclose(o);
  return text;
}

/* ---- random messages --------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static bool chance(unsigned one_in) {
  return rnd() % one_in == 0;
}

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (p == NULL)
    die("out of memory%s%s", "", "");
  return p;
}

static uint64_t rnd_int_bits(void) {
  static const uint64_t edges[] = {0,
                                   1,
                                   UINT64_MAX,
                                   0x7fffffff,
                                   0x80000000,
                                   0xffffffff,
                                   0x7fffffffffffffffull,
                                   0x8000000000000000ull,
                                   0xffffffff80000000ull,
                                   127,
                                   128,
                                   300};
  if (chance(3))
    return edges[rnd() % (sizeof edges / sizeof edges[0])];
  uint64_t bits = rnd(); /* two statements: call order must not vary */
  return bits >> (rnd() % 64);
}

static double rnd_double(void) {
  static const double edges[] = {0.0,
                                 -0.0,
                                 1.5,
                                 INFINITY,
                                 -INFINITY,
                                 NAN,
                                 4.9406564584124654e-324,
                                 -2.2250738585072e-308,
                                 1e308,
                                 0.1};
  if (chance(3))
    return edges[rnd() % (sizeof edges / sizeof edges[0])];
  uint64_t bits = rnd();
  double d;
  memcpy(&d, &bits, 8);
  return isnan(d) || isinf(d) ? 2.5 : d;
}

static float rnd_float(void) {
  static const float edges[] = {0.0f, -0.0f,    1.5f,    INFINITY, -INFINITY,
                                NAN,  1.4e-45f, 3.4e38f, 0.1f};
  if (chance(3))
    return edges[rnd() % (sizeof edges / sizeof edges[0])];
  uint32_t bits = (uint32_t)rnd();
  float f;
  memcpy(&f, &bits, 4);
  return isnan(f) || isinf(f) ? 2.5f : f;
}

static size_t put_utf8(uint8_t *p, uint32_t cp) {
  if (cp < 0x80) {
    p[0] = (uint8_t)cp;
    return 1;
  }
  if (cp < 0x800) {
    p[0] = (uint8_t)(0xc0 | cp >> 6);
    p[1] = (uint8_t)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    p[0] = (uint8_t)(0xe0 | cp >> 12);
    p[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
    p[2] = (uint8_t)(0x80 | (cp & 0x3f));
    return 3;
  }
  p[0] = (uint8_t)(0xf0 | cp >> 18);
  p[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
  p[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
  p[3] = (uint8_t)(0x80 | (cp & 0x3f));
  return 4;
}

static uint32_t rnd_code_point(void) {
  static const uint32_t picks[] = {
      0, 'a', 'Z', ' ', 0x7f, 0xe9, 0x3a9, 0x20ac, 0xfffd, 0x1f600, 0x10ffff};
  if (chance(2))
    return picks[rnd() % (sizeof picks / sizeof picks[0])];
  uint32_t cp = (uint32_t)(rnd() % 0x110000);
  return cp >= 0xd800 && cp <= 0xdfff ? 'x' : cp;
}

static void rnd_bytes(parigot_pb_bytes *b, bool text) {
  size_t want = chance(3000) ? (1u << 20) : chance(4) ? 0 : rnd() % 24;
  b->data = xcalloc(want + 4, 1);
  size_t n = 0;
  while (n < want) {
    if (text) {
      uint8_t tmp[4];
      /* A 1 MiB string is ASCII, so it is exactly 1 MiB. */
      size_t k = put_utf8(tmp, want >= 1024 ? 'a' + n % 26 : rnd_code_point());
      if (n + k > want)
        break;
      memcpy(b->data + n, tmp, k);
      n += k;
    } else {
      b->data[n++] = (uint8_t)rnd();
    }
  }
  b->len = n;
}

static void rnd_message(const parigot_pb_message_desc *d, void *msg, int depth);

/* Fills one value; returns false when depth forbids a message here. */
static bool rnd_value(const parigot_pb_field *f, void *slot, bool in_array,
                      int depth) {
  uint64_t v = rnd_int_bits();
  switch (f->type) {
  case PARIGOT_PB_DOUBLE:
    *(double *)slot = rnd_double();
    break;
  case PARIGOT_PB_FLOAT:
    *(float *)slot = rnd_float();
    break;
  case PARIGOT_PB_BOOL:
    *(bool *)slot = rnd() & 1;
    break;
  case PARIGOT_PB_ENUM: {
    const parigot_pb_enum_desc *e = f->enumeration;
    static const int32_t unknown[] = {7, 12345, -99};
    *(int32_t *)slot =
        chance(5) ? unknown[rnd() % 3] : e->values[rnd() % e->n_values].number;
    break;
  }
  case PARIGOT_PB_STRING:
    rnd_bytes(slot, true);
    break;
  case PARIGOT_PB_BYTES:
    rnd_bytes(slot, false);
    break;
  case PARIGOT_PB_MESSAGE: {
    if (depth >= 4)
      return false;
    void *sub = in_array ? slot : xcalloc(1, f->message->size);
    rnd_message(f->message, sub, depth + 1);
    if (!in_array)
      *(void **)slot = sub;
    break;
  }
  default:
    if (esize(f) == 8)
      *(uint64_t *)slot = v;
    else
      *(uint32_t *)slot = (uint32_t)v;
  }
  return true;
}

static void rnd_repeated(const parigot_pb_field *f, uint8_t *m, int depth) {
  size_t n = rnd() % (f->label == PARIGOT_PB_MAP ? 5 : 6);
  const parigot_pb_message_desc *e = f->message;
  if (f->type == PARIGOT_PB_MESSAGE && depth >= 4)
    return;
  if (f->label == PARIGOT_PB_MAP && e->fields[1].type == PARIGOT_PB_MESSAGE &&
      depth + 1 >= 4)
    return;
  uint8_t *arr = xcalloc(n, esize(f));
  for (size_t i = 0; i < n; i++) {
    uint8_t *slot = arr + i * esize(f);
    if (f->label != PARIGOT_PB_MAP) {
      rnd_value(f, slot, true, depth);
      continue;
    }
    rnd_value(&e->fields[0], slot + e->fields[0].offset, false, depth + 1);
    rnd_value(&e->fields[1], slot + e->fields[1].offset, false, depth + 1);
  }
  *(size_t *)(m + f->aux) = n;
  *(void **)(m + f->offset) = arr;
}

static void rnd_message(const parigot_pb_message_desc *d, void *msg,
                        int depth) {
  uint8_t *m = msg;
  for (uint32_t i = 0; i < d->n_fields; i++) {
    const parigot_pb_field *f = &d->fields[i];
    if (f->label == PARIGOT_PB_MAP || f->label == PARIGOT_PB_REPEATED ||
        f->label == PARIGOT_PB_UNPACKED) {
      rnd_repeated(f, m, depth);
      continue;
    }
    if (f->label == PARIGOT_PB_ONEOF) {
      /* The first member of each oneof picks one member, or none. */
      uint32_t *which = (uint32_t *)(m + f->aux);
      if (i > 0 && d->fields[i - 1].label == PARIGOT_PB_ONEOF &&
          d->fields[i - 1].oneof == f->oneof)
        continue;
      uint32_t members = 0;
      while (i + members < d->n_fields &&
             d->fields[i + members].label == PARIGOT_PB_ONEOF &&
             d->fields[i + members].oneof == f->oneof)
        members++;
      uint32_t pick = (uint32_t)(rnd() % (members + 1));
      if (pick == members)
        continue;
      const parigot_pb_field *g = &d->fields[i + pick];
      if (rnd_value(g, m + g->offset, false, depth))
        *which = g->number;
      continue;
    }
    if (!chance(2))
      continue;
    if (rnd_value(f, m + f->offset, false, depth) &&
        f->label == PARIGOT_PB_OPTIONAL && f->type != PARIGOT_PB_MESSAGE)
      *(bool *)(m + f->aux) = true;
  }
}

/* ---- commands ---------------------------------------------------------- */

/* "-" is stdin or stdout: the wasm build runs without a filesystem. */
static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (f == NULL)
    die("cannot open %s: %s", path, strerror(errno));
  size_t cap = 1 << 20, n = 0;
  uint8_t *buf = malloc(cap);
  while (buf != NULL) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap)
      break;
    cap *= 2;
    buf = realloc(buf, cap);
  }
  if (buf == NULL || ferror(f))
    die("cannot read %s%s", path, "");
  if (f != stdin)
    fclose(f);
  *len = n;
  return buf;
}

static void write_file(const char *path, const uint8_t *data, size_t len) {
  FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
  if (f == NULL || fwrite(data, 1, len, f) != len ||
      (f == stdout ? fflush(f) : fclose(f)) != 0)
    die("cannot write %s: %s", path, strerror(errno));
}

static uint8_t *encode_all(const parigot_pb_message_desc *d, const void *msg,
                           size_t *len) {
  size_t size = parigot_pb_encoded_size(d, msg);
  uint8_t *buf = malloc(size ? size : 1);
  int64_t n = parigot_pb_encode(d, msg, buf, size);
  if (n < 0 || (size_t)n != size)
    die("encode of %s wrote other than its encoded_size%s", d->full_name, "");
  *len = size;
  return buf;
}

static const parigot_pb_decode_options big = {.max_size = 1u << 30};

static int cmd_gen(const parigot_pb_message_desc *d, char **argv) {
  const parigot_pb_field *items = parigot_pb_field_find(d, 1);
  if (items == NULL || items->label != PARIGOT_PB_REPEATED ||
      items->type != PARIGOT_PB_MESSAGE)
    die("%s: field 1 is not a repeated message%s", d->full_name, "");
  rng_state = strtoull(argv[0], NULL, 10);
  size_t count = strtoull(argv[1], NULL, 10);
  uint8_t *m = xcalloc(1, d->size);
  uint8_t *arr = xcalloc(count, items->message->size);
  for (size_t i = 0; i < count; i++)
    rnd_message(items->message, arr + i * items->message->size, 1);
  *(size_t *)(m + items->aux) = count;
  *(void **)(m + items->offset) = arr;
  size_t len;
  uint8_t *bytes = encode_all(d, m, &len);
  write_file(argv[2], bytes, len);
  free(bytes);
  parigot_pb_free(d, m, NULL);
  free(m);
  return 0;
}

static int cmd_dump(const parigot_pb_message_desc *d, const char *path,
                    const char *canonical_out) {
  size_t len, len2, len3;
  uint8_t *in = read_file(path, &len);
  void *m = xcalloc(1, d->size), *m2 = xcalloc(1, d->size);
  int rc = parigot_pb_decode(d, m, in, len, &big);
  if (rc != 0) {
    fprintf(stderr, "pg-proto-tool: cannot decode %s: %s\n", d->full_name,
            parigot_err_name(rc));
    return 1;
  }
  char *text = dump_text(d, m);
  uint8_t *once = encode_all(d, m, &len2);
  if ((rc = parigot_pb_decode(d, m2, once, len2, &big)) != 0)
    die("our own encoding of %s does not decode: %s", d->full_name,
        parigot_err_name(rc));
  char *text2 = dump_text(d, m2);
  uint8_t *twice = encode_all(d, m2, &len3);
  if (strcmp(text, text2) != 0)
    die("%s: encode(decode(x)) decodes to other values%s", d->full_name, "");
  if (len2 != len3 || memcmp(once, twice, len2) != 0)
    die("%s: encode(decode(x)) is not canonical%s", d->full_name, "");
  if (canonical_out != NULL)
    write_file(canonical_out, once, len2);
  fputs(text, stdout);
  parigot_pb_free(d, m, NULL);
  parigot_pb_free(d, m2, NULL);
  free(m);
  free(m2);
  free(text);
  free(text2);
  free(once);
  free(twice);
  free(in);
  return 0;
}

static int cmd_corpus(const parigot_pb_message_desc *d, const char *path,
                      const char *dir) {
  size_t len;
  uint8_t *in = read_file(path, &len);
  void *m = xcalloc(1, d->size);
  const parigot_pb_field *items = parigot_pb_field_find(d, 1);
  if (parigot_pb_decode(d, m, in, len, &big) != 0)
    die("cannot decode %s%s", path, "");
  size_t n = *(size_t *)((uint8_t *)m + items->aux);
  uint8_t *arr = *(void **)((uint8_t *)m + items->offset);
  for (size_t i = 0; i < n; i++) {
    size_t elen;
    uint8_t *bytes =
        encode_all(items->message, arr + i * items->message->size, &elen);
    char name[4096];
    snprintf(name, sizeof name, "%s/seed-%05zu", dir, i);
    if (elen <= 65536) /* keep the fuzz corpus fast to replay */
      write_file(name, bytes, elen);
    free(bytes);
  }
  parigot_pb_free(d, m, NULL);
  free(m);
  free(in);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 4)
    die("usage: pg-proto-tool gen TYPE SEED COUNT OUT | dump TYPE IN [CANON] | "
        "corpus TYPE IN DIR%s%s",
        "", "");
  const parigot_pb_message_desc *d =
      find_in(&parigot_test_v1_rich_proto_file, argv[2]);
  if (d == NULL)
    die("no message type %s in the test schema%s", argv[2], "");
  if (strcmp(argv[1], "gen") == 0 && argc == 6)
    return cmd_gen(d, argv + 3);
  if (strcmp(argv[1], "dump") == 0 && (argc == 4 || argc == 5))
    return cmd_dump(d, argv[3], argc == 5 ? argv[4] : NULL);
  if (strcmp(argv[1], "corpus") == 0 && argc == 5)
    return cmd_corpus(d, argv[3], argv[4]);
  die("unknown command or wrong arguments: %s%s", argv[1], "");
  return 2;
}
