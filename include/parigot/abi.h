/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file abi.h
 * @brief The guest/host ABI, version 2: the one place its numbers are
 * defined.
 *
 * docs/abi.md explains the ABI in words; this header is its reference.
 * It holds the ABI's version and the export that carries it, the event
 * kinds, the byte layout of the event header, the status codes calls end
 * with, and the functions of import module "parigot" with their wasm
 * signatures. The kernel (kernel/abi.c, kernel/app.c), the C guest SDK
 * (sdk/c/guest.c), the wire (wire/grpc.h) and the tests include it; the
 * Rust and AssemblyScript SDKs, which cannot, are held to it by
 * tests/abi/test_abi.c.
 *
 * Lists are X-macros, as in error.h: one line per item, from which the
 * enums (and the kernel's table of host functions) are generated, so a
 * name and its number are written once. Constant data only: no functions,
 * any thread.
 *
 * Every value is little-endian, as WebAssembly's memory is. Change
 * anything here and PARIGOT_ABI_VERSION changes with it (docs/abi.md).
 */
#ifndef PARIGOT_ABI_H
#define PARIGOT_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @cond */
#define PARIGOT_ABI_STR_(x) #x
#define PARIGOT_ABI_STR(x) PARIGOT_ABI_STR_(x)
#define PARIGOT_ABI_CAT_(a, b) a##b
#define PARIGOT_ABI_CAT(a, b) PARIGOT_ABI_CAT_(a, b)
#ifdef __cplusplus
#define PARIGOT_ABI_ASSERT(e, msg) static_assert(e, msg)
#else
#define PARIGOT_ABI_ASSERT(e, msg) _Static_assert(e, msg)
#endif
/** @endcond */

/* ---- version and exports ------------------------------------------------ */

/** @brief The ABI version this header describes. A guest says which one it
 * was built for by exporting #PARIGOT_ABI_EXPORT; the kernel refuses any
 * other. */
#define PARIGOT_ABI_VERSION 2

/** @brief The oldest ABI version the kernel still runs: a version-1 guest
 * is a version-2 guest that imports neither context_read nor
 * context_set_user (docs/abi.md, "Versions"). */
#define PARIGOT_ABI_VERSION_MIN 1

/** @brief The name of the version export, a `() -> ()` function that does
 * nothing: "parigot_abi_v" and #PARIGOT_ABI_VERSION ("parigot_abi_v2"). */
#define PARIGOT_ABI_EXPORT "parigot_abi_v" PARIGOT_ABI_STR(PARIGOT_ABI_VERSION)

/** @brief The C identifier of the version export, `parigot_abi_v2`, for a
 * guest SDK that defines it: `void PARIGOT_ABI_EXPORT_FN(void) {}`. */
#define PARIGOT_ABI_EXPORT_FN                                                  \
  PARIGOT_ABI_CAT(parigot_abi_v, PARIGOT_ABI_VERSION)

/** @brief Every version export starts so; the kernel reads the version
 * after it, to say which ABI a refused guest was built for. */
#define PARIGOT_ABI_EXPORT_PREFIX "parigot_abi_v"

/** @brief The export the kernel calls once at start-up, `() -> ()`: the
 * guest declares what it exports and requires. */
#define PARIGOT_ABI_MAIN "parigot_main"

/** @brief The export the kernel calls once per event, `() -> ()`. */
#define PARIGOT_ABI_EVENT "parigot_event"

/** @brief The import module of the host functions below. */
#define PARIGOT_ABI_MODULE "parigot"

/** @brief The longest service or method name, in bytes (UTF-8); the
 * shortest is 1. */
#define PARIGOT_ABI_NAME_MAX 255

/* ---- event kinds -------------------------------------------------------- */

/**
 * @brief X-macro list of the event kinds: XX(NAME, value, "meaning").
 * A guest ignores a kind it does not know; 0 is no event (an event buffer
 * whose kind is 0 holds none).
 */
#define PARIGOT_EVENT_KIND_MAP(XX)                                             \
  XX(START, 1, "start: a service's ready hook, a program's body")              \
  XX(CALL, 2, "an incoming call to one of this guest's services")              \
  XX(RESPONSE, 3, "the end of a call this guest made")                         \
  XX(DIED, 4, "a service this guest requires has died")                        \
  XX(STOP, 5, "the app ends: stop")                                            \
  XX(RESTARTED, 6, "a service this guest requires has restarted")

/** @brief Event kinds, the u32 at #PARIGOT_EV_OFF_KIND: PARIGOT_EV_START
 * ... PARIGOT_EV_RESTARTED, as #PARIGOT_EVENT_KIND_MAP lists them. */
typedef enum parigot_event_kind {
/** @cond */
#define PARIGOT_EVENT_KIND_ENUM(name, value, what) PARIGOT_EV_##name = (value),
  PARIGOT_EVENT_KIND_MAP(PARIGOT_EVENT_KIND_ENUM)
#undef PARIGOT_EVENT_KIND_ENUM
  /** @endcond */
} parigot_event_kind;

/* ---- the event header --------------------------------------------------- */

/**
 * @brief Byte offsets of the event header's fields, and its size.
 *
 * `event_read` (or the kernel, into the guest's event buffer) writes one
 * event: this 48-byte header, then the method name (`method_len` bytes),
 * the caller's name (`caller_len` bytes) and the payload (`payload_len`
 * bytes), with no padding. Which fields an event kind sets is in
 * docs/abi.md ("Events"); the others are 0.
 */
enum parigot_event_offsets {
  PARIGOT_EV_OFF_KIND = 0,         /**< u32: a #parigot_event_kind */
  PARIGOT_EV_OFF_STATUS = 4,       /**< u32: RESPONSE: a #parigot_code */
  PARIGOT_EV_OFF_CALL_ID = 8,      /**< u64: CALL, RESPONSE: the call */
  PARIGOT_EV_OFF_DEADLINE_NS = 16, /**< u64: CALL: when the caller stops
                                        waiting, ns on the app's clock */
  PARIGOT_EV_OFF_APP_ERROR = 24,   /**< i32: RESPONSE: the service's own
                                        error enum value */
  PARIGOT_EV_OFF_SERVICE = 28,     /**< u32: CALL: which of this guest's
                                        exports, in export_service order */
  PARIGOT_EV_OFF_METHOD_LEN = 32,  /**< u32: CALL: bytes of method name;
                                        DIED, RESTARTED: of the service's
                                        full name */
  PARIGOT_EV_OFF_PAYLOAD_LEN = 36, /**< u32: bytes of payload: CALL's
                                        request, RESPONSE's response or
                                        error message, DIED's reason */
  PARIGOT_EV_OFF_CALLER_LEN = 40,  /**< u32: CALL: bytes of the calling
                                        guest's name */
  PARIGOT_EV_OFF_RESERVED = 44,    /**< u32: 0 */
  PARIGOT_EV_HEADER_SIZE = 48      /**< bytes of header before the names */
};

/** @brief The event header as a struct: the same layout as the offsets
 * above (the header checks it). A guest may copy the first
 * #PARIGOT_EV_HEADER_SIZE bytes of an event into one. */
typedef struct parigot_event_header {
  uint32_t kind;        /**< a #parigot_event_kind */
  uint32_t status;      /**< RESPONSE: a #parigot_code */
  uint64_t call_id;     /**< CALL, RESPONSE: the call */
  uint64_t deadline_ns; /**< CALL: the deadline, on the app's clock */
  int32_t app_error;    /**< RESPONSE: the service's error enum value */
  uint32_t service;     /**< CALL: the export's index */
  uint32_t method_len;  /**< bytes of method (or service) name */
  uint32_t payload_len; /**< bytes of payload */
  uint32_t caller_len;  /**< CALL: bytes of caller name */
  uint32_t reserved;    /**< 0 */
} parigot_event_header;

/** @cond */
#define PARIGOT_ABI_CHECK_OFFSET(field, off)                                   \
  PARIGOT_ABI_ASSERT(offsetof(parigot_event_header, field) == (off),           \
                     "parigot_event_header." #field " is not at " #off)
PARIGOT_ABI_CHECK_OFFSET(kind, PARIGOT_EV_OFF_KIND);
PARIGOT_ABI_CHECK_OFFSET(status, PARIGOT_EV_OFF_STATUS);
PARIGOT_ABI_CHECK_OFFSET(call_id, PARIGOT_EV_OFF_CALL_ID);
PARIGOT_ABI_CHECK_OFFSET(deadline_ns, PARIGOT_EV_OFF_DEADLINE_NS);
PARIGOT_ABI_CHECK_OFFSET(app_error, PARIGOT_EV_OFF_APP_ERROR);
PARIGOT_ABI_CHECK_OFFSET(service, PARIGOT_EV_OFF_SERVICE);
PARIGOT_ABI_CHECK_OFFSET(method_len, PARIGOT_EV_OFF_METHOD_LEN);
PARIGOT_ABI_CHECK_OFFSET(payload_len, PARIGOT_EV_OFF_PAYLOAD_LEN);
PARIGOT_ABI_CHECK_OFFSET(caller_len, PARIGOT_EV_OFF_CALLER_LEN);
PARIGOT_ABI_CHECK_OFFSET(reserved, PARIGOT_EV_OFF_RESERVED);
#undef PARIGOT_ABI_CHECK_OFFSET
PARIGOT_ABI_ASSERT(sizeof(parigot_event_header) == PARIGOT_EV_HEADER_SIZE,
                   "parigot_event_header is not 48 bytes");
/** @endcond */

/* ---- the call context --------------------------------------------------- */

/**
 * @brief Byte offsets of the context record `context_read` writes, and its
 * header's size.
 *
 * The context is who the event being handled is for: the user logged in
 * (if any) and the trace. A CALL carries its caller's context; a RESPONSE
 * the context the call was made with; other events none. The header is
 * followed by the user's id (`user_id_len` bytes), name and roles (role
 * names joined by ','), with no padding.
 */
enum parigot_ctx_offsets {
  PARIGOT_CTX_OFF_FLAGS = 0,         /**< u32: PARIGOT_CTX_HAS_* */
  PARIGOT_CTX_OFF_USER_ID_LEN = 4,   /**< u32: bytes of the user's id */
  PARIGOT_CTX_OFF_USER_NAME_LEN = 8, /**< u32: bytes of the user's name */
  PARIGOT_CTX_OFF_ROLES_LEN = 12,    /**< u32: bytes of the roles */
  PARIGOT_CTX_OFF_TRACE_ID = 16,     /**< 16 bytes: W3C trace-id */
  PARIGOT_CTX_OFF_SPAN_ID = 32,      /**< 8 bytes: W3C parent-id */
  PARIGOT_CTX_OFF_TRACE_FLAGS = 40,  /**< u32: W3C trace-flags */
  PARIGOT_CTX_OFF_RESERVED = 44,     /**< u32: 0 */
  PARIGOT_CTX_HEADER_SIZE = 48       /**< bytes before the strings */
};

/** @brief Bits of the context's flags. */
enum parigot_ctx_flags {
  PARIGOT_CTX_HAS_USER = 1,  /**< a user is logged in */
  PARIGOT_CTX_HAS_TRACE = 2, /**< the trace fields are set */
};

/** @brief The longest user id, in bytes. */
#define PARIGOT_CTX_USER_ID_MAX 64
/** @brief The longest user name, in bytes. */
#define PARIGOT_CTX_USER_NAME_MAX 128
/** @brief The longest list of roles, in bytes. */
#define PARIGOT_CTX_ROLES_MAX 512

/* ---- status codes ------------------------------------------------------- */

/**
 * @brief X-macro list of the status codes calls end with:
 * XX(NAME, value, "meaning"). All 17 of gRPC's, with its numbers, in
 * order. docs/abi.md ("Status codes") says which one a service answers
 * with for what, and which ones parigot itself gives.
 */
#define PARIGOT_CODE_MAP(XX)                                                   \
  XX(OK, 0, "success")                                                         \
  XX(CANCELLED, 1, "the caller gave up")                                       \
  XX(UNKNOWN, 2, "the service's own error (its enum value in app_error)")      \
  XX(INVALID_ARGUMENT, 3, "a bad request, whatever the state")                 \
  XX(DEADLINE_EXCEEDED, 4, "no answer in time")                                \
  XX(NOT_FOUND, 5, "no such thing")                                            \
  XX(ALREADY_EXISTS, 6, "the thing to create exists")                          \
  XX(PERMISSION_DENIED, 7, "not required, not allowed")                        \
  XX(RESOURCE_EXHAUSTED, 8, "too big, too many")                               \
  XX(FAILED_PRECONDITION, 9, "not in this state: no retry until it changes")   \
  XX(ABORTED, 10, "a conflict: retry the whole sequence")                      \
  XX(OUT_OF_RANGE, 11, "past the end of a range")                              \
  XX(UNIMPLEMENTED, 12, "no such method")                                      \
  XX(INTERNAL, 13, "a bug")                                                    \
  XX(UNAVAILABLE, 14, "down for now: retry")                                   \
  XX(DATA_LOSS, 15, "data lost or corrupt")                                    \
  XX(UNAUTHENTICATED, 16, "who are you?")

/** @brief Status codes, as calls end with them: PARIGOT_CODE_OK ...
 * PARIGOT_CODE_UNAUTHENTICATED, as #PARIGOT_CODE_MAP lists them. */
typedef enum parigot_code {
/** @cond */
#define PARIGOT_CODE_ENUM(name, value, what) PARIGOT_CODE_##name = (value),
  PARIGOT_CODE_MAP(PARIGOT_CODE_ENUM)
#undef PARIGOT_CODE_ENUM
  /** @endcond */
} parigot_code;

/** @brief The highest status code: `respond` refuses any above it with
 * PARIGOT_EINVAL. */
#define PARIGOT_CODE_MAX 16

/** @cond */
#define PARIGOT_CODE_ONE(name, value, what) +1
PARIGOT_ABI_ASSERT(PARIGOT_CODE_MAX + 1 ==
                           0 PARIGOT_CODE_MAP(PARIGOT_CODE_ONE) &&
                       PARIGOT_CODE_UNAUTHENTICATED == PARIGOT_CODE_MAX,
                   "status codes are 0 to PARIGOT_CODE_MAX, each once");
#undef PARIGOT_CODE_ONE
/** @endcond */

/* ---- host functions (import module "parigot") --------------------------- */

/**
 * @brief X-macro list of the host functions: XX(name, "signature").
 *
 * The signature is the function's wasm type: one letter per parameter, a
 * colon, one letter per result; `i` is i32 and `I` is i64, so "iii:i" is
 * (i32, i32, i32) -> i32. Pointers are i32 offsets into the guest's
 * memory; every function returns 0 or a negative error of error.h. The
 * kernel refuses a guest that imports a function not listed here, or one
 * with another signature. docs/abi.md ("Host functions") says what each
 * one does; the prototypes below give the parameters' names.
 */
#define PARIGOT_ABI_IMPORT_MAP(XX)                                             \
  XX(export_service, "ii:i")                                                   \
  XX(require_service, "ii:i")                                                  \
  XX(locate, "iii:i")                                                          \
  XX(dispatch, "iiiiiIi:i")                                                    \
  XX(event_read, "iii:i")                                                      \
  XX(respond, "Iiiii:i")                                                       \
  XX(log, "iii:i")                                                             \
  XX(now, "i:i")                                                               \
  XX(event_buffer, "ii:i")                                                     \
  XX(describe, "ii:i")                                                         \
  XX(context_read, "iii:i")                                                    \
  XX(context_set_user, "iiiiii:i")

/** @cond */
#if defined(__wasm__)
/* The host functions as a wasm32 guest calls them, named parigot_abi_
 * and the import's name. The C SDK (guest.c) calls them; a guest's own
 * code rarely needs to. Each matches its signature above, or the kernel
 * refuses the guest at load. */
#define PARIGOT_ABI_IMPORT(name)                                               \
  __attribute__((import_module(PARIGOT_ABI_MODULE), import_name(#name)))
PARIGOT_ABI_IMPORT(export_service)
int32_t parigot_abi_export_service(const char *name, uint32_t name_len);
PARIGOT_ABI_IMPORT(require_service)
int32_t parigot_abi_require_service(const char *name, uint32_t name_len);
PARIGOT_ABI_IMPORT(locate)
int32_t parigot_abi_locate(const char *name, uint32_t name_len,
                           uint32_t *out_handle);
PARIGOT_ABI_IMPORT(dispatch)
int32_t parigot_abi_dispatch(uint32_t handle, const char *method,
                             uint32_t method_len, const uint8_t *req,
                             uint32_t req_len, uint64_t timeout_ns,
                             uint64_t *out_call_id);
PARIGOT_ABI_IMPORT(event_read)
int32_t parigot_abi_event_read(uint8_t *buf, uint32_t cap, uint32_t *out_len);
PARIGOT_ABI_IMPORT(respond)
int32_t parigot_abi_respond(uint64_t call_id, uint32_t status,
                            int32_t app_error, const uint8_t *resp,
                            uint32_t resp_len);
PARIGOT_ABI_IMPORT(log)
int32_t parigot_abi_log(uint32_t level, const char *msg, uint32_t msg_len);
PARIGOT_ABI_IMPORT(now) int32_t parigot_abi_now(uint64_t *out_ns);
PARIGOT_ABI_IMPORT(event_buffer)
int32_t parigot_abi_event_buffer(uint8_t *buf, uint32_t cap);
PARIGOT_ABI_IMPORT(describe)
int32_t parigot_abi_describe(const uint8_t *fdp, uint32_t len);
PARIGOT_ABI_IMPORT(context_read)
int32_t parigot_abi_context_read(uint8_t *buf, uint32_t cap, uint32_t *out_len);
PARIGOT_ABI_IMPORT(context_set_user)
int32_t parigot_abi_context_set_user(const char *id, uint32_t id_len,
                                     const char *name, uint32_t name_len,
                                     const char *roles, uint32_t roles_len);
#undef PARIGOT_ABI_IMPORT
#endif
/** @endcond */

#ifdef __cplusplus
}
#endif

#endif /* PARIGOT_ABI_H */
