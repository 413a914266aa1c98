/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/pbjson.h: protobuf binary to and from the proto3 JSON mapping, for
 * Connect's application/json, driven by a FileDescriptorSet read at run
 * time (no generated code for the messages it converts).
 *
 * A pg_pbjson is built once from a serialized descriptor set and is
 * immutable afterwards, so any thread may convert with it at once; each
 * conversion keeps its state to itself. Output is protobuf's own
 * json_format (3.21) with default options and compact separators: field
 * names in lowerCamelCase, fields in field-number order, defaults left out,
 * 64-bit integers as strings, well-known types in their special forms.
 *
 * What goes in is untrusted: the descriptor set, the binary and the JSON are
 * all checked, nesting is bounded (100 messages), and a failure says which
 * field and what is wrong.
 *
 * Not supported: proto2 groups (PARIGOT_ENOTSUP when met), extensions
 * (their "[name]" keys are unknown fields), JSON options (names are always
 * printed as json_name, unknown JSON fields are always refused).
 */
#ifndef PG_WIRE_PBJSON_H
#define PG_WIRE_PBJSON_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

/** @brief Descriptions of messages, enums and services; opaque. */
typedef struct pg_pbjson pg_pbjson;

/**
 * @brief An output buffer that grows, and that its holder owns.
 *
 * Start from `{0}`; a conversion sets @p mem if it is NULL, replaces what
 * the buffer held and reuses its storage. Free with pg_pbjson_buf_free().
 */
typedef struct pg_pbjson_buf {
  uint8_t *data;     /* len bytes of output; JSON is also NUL-terminated */
  size_t len, cap;   /* bytes used, bytes allocated */
  const pg_mem *mem; /* allocates data; set on first use */
} pg_pbjson_buf;

/**
 * @brief Reads a serialized google.protobuf.FileDescriptorSet.
 *
 * @p fds may be several serialized sets one after the other (protobuf
 * merges repeated fields), so a file may appear more than once: the first
 * copy of each file name is kept and later ones are skipped. Every type
 * name must resolve within the set (protoc --include_imports).
 * Borrows @p fds for the call only; @p mem must outlive the result.
 * @param[out] out   the new pg_pbjson; left as it was on failure.
 * @param[in] fds    the descriptor set's bytes.
 * @param[in] mem    allocator for everything the pg_pbjson holds (NULL:
 *                   pg_mem_default()).
 * @param[out] err   on failure, a NUL-terminated message (may be NULL).
 * @return 0, or PARIGOT_EINVAL (malformed or inconsistent set, explained
 *         in @p err), PARIGOT_ENOMEM.
 */
int pg_pbjson_new(pg_pbjson **out, const uint8_t *fds, size_t len,
                  const pg_mem *mem, char *err, size_t err_len);

/** @brief Frees @p j; does nothing when @p j is NULL. */
void pg_pbjson_free(pg_pbjson *j);

/**
 * @brief Finds a method's request and response types.
 *
 * @param[in] service  a service's full name ("example.v1.UserService").
 * @param[out] input_type, output_type  full message names without a
 *            leading dot; memory owned by @p j, valid until it is freed.
 * @return 0, or PARIGOT_ENOENT (no such service or method).
 */
int pg_pbjson_method(const pg_pbjson *j, const char *service,
                     size_t service_len, const char *method, size_t method_len,
                     const char **input_type, const char **output_type);

/**
 * @brief Prints the binary message @p pb of type @p type as JSON.
 *
 * Unknown fields are skipped; a field seen more than once merges as protobuf
 * parsing does (the last scalar wins, messages merge, repeated fields
 * concatenate, the last map entry of a key wins). @p out gets compact JSON,
 * NUL-terminated (the NUL not counted in len).
 * @param[in] type  a message's full name, without a leading dot.
 * @return 0, or PARIGOT_ENOENT (no such type), PARIGOT_EINVAL (malformed
 *         input, or a value that has no JSON form; @p err names the field),
 *         PARIGOT_ERANGE (a Timestamp or Duration out of its range),
 *         PARIGOT_ENOTSUP (a group), PARIGOT_ENOMEM. On failure out->len
 *         is 0.
 */
int pg_pbjson_to_json(const pg_pbjson *j, const char *type, const uint8_t *pb,
                      size_t len, pg_pbjson_buf *out, char *err,
                      size_t err_len);

/**
 * @brief Encodes the JSON text @p json as a binary message of type @p type.
 *
 * Accepts what json_format accepts of the mapping: json_name or the proto
 * name for each field, numbers or strings for integers and floats, enum
 * names or numbers, standard or URL-safe base64 with or without padding,
 * null for a field's default. Fields are written in the order given.
 * @return 0, or PARIGOT_ENOENT (no such type), PARIGOT_EINVAL (bad JSON or
 *         a value of the wrong kind; @p err names the field path and what
 *         is wrong), PARIGOT_ERANGE (a number out of the field's range),
 *         PARIGOT_ENOMEM. On failure out->len is 0.
 */
int pg_pbjson_from_json(const pg_pbjson *j, const char *type, const char *json,
                        size_t len, pg_pbjson_buf *out, char *err,
                        size_t err_len);

/** @brief Frees what @p b holds and empties it; NULL is fine. */
void pg_pbjson_buf_free(pg_pbjson_buf *b);

#endif /* PG_WIRE_PBJSON_H */
