/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config/toml.h: a TOML 1.0.0 parser that turns a byte buffer into a tree.
 *
 * A parsed document owns every value, key and string in it; callers read them
 * through the accessors below and free the whole tree at once. Calls only the
 * allocator it is given (or libc). A document is immutable after parsing, so
 * any number of threads may read it; parsing itself touches no global state.
 */
#ifndef PG_CONFIG_TOML_H
#define PG_CONFIG_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mem.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Deepest nesting of tables and arrays the parser accepts.
 *
 * The root table is level 0. The limit bounds the parser's recursion and the
 * recursion of any code that walks the tree, so hostile input cannot exhaust
 * the stack.
 */
#define PG_TOML_MAX_DEPTH 128

/** @brief What a value holds. */
typedef enum pg_toml_kind {
  PG_TOML_NONE = 0,        /**< only for a NULL value pointer */
  PG_TOML_STRING,          /**< UTF-8 bytes; may contain NUL via \u0000 */
  PG_TOML_INTEGER,         /**< int64_t */
  PG_TOML_FLOAT,           /**< double, including inf and nan */
  PG_TOML_BOOL,            /**< bool */
  PG_TOML_OFFSET_DATETIME, /**< date, time and UTC offset */
  PG_TOML_LOCAL_DATETIME,  /**< date and time, no offset */
  PG_TOML_LOCAL_DATE,      /**< date only */
  PG_TOML_LOCAL_TIME,      /**< time only */
  PG_TOML_ARRAY,           /**< ordered values */
  PG_TOML_TABLE,           /**< keys in document order */
} pg_toml_kind;

/**
 * @brief A date, a time or both. Which fields mean something depends on the
 * value's kind; the others are zero.
 */
typedef struct pg_toml_datetime {
  int year;           /**< 0-9999 */
  int month;          /**< 1-12 */
  int day;            /**< 1-31, checked against the month and leap years */
  int hour;           /**< 0-23 */
  int minute;         /**< 0-59 */
  int second;         /**< 0-60; 60 is a leap second */
  int nanosecond;     /**< 0-999999999; finer digits are truncated */
  int offset_minutes; /**< east of UTC; only for PG_TOML_OFFSET_DATETIME */
} pg_toml_datetime;

/** @brief Where something starts in the input, both 1-based. */
typedef struct pg_toml_pos {
  int line;   /**< lines end at LF or CRLF */
  int column; /**< counted in characters (code points), not bytes */
} pg_toml_pos;

/** @brief Why parsing failed. */
typedef struct pg_toml_error {
  int line;      /**< 1-based; 0 when the failure has no place (ENOMEM) */
  int column;    /**< 1-based character column; 0 as for line */
  char msg[256]; /**< "line 3, column 7: duplicate key ..."; NUL-terminated */
} pg_toml_error;

/** @brief A parsed document; opaque. */
typedef struct pg_toml_doc pg_toml_doc;

/** @brief One value inside a document; opaque, owned by the document. */
typedef struct pg_toml_value pg_toml_value;

/**
 * @brief Parse a TOML 1.0.0 document.
 *
 * Reads exactly @p len bytes of @p buf; no NUL terminator is needed, and a
 * NUL byte inside the buffer is an error. A leading UTF-8 BOM is skipped.
 * CRLF inside multi-line strings becomes LF. Borrows @p buf only for the
 * duration of the call; borrows @p mem (when not NULL) until pg_toml_free().
 * Any thread; the call shares nothing with other calls.
 * @param[in]  buf  the document bytes.
 * @param[in]  len  number of bytes in @p buf.
 * @param[in]  mem  allocator, or NULL for libc.
 * @param[out] out  receives the document on success; untouched on failure.
 * @param[out] err  when not NULL, receives the reason on failure.
 * @return 0, or one of:
 *   PARIGOT_ESYNTAX  the bytes are not valid TOML 1.0.0 (including invalid
 *                    UTF-8, duplicate keys, out-of-range numbers and dates);
 *   PARIGOT_ENOTSUP  nesting deeper than #PG_TOML_MAX_DEPTH;
 *   PARIGOT_ENOMEM   an allocation failed; nothing is leaked;
 *   PARIGOT_EINVAL   @p out is NULL, or @p buf is NULL with @p len > 0;
 *   PARIGOT_ERANGE   @p len is 2 GiB or more.
 */
int pg_toml_parse(const char *buf, size_t len, const pg_mem *mem,
                  pg_toml_doc **out, pg_toml_error *err);

/** @brief Free a document and every value in it; NULL is a no-op. */
void pg_toml_free(pg_toml_doc *doc);

/**
 * @brief The document's root table.
 * @return memory owned by @p doc, valid until pg_toml_free(doc).
 */
const pg_toml_value *pg_toml_doc_root(const pg_toml_doc *doc);

/** @brief The kind of @p v; PG_TOML_NONE when @p v is NULL. */
pg_toml_kind pg_toml_value_kind(const pg_toml_value *v);

/** @brief A short name for @p kind, e.g. "integer"; static storage. */
const char *pg_toml_kind_name(pg_toml_kind kind);

/**
 * @brief Where @p v was defined: the first character of a scalar, array or
 * inline table; the header of a [table] or [[array]] element; the key that
 * created an implicit table. {0, 0} for the root and for NULL.
 */
pg_toml_pos pg_toml_value_pos(const pg_toml_value *v);

/**
 * @brief The text of a string value.
 * @param[out] str_out  NUL-terminated bytes owned by the document.
 * @param[out] len_out  length in bytes, without the terminator; may be NULL.
 * @return 0, or PARIGOT_EINVAL when @p v is NULL or not a string.
 */
int pg_toml_value_string(const pg_toml_value *v, const char **str_out,
                         size_t *len_out);

/** @brief Read an integer; 0 or PARIGOT_EINVAL (NULL or other kind). */
int pg_toml_value_int(const pg_toml_value *v, int64_t *out);

/** @brief Read a float (not an integer); 0 or PARIGOT_EINVAL. */
int pg_toml_value_float(const pg_toml_value *v, double *out);

/** @brief Read a bool; 0 or PARIGOT_EINVAL. */
int pg_toml_value_bool(const pg_toml_value *v, bool *out);

/** @brief Read any of the four date/time kinds; 0 or PARIGOT_EINVAL. */
int pg_toml_value_datetime(const pg_toml_value *v, pg_toml_datetime *out);

/** @brief Number of keys in a table; 0 for NULL or a non-table. */
size_t pg_toml_table_len(const pg_toml_value *table);

/**
 * @brief Look up a key in a table (not a dotted path). Constant time on
 * average.
 * @return the value, owned by the document; NULL when absent, or when
 *   @p table is NULL or not a table.
 */
const pg_toml_value *pg_toml_table_getn(const pg_toml_value *table,
                                        const char *key, size_t key_len);

/** @brief pg_toml_table_getn() for a NUL-terminated @p key. */
const pg_toml_value *pg_toml_table_get(const pg_toml_value *table,
                                       const char *key);

/**
 * @brief The @p i-th entry of a table in document order, i.e. the order in
 * which keys first appeared in the input.
 * @param[out] key_out      NUL-terminated key owned by the document; may be
 *                          NULL.
 * @param[out] key_len_out  key length in bytes; may be NULL.
 * @return the value, or NULL when @p i is out of range or @p table is not a
 *   table (then the outputs are untouched).
 */
const pg_toml_value *pg_toml_table_at(const pg_toml_value *table, size_t i,
                                      const char **key_out,
                                      size_t *key_len_out);

/** @brief Number of elements in an array; 0 for NULL or a non-array. */
size_t pg_toml_array_len(const pg_toml_value *array);

/** @brief The @p i-th element, or NULL when out of range or not an array. */
const pg_toml_value *pg_toml_array_at(const pg_toml_value *array, size_t i);

/**
 * @brief Writes @p s to @p out as a TOML basic string, quotes included:
 * quotes, backslashes and control characters escaped, other bytes as they
 * are (UTF-8 is the caller's to keep). For the files parigot writes back
 * (a manifest, a query table).
 */
void pg_toml_write_string(FILE *out, const char *s);

#ifdef __cplusplus
}
#endif

#endif /* PG_CONFIG_TOML_H */
