/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/engine/wasm_info.h: reads what the engine needs from a WebAssembly
 * binary.
 *
 * The engine reads the header, types, imports, functions, memories and
 * exports of a module before handing it to wasm2c: to refuse a non-wasm file
 * or an unsupported feature with a clear message, to check every import
 * against what the host provides (name and signature), and to generate the
 * glue that binds the compiled code. Full validation is wasm2c's job.
 * A pg_wasm_info is caller-owned storage; one thread at a time.
 *
 * Binary layout read here (WebAssembly core spec 1.0, section 5):
 *
 *   offset  size  field
 *   0       4     magic "\0asm"
 *   4       4     version, little-endian; 1 for core modules
 *   8       ...   sections: id (1 byte), size (u32 LEB128), payload
 */
#ifndef PG_WASM_INFO_H
#define PG_WASM_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"

enum {
  PG_WASM_EXTERN_FUNC = 0,
  PG_WASM_EXTERN_TABLE = 1,
  PG_WASM_EXTERN_MEMORY = 2,
  PG_WASM_EXTERN_GLOBAL = 3,
  PG_WASM_EXTERN_TAG = 4,
};

typedef struct pg_wasm_import {
  char *module;        /* owned, NUL-terminated */
  char *name;          /* owned, NUL-terminated */
  uint8_t kind;        /* PG_WASM_EXTERN_* */
  uint32_t type_index; /* for functions: index into types */
} pg_wasm_import;

typedef struct pg_wasm_export {
  char *name;     /* owned, NUL-terminated */
  uint8_t kind;   /* PG_WASM_EXTERN_* */
  uint32_t index; /* in the kind's index space */
} pg_wasm_export;

/*
 * A function signature is a short string: one letter per parameter, a colon,
 * one letter per result. i=i32 I=i64 f=f32 F=f64 v=v128 r=funcref e=externref.
 * "iiii:i" is (i32, i32, i32, i32) -> i32.
 */
typedef struct pg_wasm_info {
  const pg_mem *mem; /* borrowed; allocates everything below */
  uint32_t ntypes;
  char **types; /* ntypes signature strings, owned */
  uint32_t nimports;
  pg_wasm_import *imports; /* owned */
  uint32_t nimported_funcs;
  uint32_t nfuncs;      /* functions defined by the module */
  uint32_t *func_types; /* nfuncs type indices, owned */
  uint32_t nexports;
  pg_wasm_export *exports; /* owned */
  bool has_memory;
  uint64_t mem_initial_pages;
  uint64_t mem_max_pages; /* UINT64_MAX when the module sets no maximum */
  char errmsg[256];       /* why the last parse failed */
} pg_wasm_info;

/**
 * @brief Parses @p bytes into @p info.
 *
 * Borrows @p bytes for the call only; @p info owns copies of every name.
 * On failure, info->errmsg says what is wrong and where, and @p info holds
 * nothing that needs freeing (pg_wasm_info_deinit() is still safe).
 * @return 0, or PARIGOT_ENOTWASM (bad magic), PARIGOT_EUNSUPPORTED (another
 * binary version, memory64, shared or multiple memories), PARIGOT_EBADMODULE
 * (truncated or malformed), PARIGOT_ENOMEM.
 */
int pg_wasm_info_parse(pg_wasm_info *info, const uint8_t *bytes, size_t len,
                       const pg_mem *mem);

/** @brief Frees what @p info owns; safe after a failed parse. */
void pg_wasm_info_deinit(pg_wasm_info *info);

/** @brief Signature of function @p func_index (imports first), or NULL. */
const char *pg_wasm_info_func_sig(const pg_wasm_info *info,
                                  uint32_t func_index);

/** @brief The export called @p name, or NULL. */
const pg_wasm_export *pg_wasm_info_export(const pg_wasm_info *info,
                                          const char *name);

#endif /* PG_WASM_INFO_H */
