/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/abi/test_abi.c: holds every copy of the guest/host ABI's numbers
 * to include/parigot/abi.h, the one place they are defined.
 *
 * C code includes the header; the Rust and AssemblyScript SDKs cannot, so
 * this test reads their sources and compares: the event kinds, the event
 * header's offsets and size, the call context record's offsets, flags and
 * limits, the status codes, the version export and the imports of module
 * "parigot" with their wasm signatures. docs/abi.md is compared the same
 * way, and every "parigot_abi_vN" written outside tests/ must name the
 * header's version (a page of docs may name any version the kernel runs).
 * The values come from the header as compiled into this test; the
 * header's text is read only to find event header and context fields this
 * test does not know yet. Reads files under $PG_SOURCE; single-threaded.
 */
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grpc_codes.h"
#include "parigot/abi.h"
#include "test.h"

/* ---- reading sources ---------------------------------------------------- */

/* The file at $PG_SOURCE/@p rel, NUL-terminated; the caller frees it. */
static char *read_source(const char *rel) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", getenv("PG_SOURCE"), rel);
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    PG_FAIL("cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  ASSERT_TRUE(s != NULL);
  ASSERT_EQ(fread(s, 1, (size_t)n, f), n);
  fclose(f);
  s[n] = '\0';
  return s;
}

/* The 1-based line of @p at in @p text. */
static int line_of(const char *text, const char *at) {
  int line = 1;
  for (const char *p = text; p < at; p++)
    line += *p == '\n';
  return line;
}

/* A named integer constant as a source file writes it. */
typedef struct konst {
  char name[64];
  long long value;
  int line;
} konst;

typedef struct konsts {
  konst k[256];
  size_t n;
} konsts;

/* Every line of text[0..end) shaped like @p fmt, which scans a name, a
 * type when @p has_type, and a value: "const NAME: T = V;" and the like. */
static void scan_consts(const char *text, const char *end, const char *fmt,
                        bool has_type, konsts *out) {
  for (const char *p = text; p != NULL && p < end;) {
    const char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    char line[512];
    if (len < sizeof line) {
      memcpy(line, p, len);
      line[len] = '\0';
      konst k = {.line = line_of(text, p)};
      char type[32];
      int got = has_type ? sscanf(line, fmt, k.name, type, &k.value)
                         : sscanf(line, fmt, k.name, &k.value);
      if (got == (has_type ? 3 : 2) && out->n < 256)
        out->k[out->n++] = k;
    }
    p = eol ? eol + 1 : NULL;
  }
}

/* The constant @p name of @p ks, or NULL. */
static const konst *find_const(const konsts *ks, const char *name) {
  for (size_t i = 0; i < ks->n; i++)
    if (strcmp(ks->k[i].name, name) == 0)
      return &ks->k[i];
  return NULL;
}

/* Fails unless @p file's constant @p name exists and equals @p want, the
 * value of the header's @p prefix and @p name (or of @p prefix alone when
 * it is a whole name). */
static void expect_const(const char *file, const konsts *ks, const char *name,
                         long long want, const char *prefix) {
  char header_name[128];
  bool is_prefix = prefix[strlen(prefix) - 1] == '_';
  snprintf(header_name, sizeof header_name, "%s%s", prefix,
           is_prefix ? name : "");
  const konst *k = find_const(ks, name);
  if (k == NULL)
    PG_FAIL("%s has no %s (include/parigot/abi.h's %s is %lld)", file, name,
            header_name, want);
  if (k->value != want)
    PG_FAIL("%s:%d: %s is %lld, but include/parigot/abi.h's %s is %lld", file,
            k->line, name, k->value, header_name, want);
}

/* The region of @p text from @p start_marker to the next @p close (its
 * end goes to *end); fails if either is missing. */
static const char *region(const char *file, const char *text,
                          const char *start_marker, const char *close,
                          const char **end) {
  const char *start = strstr(text, start_marker);
  if (start == NULL)
    PG_FAIL("%s has no \"%s\"", file, start_marker);
  *end = strstr(start + strlen(start_marker), close);
  if (*end == NULL)
    PG_FAIL("%s: no end of \"%s\"", file, start_marker);
  return start;
}

/* ---- what the header holds ---------------------------------------------- */

/* The event header's fields: the header's offsets, with the name each
 * SDK's constant has (EV_OFF_<NAME>) and the row docs/abi.md gives. */
static const struct field {
  const char *name; /* after PARIGOT_EV_OFF_ */
  int offset;
  const char *doc_cell; /* the field's cell in docs/abi.md */
  const char *doc_type;
  bool sdk_reads; /* each SDK names it (reserved: none reads it) */
} fields[] = {
    {"KIND", PARIGOT_EV_OFF_KIND, "`kind`", "u32", true},
    {"STATUS", PARIGOT_EV_OFF_STATUS, "`status`", "u32", true},
    {"CALL_ID", PARIGOT_EV_OFF_CALL_ID, "`call_id`", "u64", true},
    {"DEADLINE_NS", PARIGOT_EV_OFF_DEADLINE_NS, "`deadline_ns`", "u64", true},
    {"APP_ERROR", PARIGOT_EV_OFF_APP_ERROR, "`app_error`", "i32", true},
    {"SERVICE", PARIGOT_EV_OFF_SERVICE, "`service`", "u32", true},
    {"METHOD_LEN", PARIGOT_EV_OFF_METHOD_LEN, "`method_len`", "u32", true},
    {"PAYLOAD_LEN", PARIGOT_EV_OFF_PAYLOAD_LEN, "`payload_len`", "u32", true},
    {"CALLER_LEN", PARIGOT_EV_OFF_CALLER_LEN, "`caller_len`", "u32", true},
    {"RESERVED", PARIGOT_EV_OFF_RESERVED, "reserved", "u32", false},
};
enum { NFIELDS = sizeof fields / sizeof fields[0] };

/* The context record's header fields (PARIGOT_CTX_OFF_<NAME>), with the
 * type docs/abi.md's table gives each; the SDKs read the user's part. */
static const struct ctx_field {
  const char *name; /* after PARIGOT_CTX_OFF_ */
  int offset;
  const char *doc_type;
  bool sdk_reads;
} ctx_fields[] = {
    {"FLAGS", PARIGOT_CTX_OFF_FLAGS, "u32", true},
    {"USER_ID_LEN", PARIGOT_CTX_OFF_USER_ID_LEN, "u32", true},
    {"USER_NAME_LEN", PARIGOT_CTX_OFF_USER_NAME_LEN, "u32", true},
    {"ROLES_LEN", PARIGOT_CTX_OFF_ROLES_LEN, "u32", true},
    {"TRACE_ID", PARIGOT_CTX_OFF_TRACE_ID, "16 bytes", false},
    {"SPAN_ID", PARIGOT_CTX_OFF_SPAN_ID, "8 bytes", false},
    {"TRACE_FLAGS", PARIGOT_CTX_OFF_TRACE_FLAGS, "u32", false},
    {"RESERVED", PARIGOT_CTX_OFF_RESERVED, "u32", false},
};
enum { NCTX_FIELDS = sizeof ctx_fields / sizeof ctx_fields[0] };

/* The context's other numbers each SDK copies: name and value. */
static const struct ctx_const {
  const char *name;
  long long value;
} ctx_consts[] = {
    {"CTX_HAS_USER", PARIGOT_CTX_HAS_USER},
    {"CTX_HEADER_SIZE", PARIGOT_CTX_HEADER_SIZE},
    {"CTX_USER_ID_MAX", PARIGOT_CTX_USER_ID_MAX},
    {"CTX_USER_NAME_MAX", PARIGOT_CTX_USER_NAME_MAX},
    {"CTX_ROLES_MAX", PARIGOT_CTX_ROLES_MAX},
};
enum { NCTX_CONSTS = sizeof ctx_consts / sizeof ctx_consts[0] };

static const struct named {
  const char *name;
  long long value;
} kinds[] =
    {
#define KIND(name, value, what) {#name, value},
        PARIGOT_EVENT_KIND_MAP(KIND)
#undef KIND
},
  codes[] = {
#define CODE(name, value, what) {#name, value},
      PARIGOT_CODE_MAP(CODE)
#undef CODE
};
enum {
  NKINDS = sizeof kinds / sizeof kinds[0],
  NCODES = sizeof codes / sizeof codes[0]
};

static const struct import {
  const char *name;
  const char *sig;
} imports[] = {
#define IMPORT(name, sig) {#name, sig},
    PARIGOT_ABI_IMPORT_MAP(IMPORT)
#undef IMPORT
};
enum { NIMPORTS = sizeof imports / sizeof imports[0] };

/* ---- signatures written in other languages ------------------------------ */

/* A wasm value type's letter (abi.h's notation) for a parameter or result
 * type of Rust or AssemblyScript: 64-bit integers are i64, every other
 * integer and every pointer is i32 on wasm32. */
static char wasm_letter(const char *type, size_t len) {
  while (len > 0 && (*type == ' ' || *type == '\n')) {
    type++;
    len--;
  }
  if (len >= 3 && (memcmp(type, "u64", 3) == 0 || memcmp(type, "i64", 3) == 0))
    return 'I';
  return 'i';
}

/* The signature, in abi.h's notation, of the parameter list at @p open
 * (its '('), followed by @p arrow and a result type, or by none. */
static void signature_of(const char *open, const char *arrow, char *sig,
                         size_t cap) {
  const char *close = strchr(open, ')');
  ASSERT_TRUE(close != NULL);
  size_t n = 0;
  for (const char *p = open + 1; p < close;) {
    const char *comma = memchr(p, ',', (size_t)(close - p));
    const char *stop = comma ? comma : close;
    const char *colon = memchr(p, ':', (size_t)(stop - p));
    if (colon != NULL && n + 2 < cap)
      sig[n++] = wasm_letter(colon + 1, (size_t)(stop - colon - 1));
    p = stop + 1;
  }
  sig[n++] = ':';
  const char *r = close + 1;
  size_t alen = strlen(arrow);
  while (*r == ' ')
    r++;
  if (strncmp(r, arrow, alen) == 0) {
    r += alen;
    while (*r == ' ')
      r++;
    if (strncmp(r, "void", 4) != 0)
      sig[n++] = wasm_letter(r, strcspn(r, ";{ \n"));
  }
  sig[n] = '\0';
  ASSERT_TRUE(n < cap);
}

/* Fails unless @p got (name and signature per import, @p ngot of them)
 * are exactly the header's imports. */
static void expect_imports(const char *file, const struct import *got,
                           size_t ngot) {
  for (size_t i = 0; i < NIMPORTS; i++) {
    size_t j = 0;
    while (j < ngot && strcmp(got[j].name, imports[i].name) != 0)
      j++;
    if (j == ngot)
      PG_FAIL("%s does not import parigot's %s (include/parigot/abi.h)", file,
              imports[i].name);
    if (strcmp(got[j].sig, imports[i].sig) != 0)
      PG_FAIL("%s imports %s as \"%s\", but include/parigot/abi.h says \"%s\"",
              file, imports[i].name, got[j].sig, imports[i].sig);
  }
  if (ngot != NIMPORTS)
    PG_FAIL("%s imports %zu functions of parigot; include/parigot/abi.h has "
            "%d",
            file, ngot, (int)NIMPORTS);
}

/* ---- the tests ---------------------------------------------------------- */

/* Every PARIGOT_EV_OFF_ constant the header's text defines is a field of
 * this test's table, so a new field cannot skip the SDKs' check. */
PG_TEST(abi_test_knows_every_event_header_field) {
  char *h = read_source("include/parigot/abi.h");
  size_t seen = 0;
  for (const char *p = h; (p = strstr(p, "PARIGOT_EV_OFF_")) != NULL; p++) {
    char name[64];
    int off;
    if (sscanf(p, "PARIGOT_EV_OFF_%63[A-Z0-9_] = %d", name, &off) != 2)
      continue;
    size_t i = 0;
    while (i < NFIELDS && strcmp(fields[i].name, name) != 0)
      i++;
    if (i == NFIELDS)
      PG_FAIL("include/parigot/abi.h:%d: PARIGOT_EV_OFF_%s is new: add it to "
              "tests/abi/test_abi.c's fields (and to the SDKs, docs/abi.md)",
              line_of(h, p), name);
    ASSERT_EQ(off, fields[i].offset);
    seen++;
  }
  ASSERT_EQ(seen, NFIELDS);
  free(h);
}

/* The same for the context record's PARIGOT_CTX_OFF_ constants. */
PG_TEST(abi_test_knows_every_context_field) {
  char *h = read_source("include/parigot/abi.h");
  size_t seen = 0;
  for (const char *p = h; (p = strstr(p, "PARIGOT_CTX_OFF_")) != NULL; p++) {
    char name[64];
    int off;
    if (sscanf(p, "PARIGOT_CTX_OFF_%63[A-Z0-9_] = %d", name, &off) != 2)
      continue;
    size_t i = 0;
    while (i < NCTX_FIELDS && strcmp(ctx_fields[i].name, name) != 0)
      i++;
    if (i == NCTX_FIELDS)
      PG_FAIL("include/parigot/abi.h:%d: PARIGOT_CTX_OFF_%s is new: add it "
              "to tests/abi/test_abi.c's ctx_fields (and to the SDKs, "
              "docs/abi.md)",
              line_of(h, p), name);
    ASSERT_EQ(off, ctx_fields[i].offset);
    seen++;
  }
  ASSERT_EQ(seen, NCTX_FIELDS);
  free(h);
}

/* Fails unless @p file (sdk/rust/src/ctx.rs, sdk/assemblyscript/parigot/
 * ctx.ts) copies the context's numbers, with @p fmt scanning its
 * constants. */
static void expect_ctx_consts(const char *file, const char *fmt) {
  char *text = read_source(file);
  konsts ks = {0};
  scan_consts(text, text + strlen(text), fmt, true, &ks);
  char name[80];
  for (size_t i = 0; i < NCTX_FIELDS; i++) {
    snprintf(name, sizeof name, "CTX_OFF_%s", ctx_fields[i].name);
    if (ctx_fields[i].sdk_reads || find_const(&ks, name) != NULL)
      expect_const(file, &ks, name, ctx_fields[i].offset, "PARIGOT_");
  }
  for (size_t i = 0; i < NCTX_CONSTS; i++)
    expect_const(file, &ks, ctx_consts[i].name, ctx_consts[i].value,
                 "PARIGOT_");
  free(text);
}

/* The status codes are gRPC's, all of them, in gRPC's order
 * (tests/grpc_codes.h, from gRPC's own list). */
PG_TEST(abi_status_codes_are_grpcs) {
  static const struct named grpc[] = {
#define GRPC(name, n) {#name, n},
      PG_TEST_GRPC_CODES(GRPC)
#undef GRPC
  };
  ASSERT_EQ(NCODES, sizeof grpc / sizeof grpc[0]);
  for (size_t i = 0; i < NCODES; i++) {
    ASSERT_STREQ(codes[i].name, grpc[i].name);
    ASSERT_EQ(codes[i].value, grpc[i].value);
  }
  ASSERT_EQ(PARIGOT_CODE_MAX, grpc[NCODES - 1].value);
}

/* sdk/rust: rt.rs's EV_ constants and its extern block of module
 * "parigot", ctx.rs's CTX_ constants, error.rs's module code, lib.rs's
 * version export. */
PG_TEST(abi_rust_sdk_equals_the_header) {
  const char *rt_file = "sdk/rust/src/rt.rs";
  char *rt = read_source(rt_file);
  konsts ks = {0};
  scan_consts(rt, rt + strlen(rt), " const %63[A-Za-z0-9_]: %31[^= ] = %lli;",
              true, &ks);
  char name[80];
  for (size_t i = 0; i < NKINDS; i++) {
    snprintf(name, sizeof name, "EV_%s", kinds[i].name);
    expect_const(rt_file, &ks, name, kinds[i].value, "PARIGOT_");
  }
  for (size_t i = 0; i < NFIELDS; i++) {
    snprintf(name, sizeof name, "EV_OFF_%s", fields[i].name);
    if (fields[i].sdk_reads || find_const(&ks, name) != NULL)
      expect_const(rt_file, &ks, name, fields[i].offset, "PARIGOT_");
  }
  expect_const(rt_file, &ks, "EV_HEADER", PARIGOT_EV_HEADER_SIZE,
               "PARIGOT_EV_HEADER_SIZE");

  const char *end;
  const char *block =
      region(rt_file, rt, "#[link(wasm_import_module = \"parigot\")]",
             "\n    }\n", &end);
  struct import got[64];
  static char sigs[64][32];
  size_t ngot = 0;
  for (const char *p = block; (p = strstr(p, "pub fn ")) != NULL && p < end;
       p++) {
    char fn[64];
    ASSERT_EQ(sscanf(p, "pub fn %63[a-z_](", fn), 1);
    ASSERT_TRUE(ngot < 64);
    signature_of(strchr(p, '('), "->", sigs[ngot], sizeof sigs[ngot]);
    got[ngot].name = strdup(fn);
    got[ngot].sig = sigs[ngot];
    ngot++;
  }
  expect_imports(rt_file, got, ngot);
  for (size_t i = 0; i < ngot; i++)
    free((char *)got[i].name);
  free(rt);

  const char *err_file = "sdk/rust/src/error.rs";
  char *err = read_source(err_file);
  const char *code = region(err_file, err, "pub mod code {", "\n}\n", &end);
  konsts cs = {0};
  scan_consts(code, end, " pub const %63[A-Z0-9_]: %31[^= ] = %lli;", true,
              &cs);
  for (size_t i = 0; i < NCODES; i++)
    expect_const(err_file, &cs, codes[i].name, codes[i].value, "PARIGOT_CODE_");
  ASSERT_EQ(cs.n, NCODES);
  free(err);

  char *lib = read_source("sdk/rust/src/lib.rs");
  ASSERT_CONTAINS(lib, "#[export_name = \"" PARIGOT_ABI_EXPORT "\"]");
  ASSERT_CONTAINS(lib, "#[export_name = \"" PARIGOT_ABI_MAIN "\"]");
  ASSERT_CONTAINS(lib, "#[export_name = \"" PARIGOT_ABI_EVENT "\"]");
  free(lib);

  expect_ctx_consts("sdk/rust/src/ctx.rs",
                    " const %63[A-Za-z0-9_]: %31[^= ] = %lli;");
}

/* sdk/assemblyscript: guest.ts's EV_ constants, enum Code and version
 * export, ctx.ts's CTX_ constants, exports.ts's re-export, abi.ts's
 * @external("parigot", ...). */
PG_TEST(abi_assemblyscript_sdk_equals_the_header) {
  const char *guest_file = "sdk/assemblyscript/parigot/guest.ts";
  char *guest = read_source(guest_file);
  konsts ks = {0};
  scan_consts(guest, guest + strlen(guest),
              "const %63[A-Za-z0-9_]: %31[^= ] = %lli;", true, &ks);
  char name[80];
  for (size_t i = 0; i < NKINDS; i++) {
    snprintf(name, sizeof name, "EV_%s", kinds[i].name);
    expect_const(guest_file, &ks, name, kinds[i].value, "PARIGOT_");
  }
  for (size_t i = 0; i < NFIELDS; i++) {
    snprintf(name, sizeof name, "EV_OFF_%s", fields[i].name);
    if (fields[i].sdk_reads || find_const(&ks, name) != NULL)
      expect_const(guest_file, &ks, name, fields[i].offset, "PARIGOT_");
  }
  expect_const(guest_file, &ks, "EV_HEADER", PARIGOT_EV_HEADER_SIZE,
               "PARIGOT_EV_HEADER_SIZE");

  const char *end;
  const char *code =
      region(guest_file, guest, "export enum Code {", "\n}\n", &end);
  konsts cs = {0};
  scan_consts(code, end, " %63[A-Z0-9_] = %lli,", false, &cs);
  for (size_t i = 0; i < NCODES; i++)
    expect_const(guest_file, &cs, codes[i].name, codes[i].value,
                 "PARIGOT_CODE_");
  ASSERT_EQ(cs.n, NCODES);
  ASSERT_CONTAINS(guest, "export function " PARIGOT_ABI_EXPORT "(): void");
  free(guest);

  char *exports = read_source("sdk/assemblyscript/parigot/exports.ts");
  ASSERT_CONTAINS(exports, "export { " PARIGOT_ABI_EXPORT ", " PARIGOT_ABI_MAIN
                           ", " PARIGOT_ABI_EVENT " }");
  free(exports);

  const char *abi_file = "sdk/assemblyscript/parigot/abi.ts";
  char *abi = read_source(abi_file);
  struct import got[64];
  static char sigs[64][32];
  size_t ngot = 0;
  const char *marker = "@external(\"" PARIGOT_ABI_MODULE "\", \"";
  for (const char *p = abi; (p = strstr(p, marker)) != NULL; p++) {
    char fn[64];
    ASSERT_EQ(sscanf(p + strlen(marker), "%63[a-z_]", fn), 1);
    const char *decl = strstr(p, "function ");
    ASSERT_TRUE(decl != NULL && ngot < 64);
    signature_of(strchr(decl, '('), ":", sigs[ngot], sizeof sigs[ngot]);
    got[ngot].name = strdup(fn);
    got[ngot].sig = sigs[ngot];
    ngot++;
  }
  expect_imports(abi_file, got, ngot);
  for (size_t i = 0; i < ngot; i++)
    free((char *)got[i].name);
  free(abi);

  expect_ctx_consts("sdk/assemblyscript/parigot/ctx.ts",
                    "const %63[A-Za-z0-9_]: %31[^= ] = %lli;");
}

/* A signature in docs/abi.md's words: "iiI:i" is "(i32 i32 i64) -> i32". */
static void doc_signature(const char *sig, char *out, size_t cap) {
  size_t n = (size_t)snprintf(out, cap, "`(");
  const char *p = sig;
  for (; *p != ':'; p++)
    n += (size_t)snprintf(out + n, cap - n, "%s%s", p == sig ? "" : " ",
                          *p == 'I' ? "i64" : "i32");
  snprintf(out + n, cap - n, ") -> %s`", p[1] == 'I' ? "i64" : "i32");
}

/* docs/abi.md, the ABI in words, says what the header says. */
PG_TEST(abi_doc_equals_the_header) {
  char *doc = read_source("docs/abi.md");
  char want[256];
  if (strstr(doc, "include/parigot/abi.h") == NULL)
    PG_FAIL("docs/abi.md does not name include/parigot/abi.h, its reference");
  snprintf(want, sizeof want, "# The guest/host ABI, version %d\n",
           PARIGOT_ABI_VERSION);
  ASSERT_TRUE(strncmp(doc, want, strlen(want)) == 0);
  ASSERT_CONTAINS(doc, "| `" PARIGOT_ABI_EXPORT "` | `() -> ()` |");
  ASSERT_CONTAINS(doc, "| `" PARIGOT_ABI_MAIN "` | `() -> ()` |");
  ASSERT_CONTAINS(doc, "| `" PARIGOT_ABI_EVENT "` | `() -> ()` |");
  ASSERT_CONTAINS(doc,
                  "## Host functions (import module `" PARIGOT_ABI_MODULE "`)");
  snprintf(want, sizeof want, "1 to %d bytes", PARIGOT_ABI_NAME_MAX);
  ASSERT_CONTAINS(doc, want);

  snprintf(want, sizeof want, "a %d-byte little-endian header",
           PARIGOT_EV_HEADER_SIZE);
  ASSERT_CONTAINS(doc, want);
  for (size_t i = 0; i < NFIELDS; i++) {
    snprintf(want, sizeof want, "\n| %d | %s | %s |", fields[i].offset,
             fields[i].doc_cell, fields[i].doc_type);
    if (strstr(doc, want) == NULL)
      PG_FAIL("docs/abi.md lacks the event header row \"%s\"", want + 1);
  }
  for (size_t i = 0; i < NKINDS; i++) {
    snprintf(want, sizeof want, "%lld `%s`", kinds[i].value, kinds[i].name);
    if (strstr(doc, want) == NULL)
      PG_FAIL("docs/abi.md does not give event kind %s", want);
  }
  for (size_t i = 0; i < NCODES; i++) {
    snprintf(want, sizeof want, "\n| %lld | `%s` |", codes[i].value,
             codes[i].name);
    if (strstr(doc, want) == NULL)
      PG_FAIL("docs/abi.md lacks the status code row \"%s\"", want + 1);
  }

  snprintf(want, sizeof want, "`context_read` writes a %d-byte header",
           PARIGOT_CTX_HEADER_SIZE);
  ASSERT_CONTAINS(doc, want);
  for (size_t i = 0; i < NCTX_FIELDS; i++) {
    snprintf(want, sizeof want, "\n| %d | %s | ", ctx_fields[i].offset,
             ctx_fields[i].doc_type);
    if (strstr(doc, want) == NULL)
      PG_FAIL("docs/abi.md lacks the context row \"%s\"", want + 1);
  }
  snprintf(want, sizeof want,
           "\n| 0 | u32 | flags: %d a user is logged in, "
           "%d the trace fields are set |",
           PARIGOT_CTX_HAS_USER, PARIGOT_CTX_HAS_TRACE);
  ASSERT_CONTAINS(doc, want);
  static const struct {
    int offset, max;
  } limits[] = {{PARIGOT_CTX_OFF_USER_ID_LEN, PARIGOT_CTX_USER_ID_MAX},
                {PARIGOT_CTX_OFF_USER_NAME_LEN, PARIGOT_CTX_USER_NAME_MAX},
                {PARIGOT_CTX_OFF_ROLES_LEN, PARIGOT_CTX_ROLES_MAX}};
  for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
    snprintf(want, sizeof want, "\n| %d | u32 | ", limits[i].offset);
    const char *row = strstr(doc, want);
    char max[32];
    snprintf(max, sizeof max, "(at most %d) |", limits[i].max);
    const char *at = strstr(row, max), *eol = strchr(row + 1, '\n');
    if (at == NULL || (eol != NULL && at > eol))
      PG_FAIL("docs/abi.md's context row at offset %d does not say %s",
              limits[i].offset, max);
  }
  snprintf(want, sizeof want, "speaks ABI %d to %d", PARIGOT_ABI_VERSION_MIN,
           PARIGOT_ABI_VERSION);
  ASSERT_CONTAINS(doc, want);

  const char *end;
  const char *table =
      region("docs/abi.md", doc, "\n## Host functions", "\n## ", &end);
  size_t rows = 0;
  for (const char *p = table; (p = strstr(p, "\n| `")) != NULL && p < end; p++)
    rows++;
  ASSERT_EQ(rows, NIMPORTS);
  for (size_t i = 0; i < NIMPORTS; i++) {
    snprintf(want, sizeof want, "\n| `%s(", imports[i].name);
    const char *row = strstr(table, want);
    if (row == NULL || row > end)
      PG_FAIL("docs/abi.md's host functions lack %s", imports[i].name);
    char sig[128];
    doc_signature(imports[i].sig, sig, sizeof sig);
    const char *eol = strchr(row + 1, '\n');
    const char *at = strstr(row, sig);
    if (at == NULL || (eol != NULL && at > eol))
      PG_FAIL("docs/abi.md gives %s another signature than %s", imports[i].name,
              sig);
  }
  free(doc);
}

/* ---- the version, wherever it is written -------------------------------- */

static int version_mismatches;

/* Checks every "parigot_abi_v<digits>" of one file. */
static int check_version(const char *path, const struct stat *st, int type,
                         struct FTW *ftw) {
  (void)st;
  const char *base = path + ftw->base;
  if (type == FTW_D &&
      (strcmp(base, "node_modules") == 0 || strcmp(base, ".git") == 0 ||
       (ftw->level == 1 &&
        (strncmp(base, "build", 5) == 0 || strcmp(base, "tests") == 0))))
    return FTW_SKIP_SUBTREE;
  if (type != FTW_F)
    return FTW_CONTINUE;
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return FTW_CONTINUE;
  static char text[1 << 20];
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  const char *prefix = PARIGOT_ABI_EXPORT_PREFIX;
  size_t len = strlen(base);
  bool is_doc = len > 3 && strcmp(base + len - 3, ".md") == 0;
  for (const char *p = text; (p = strstr(p, prefix)) != NULL; p++) {
    const char *d = p + strlen(prefix);
    if (*d < '0' || *d > '9')
      continue;
    long v = strtol(d, NULL, 10);
    if (is_doc && v >= PARIGOT_ABI_VERSION_MIN && v <= PARIGOT_ABI_VERSION)
      continue; /* a page telling how versions go */
    if (v != PARIGOT_ABI_VERSION) {
      fprintf(stderr, "%s:%d: %s%ld, but include/parigot/abi.h is version %d\n",
              path, line_of(text, p), prefix, v, PARIGOT_ABI_VERSION);
      version_mismatches++;
    }
  }
  return FTW_CONTINUE;
}

/* Outside tests/ (which holds guests of other versions on purpose),
 * every version export named in the tree is the header's, but in pages
 * of docs (*.md), which may name any version the kernel runs. */
PG_TEST(abi_version_export_is_the_headers_everywhere) {
  char want[64];
  snprintf(want, sizeof want, "parigot_abi_v%d", PARIGOT_ABI_VERSION);
  ASSERT_STREQ(PARIGOT_ABI_EXPORT, want);
  ASSERT_EQ(
      nftw(getenv("PG_SOURCE"), check_version, 16, FTW_PHYS | FTW_ACTIONRETVAL),
      0);
  ASSERT_EQ(version_mismatches, 0);
}
