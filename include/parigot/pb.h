/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file pb.h
 * @brief The protobuf runtime that code from protoc-gen-parigot runs on.
 *
 * For each message, protoc-gen-parigot emits a C struct and a
 * #parigot_pb_message_desc that says where each field lives in it. Decoding
 * and freeing walk those tables, so there is one decoder to harden and fuzz,
 * not one per message. Encoding, which only reads trusted structs, is
 * generated code per message (straight-line, as fast as the C++ library's)
 * behind the same two entry points. The same files compile natively and for
 * wasm32.
 *
 * How generated structs hold proto3 fields:
 * - a singular scalar is a plain member; an `optional` one adds `bool
 *   has_NAME`;
 * - string and bytes are #parigot_pb_bytes (a pointer and a length; decoded
 *   strings are also NUL-terminated, so `.data` works as a C string);
 * - an enum is an `int32_t` (proto3 enums are open: unknown numbers are kept);
 * - a message field is a pointer, NULL when absent;
 * - a repeated field is `size_t NAME_count` and a pointer to an array of
 *   elements (an array of structs for messages);
 * - a map is a repeated field of generated entry structs `{key, value}`;
 *   decode leaves entries sorted by key with duplicate keys removed (the last
 *   one wins, as protobuf says), so encoding a decoded map is deterministic;
 * - a oneof is `uint32_t NAME_case` (the field number of the member that is
 *   set, 0 for none) and a union `NAME` of its members.
 *
 * Ownership: decode allocates every string, array and sub-message through the
 * #parigot_pb_allocator it is given, and parigot_pb_free() returns them to the
 * same allocator. A message built by hand owns whatever it points to; never
 * pass it to parigot_pb_free(). With an arena (parigot_arena_allocator()), a
 * decoded message is freed by resetting the arena and parigot_pb_free() is not
 * needed.
 *
 * Thread-safety: none of these functions keep state between calls; a message
 * may be used by one thread at a time.
 */
#ifndef PARIGOT_PB_H
#define PARIGOT_PB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parigot/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Bytes or a string: a pointer and a length. */
typedef struct parigot_pb_bytes {
  uint8_t *data; /**< the bytes; for a decoded string, NUL-terminated */
  size_t len;    /**< number of bytes, not counting any terminating NUL */
} parigot_pb_bytes;

/**
 * @brief Where decode gets memory and where free returns it.
 *
 * @p alloc returns memory aligned for any type, or NULL when it has none.
 * @p free may be NULL when memory is released all at once (an arena).
 */
typedef struct parigot_pb_allocator {
  void *(*alloc)(void *ctx, size_t size); /**< get @p size bytes */
  void (*free)(void *ctx, void *ptr);     /**< return one block, or NULL */
  void *ctx;                              /**< passed to both */
} parigot_pb_allocator;

/** @brief The allocator backed by malloc() and free(). */
extern const parigot_pb_allocator parigot_pb_malloc_allocator;

/** @brief Protobuf field types, numbered as in descriptor.proto. */
typedef enum parigot_pb_type {
  PARIGOT_PB_DOUBLE = 1,    /**< double, fixed 64 bits */
  PARIGOT_PB_FLOAT = 2,     /**< float, fixed 32 bits */
  PARIGOT_PB_INT64 = 3,     /**< int64, varint */
  PARIGOT_PB_UINT64 = 4,    /**< uint64, varint */
  PARIGOT_PB_INT32 = 5,     /**< int32, varint (negatives take 10 bytes) */
  PARIGOT_PB_FIXED64 = 6,   /**< fixed64 */
  PARIGOT_PB_FIXED32 = 7,   /**< fixed32 */
  PARIGOT_PB_BOOL = 8,      /**< bool, varint */
  PARIGOT_PB_STRING = 9,    /**< UTF-8 string */
  PARIGOT_PB_MESSAGE = 11,  /**< embedded message */
  PARIGOT_PB_BYTES = 12,    /**< bytes */
  PARIGOT_PB_UINT32 = 13,   /**< uint32, varint */
  PARIGOT_PB_ENUM = 14,     /**< enum, varint, kept as int32_t */
  PARIGOT_PB_SFIXED32 = 15, /**< sfixed32 */
  PARIGOT_PB_SFIXED64 = 16, /**< sfixed64 */
  PARIGOT_PB_SINT32 = 17,   /**< sint32, zigzag varint */
  PARIGOT_PB_SINT64 = 18    /**< sint64, zigzag varint */
} parigot_pb_type;

/** @brief How a field is stored in its struct. */
typedef enum parigot_pb_label {
  PARIGOT_PB_IMPLICIT = 0, /**< singular; absent means default */
  PARIGOT_PB_OPTIONAL = 1, /**< singular with a `has_` flag or a pointer */
  PARIGOT_PB_REPEATED = 2, /**< count and array; packed on the wire */
  PARIGOT_PB_UNPACKED = 3, /**< repeated, written one element per tag */
  PARIGOT_PB_MAP = 4,      /**< repeated map entries, sorted by key */
  PARIGOT_PB_ONEOF = 5     /**< member of a oneof: case number and union */
} parigot_pb_label;

struct parigot_pb_message_desc;
struct parigot_pb_enum_desc;

/**
 * @brief Where encoding writes: backwards, from the end of a buffer.
 *
 * A sub-message is written before its length prefix, so its size is known
 * when the prefix is written. Generated code writes through the helpers in
 * parigot/pb_gen.h; parigot_pb_encode() sets the writer up.
 */
typedef struct parigot_pb_writer {
  uint8_t *start; /**< first byte of the buffer */
  uint8_t *p;     /**< first byte written so far; moves towards start */
} parigot_pb_writer;

/** @brief One field of a message, as generated. */
typedef struct parigot_pb_field {
  uint32_t number; /**< field number, 1 .. 2^29-1 */
  uint8_t type;    /**< a #parigot_pb_type */
  uint8_t label;   /**< a #parigot_pb_label */
  uint16_t oneof;  /**< for ONEOF: index of its oneof in the message */
  /** offset of the value, the array pointer, or the union member */
  uint32_t offset;
  /** offset of `has_` (OPTIONAL scalar), `_count` (repeated, map) or
   *  `_case` (ONEOF); unused otherwise */
  uint32_t aux;
  /** the message type for MESSAGE fields, the entry type for MAP */
  const struct parigot_pb_message_desc *message;
  const struct parigot_pb_enum_desc *enumeration; /**< for ENUM fields */
  const char *name;      /**< name in the .proto file */
  const char *json_name; /**< lowerCamelCase name for the JSON mapping */
} parigot_pb_field;

/** @brief A message type, as generated. */
typedef struct parigot_pb_message_desc {
  const char *full_name;          /**< "package.Outer.Inner" */
  uint32_t size;                  /**< sizeof the generated struct */
  uint32_t unknown_offset;        /**< of the #parigot_pb_bytes of unknowns */
  uint32_t n_fields;              /**< number of entries in @p fields */
  const parigot_pb_field *fields; /**< sorted by field number */
  /** index + 1 into @p fields for numbers below @p dense_len, else 0 */
  const uint16_t *dense;
  uint32_t dense_len;        /**< entries in @p dense */
  bool map_entry;            /**< a generated map entry type */
  uint32_t n_oneofs;         /**< number of oneofs */
  const char *const *oneofs; /**< their names */
  /** generated: the encoded size of a message at nesting @p depth */
  size_t (*encoded_size)(const void *msg, uint32_t depth);
  /** generated: write a message (fields last to first); 0 or an error */
  int (*put)(parigot_pb_writer *w, const void *msg, uint32_t depth);
} parigot_pb_message_desc;

/** @brief One value of an enum. */
typedef struct parigot_pb_enum_value {
  const char *name; /**< as in the .proto file */
  int32_t number;   /**< its number */
} parigot_pb_enum_value;

/** @brief An enum type, as generated. */
typedef struct parigot_pb_enum_desc {
  const char *full_name;               /**< "package.Enum" */
  uint32_t n_values;                   /**< entries in @p values */
  const parigot_pb_enum_value *values; /**< in declaration order */
} parigot_pb_enum_desc;

/** @brief One method of a service. */
typedef struct parigot_pb_method_desc {
  const char *name;                      /**< "Echo" */
  const char *path;                      /**< "/pkg.Service/Echo" */
  const parigot_pb_message_desc *input;  /**< request type */
  const parigot_pb_message_desc *output; /**< response type */
  bool client_streaming;                 /**< stream of requests */
  bool server_streaming;                 /**< stream of responses */
} parigot_pb_method_desc;

/** @brief A service: the method list that stubs are built from. */
typedef struct parigot_pb_service_desc {
  const char *full_name;                 /**< "pkg.Service" */
  uint32_t n_methods;                    /**< entries in @p methods */
  const parigot_pb_method_desc *methods; /**< in declaration order */
} parigot_pb_service_desc;

/** @brief A .proto file: its types and its serialized descriptor. */
typedef struct parigot_pb_file_desc {
  const char *name;          /**< path as imported: "a/b.proto" */
  const char *package;       /**< "a.b" */
  const uint8_t *descriptor; /**< serialized FileDescriptorProto */
  size_t descriptor_len;     /**< its length in bytes */
  uint32_t n_dependencies;   /**< files it imports */
  const struct parigot_pb_file_desc *const *dependencies; /**< those files */
  uint32_t n_messages; /**< top-level and nested messages */
  const parigot_pb_message_desc *const *messages; /**< all of them */
  uint32_t n_enums;                         /**< top-level and nested enums */
  const parigot_pb_enum_desc *const *enums; /**< all of them */
  uint32_t n_services;                      /**< services */
  const parigot_pb_service_desc *const *services; /**< all of them */
} parigot_pb_file_desc;

/** @brief Limits and choices for decoding; zero fields take defaults. */
typedef struct parigot_pb_decode_options {
  /** where strings, arrays and sub-messages come from; NULL: malloc */
  const parigot_pb_allocator *allocator;
  /** largest input accepted; 0: #PARIGOT_PB_DEFAULT_MAX_SIZE */
  size_t max_size;
  /** most bytes decode may allocate; 0: 16 x max_size + 1 MiB, which
   *  bounds what a small hostile input can make the decoder allocate */
  size_t max_alloc;
  /** deepest nesting of messages; 0: #PARIGOT_PB_DEFAULT_MAX_DEPTH */
  uint32_t max_depth;
  /** keep unknown fields in each message's `_unknown` to re-encode them */
  bool keep_unknown;
  /** bytes fields point into the input instead of a copy: the input must
   *  outlive the message. Only with an allocator that frees nothing (an
   *  arena), so no free can reach the input; else PARIGOT_EINVAL */
  bool alias_bytes;
} parigot_pb_decode_options;

/** @brief Default largest input: 4 MiB, the default message limit. */
#define PARIGOT_PB_DEFAULT_MAX_SIZE (4u << 20)
/** @brief Default deepest nesting, as in the C++ implementation. */
#define PARIGOT_PB_DEFAULT_MAX_DEPTH 100u

/**
 * @brief The bytes one value of field @p f takes in its message's struct
 * (or in its array, when repeated): a nested message's whole struct.
 * @param[in] f  the field.
 * @return the size.
 */
size_t parigot_pb_field_size(const parigot_pb_field *f);

/**
 * @brief Whether field @p f holds an array (repeated, unpacked or a map).
 * @param[in] f  the field.
 * @return true for an array.
 */
bool parigot_pb_field_is_repeated(const parigot_pb_field *f);

/**
 * @brief Zero a message: every field absent or default.
 * @param[in] desc  the message type.
 * @param[out] msg  a struct of that type.
 */
void parigot_pb_init(const parigot_pb_message_desc *desc, void *msg);

/**
 * @brief The exact number of bytes parigot_pb_encode() will write.
 * @param[in] desc  the message type.
 * @param[in] msg   the message.
 * @return the size in bytes.
 */
size_t parigot_pb_encoded_size(const parigot_pb_message_desc *desc,
                               const void *msg);

/**
 * @brief Encode a message: fields in field-number order, repeated scalars
 * packed, then any kept unknown fields.
 * @param[in] desc  the message type.
 * @param[in] msg   the message.
 * @param[out] buf  where the bytes go.
 * @param[in] cap   bytes available at @p buf.
 * @return the number of bytes written, or PARIGOT_ENOSPC when @p cap is
 *         below parigot_pb_encoded_size() (nothing useful is written then).
 */
int64_t parigot_pb_encode(const parigot_pb_message_desc *desc, const void *msg,
                          uint8_t *buf, size_t cap);

/**
 * @brief Decode bytes into a message, merging into what it already holds
 * (as protobuf's parse-and-merge does; init it first for a plain decode).
 * @param[in] desc     the message type.
 * @param[in,out] msg  an initialized or previously decoded message.
 * @param[in] buf      the encoded bytes; not referenced after the call.
 * @param[in] len      their length.
 * @param[in] opts     limits and allocator; NULL for all defaults.
 * @return 0, or a negative #parigot_errno: PARIGOT_ETRUNCATED,
 *         PARIGOT_EVARINT, PARIGOT_ELENGTH, PARIGOT_EWIRETYPE,
 *         PARIGOT_EFIELD, PARIGOT_EDEPTH, PARIGOT_ETOOBIG, PARIGOT_EUTF8,
 *         PARIGOT_ENOMEM. On error the message holds what was decoded so
 *         far, still valid to free; nothing leaks.
 */
int parigot_pb_decode(const parigot_pb_message_desc *desc, void *msg,
                      const uint8_t *buf, size_t len,
                      const parigot_pb_decode_options *opts);

/**
 * @brief Free everything decode allocated in a message (not the struct
 * itself) and leave it initialized.
 * @param[in] desc     the message type.
 * @param[in,out] msg  a message filled by parigot_pb_decode().
 * @param[in] a        the allocator decode used; NULL for malloc.
 */
void parigot_pb_free(const parigot_pb_message_desc *desc, void *msg,
                     const parigot_pb_allocator *a);

/**
 * @brief Find a field by number.
 * @param[in] desc    the message type.
 * @param[in] number  a field number.
 * @return the field, or NULL when the message has none with that number.
 */
const parigot_pb_field *
parigot_pb_field_find(const parigot_pb_message_desc *desc, uint32_t number);

/**
 * @brief A bump allocator: many allocations, one release.
 *
 * The intended use is one arena per call: decode the request into it,
 * build the response in it, reset it. Blocks come from a backing allocator
 * and stay until parigot_arena_free(). Not thread-safe.
 */
typedef struct parigot_arena {
  const parigot_pb_allocator *backing; /**< where blocks come from */
  struct parigot_arena_block *blocks;  /**< newest first */
  uint8_t *next;                       /**< free space in the newest */
  uint8_t *end;                        /**< end of that space */
  size_t block_size;                   /**< size of the next new block */
  parigot_pb_allocator allocator;      /**< this arena as an allocator */
} parigot_arena;

/**
 * @brief Set up an empty arena.
 * @param[out] arena    the arena.
 * @param[in] backing   where blocks come from; NULL for malloc.
 */
void parigot_arena_init(parigot_arena *arena,
                        const parigot_pb_allocator *backing);

/**
 * @brief The arena as an allocator (its free does nothing).
 * @param[in] arena  the arena; must outlive the returned pointer's use.
 * @return an allocator that allocates from @p arena.
 */
const parigot_pb_allocator *parigot_arena_allocator(parigot_arena *arena);

/**
 * @brief Allocate from the arena.
 * @param[in] arena  the arena.
 * @param[in] size   bytes wanted.
 * @return memory aligned for any type, or NULL when the backing allocator
 *         has none.
 */
void *parigot_arena_alloc(parigot_arena *arena, size_t size);

/**
 * @brief Release everything allocated so far but keep the largest block
 * for reuse, so a steady request loop stops calling the backing allocator.
 * @param[in] arena  the arena.
 */
void parigot_arena_reset(parigot_arena *arena);

/**
 * @brief Return every block to the backing allocator.
 * @param[in] arena  the arena; empty and reusable afterwards.
 */
void parigot_arena_free(parigot_arena *arena);

#ifdef __cplusplus
}
#endif

#endif /* PARIGOT_PB_H */
