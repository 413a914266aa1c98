/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file guest.h
 * @brief The C guest SDK: futures, the event loop, calls, logging, exit.
 *
 * A guest is a wasm32-wasi reactor. The SDK defines its exports
 * (docs/abi.md); the programmer writes two functions:
 * - parigot_guest_declare(): runs once at start-up; call the generated
 *   `pkg_Service_require()` for each service used and
 *   `pkg_Service_export(&handlers)` for each service implemented;
 * - parigot_guest_start(): runs when everything the guest requires is
 *   ready. For a service this is its ready hook; for a program, its body.
 *
 * Everything is asynchronous and single-threaded. A generated client stub
 * encodes the request, dispatches it and returns a #parigot_future whose
 * continuations run later, from the event loop, with the decoded response
 * or a #parigot_status. A handler receives a #parigot_call and answers it
 * with the generated `..._respond()` or parigot_call_fail(), at once or
 * later. Values passed to continuations and handlers live until they
 * return.
 */
#ifndef PARIGOT_GUEST_H
#define PARIGOT_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parigot/abi.h"
#include "parigot/pb.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @cond */
#ifdef __cplusplus
#define PARIGOT_NORETURN [[noreturn]]
#else
#define PARIGOT_NORETURN _Noreturn
#endif
/** @endcond */

/** @brief Why a call or a future failed. */
typedef struct parigot_status {
  uint32_t code;       /**< a #parigot_code */
  int32_t app_error;   /**< with PARIGOT_CODE_UNKNOWN: the service's error
                            enum value */
  const char *message; /**< NUL-terminated; may be empty, never NULL */
} parigot_status;

/** @brief A value that arrives later. Owned by the SDK: freed after it
 * settles and its continuations have run. */
typedef struct parigot_future parigot_future;

/** @brief Runs with a future's value (for a call: the decoded response). */
typedef void (*parigot_future_ok)(void *ctx, const void *value);
/** @brief Runs with the reason a future failed. */
typedef void (*parigot_future_fail)(void *ctx, const parigot_status *status);

/**
 * @brief A future settled only by parigot_future_resolve() or
 * parigot_future_reject().
 * @return the future, or NULL when out of memory.
 */
parigot_future *parigot_future_new(void);

/**
 * @brief Adds continuations; they run in the order added. Add them before
 * returning to the event loop: a future is freed once it settles.
 * @param[in] f     the future.
 * @param[in] ok    runs on success (may be NULL).
 * @param[in] fail  runs on failure (may be NULL).
 * @param[in] ctx   passed to both.
 */
void parigot_future_on(parigot_future *f, parigot_future_ok ok,
                       parigot_future_fail fail, void *ctx);

/**
 * @brief Settles @p f with a value; runs its success continuations.
 * @param[in] f      an unsettled future.
 * @param[in] value  passed to them; must live until they return.
 */
void parigot_future_resolve(parigot_future *f, const void *value);

/**
 * @brief Settles @p f with a failure; runs its failure continuations.
 * @param[in] f       an unsettled future.
 * @param[in] status  passed to them.
 */
void parigot_future_reject(parigot_future *f, const parigot_status *status);

/**
 * @brief A future that succeeds (with no value) when all of @p fs have
 * succeeded, and fails with the first failure among them.
 * @param[in] fs  the futures; each must be unsettled.
 * @param[in] n   how many (0 succeeds at once).
 * @return the combined future, or NULL when out of memory.
 */
parigot_future *parigot_future_all(parigot_future *const *fs, size_t n);

/**
 * @brief A future that succeeds with the value of the first of @p fs to
 * succeed, and fails (with the last failure) when all of them fail.
 * @param[in] fs  the futures; each must be unsettled.
 * @param[in] n   how many (at least 1).
 * @return the combined future, or NULL when out of memory.
 */
parigot_future *parigot_future_any(parigot_future *const *fs, size_t n);

/** @brief An incoming call, from its arrival until it is answered. */
typedef struct parigot_call parigot_call;

/**
 * @brief The call's id: unique in the app, also in the log.
 * @param[in] c  the call.
 * @return its id.
 */
uint64_t parigot_call_id(const parigot_call *c);

/**
 * @brief When the caller stops waiting, on the app's clock (ns; see
 * parigot_now()).
 * @param[in] c  the call.
 * @return the deadline.
 */
uint64_t parigot_call_deadline(const parigot_call *c);

/**
 * @brief How long until the caller stops waiting, in ns; 0 once passed.
 * @param[in] c  the call.
 * @return the time left before parigot_call_deadline().
 */
uint64_t parigot_call_time_left(const parigot_call *c);

/**
 * @brief The app's clock, in ns since the app started: the clock of call
 * deadlines (virtual in deterministic mode).
 * @return the time now.
 */
uint64_t parigot_now(void);

/**
 * @brief The name of the guest that made the call (from the manifest).
 * @param[in] c  the call.
 * @return a NUL-terminated name, owned by the call.
 */
const char *parigot_call_caller(const parigot_call *c);

/** @brief The user a call is for: who logged in where it came from. */
typedef struct parigot_user {
  const char *id;    /**< the login, unique in the app; NUL-terminated */
  const char *name;  /**< the name to show; NUL-terminated */
  const char *roles; /**< role names joined by ',', "" when none */
} parigot_user;

/**
 * @brief The user the event being handled is for: in a handler, the user
 * of the call being answered; in a continuation (a future's callback),
 * the user of the call it continues. The calls this guest makes now carry
 * the same user, with nothing to copy: the kernel hands it down.
 * @param[out] out  receives the user; its strings stay valid until the
 *                  event ends. Untouched when there is none.
 * @return true when a user is logged in, false otherwise (and outside an
 *         event, and in a START).
 */
bool parigot_call_user(parigot_user *out);

/**
 * @brief Whether the user of the event being handled has role @p role.
 * @param[in] role  a role name, NUL-terminated.
 * @return false when no user is logged in.
 */
bool parigot_call_user_has_role(const char *role);

/**
 * @brief Make the calls this guest starts from now until the event ends
 * for another user: what a login service does once it has checked who is
 * there. Only a guest the manifest marks `authenticates = true` may.
 * @param[in] id     the user's login (NULL or "": nobody, logged out).
 * @param[in] name   the name to show (NULL: the login).
 * @param[in] roles  role names joined by ',' (NULL: none).
 * @return 0, or PARIGOT_EPERM (the manifest does not let this guest),
 *         PARIGOT_EINVAL (a string too long or with a byte it may not
 *         hold, or outside an event).
 */
int parigot_call_set_user(const char *id, const char *name, const char *roles);

/**
 * @brief Give the next call this guest starts its own deadline instead of
 * the app's default; calls after it are back to the default.
 * @param[in] ns  how long the caller waits, in ns (0: the default).
 */
void parigot_next_call_timeout(uint64_t ns);

/**
 * @brief Answer a call with a failure; frees the call.
 * @param[in] c          the call.
 * @param[in] code       a #parigot_code other than OK; for the service's
 *                       own errors PARIGOT_CODE_UNKNOWN.
 * @param[in] app_error  the service's error enum value (0 for none).
 * @param[in] message    a short explanation (may be NULL).
 * @return 0, or a negative #parigot_errno (PARIGOT_ECANCELED: the caller
 *         had already stopped waiting).
 */
int parigot_call_fail(parigot_call *c, uint32_t code, int32_t app_error,
                      const char *message);

/** @brief Log levels. */
typedef enum parigot_level {
  PARIGOT_DEBUG = 0, /**< details */
  PARIGOT_INFO = 1,  /**< what happened */
  PARIGOT_WARN = 2,  /**< something to look at */
  PARIGOT_ERROR = 3  /**< something failed */
} parigot_level;

/**
 * @brief One line in the app's log, with this guest's name and the call
 * being handled.
 * @param[in] level  a #parigot_level.
 * @param[in] fmt    printf format.
 */
void parigot_log(parigot_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * @brief This guest's arguments: its name (the manifest's `name`), then
 * the manifest's `args`. A guest is a reactor, with no main() to receive
 * them; its environment (the manifest's `env`) is plain getenv().
 * @param[out] argc  how many (may be NULL); 0 when out of memory.
 * @return a NULL-terminated array, owned by the SDK and valid for the
 *         guest's life, or NULL when out of memory.
 */
const char *const *parigot_args(int *argc);

/**
 * @brief End this program with @p code as its exit status, after flushing
 * stdout and stderr. Never returns. A 0 becomes 1 when checks of
 * parigot/testing.h have failed (parigot_testing_failures()): a test whose
 * expectations failed fails.
 * @param[in] code  0 for success.
 */
PARIGOT_NORETURN void parigot_exit(int code);

/**
 * @brief Called when a service this guest requires has died: with its
 * descriptor, and why ("unreachable executed", "ran past its
 * max_handler_time (1s)"...). Calls to it fail with UNAVAILABLE from then
 * on.
 */
typedef void (*parigot_died_fn)(const parigot_pb_service_desc *service,
                                const char *why);

/**
 * @brief Have @p fn called when a service this guest requires dies (none
 * by default). Typically set in parigot_guest_start().
 * @param[in] fn  the function, or NULL for none.
 */
void parigot_on_required_died(parigot_died_fn fn);

/**
 * @brief Called when a service this guest requires is back after a
 * restart (its manifest's `restart = "on-failure"`): calls to it succeed
 * again.
 */
typedef void (*parigot_restarted_fn)(const parigot_pb_service_desc *service);

/**
 * @brief Have @p fn called when a service this guest requires is back
 * after a restart (none by default).
 * @param[in] fn  the function, or NULL for none.
 */
void parigot_on_required_restarted(parigot_restarted_fn fn);

/**
 * @brief Called once when the app ends and this guest is stopped: after
 * every guest that requires it has stopped, so the services it requires
 * still answer. Calls it makes here are answered before it is let go.
 */
typedef void (*parigot_stop_fn)(void);

/**
 * @brief Have @p fn called when this guest is stopped (none by default).
 * Typically set in parigot_guest_start().
 * @param[in] fn  the function, or NULL for none.
 */
void parigot_on_stop(parigot_stop_fn fn);

/**
 * @brief Written by the programmer: declare exports and requirements.
 */
void parigot_guest_declare(void);

/**
 * @brief Written by the programmer: the ready hook (services) or the body
 * (programs); runs once everything required is ready.
 */
void parigot_guest_start(void);

/** @cond internal */
/* Used by generated code only. parigot_dispatch() runs the failure
 * continuation at once, and returns NULL, when the call cannot start. */
typedef void (*parigot_invoke_fn)(parigot_call *c, const void *req,
                                  const void *handlers);
typedef void (*parigot_typed_fn)(void);
typedef void (*parigot_adapt_fn)(parigot_typed_fn fn, void *ctx,
                                 const void *value);
void parigot_require(const parigot_pb_service_desc *s);
void parigot_describe(const parigot_pb_file_desc *f);
void parigot_export(const parigot_pb_service_desc *s,
                    const parigot_invoke_fn *invokers, const void *handlers);
parigot_future *parigot_dispatch(const parigot_pb_service_desc *s,
                                 uint32_t method, const void *req,
                                 parigot_typed_fn ok, parigot_adapt_fn adapt,
                                 parigot_future_fail fail, void *ctx);
int parigot_respond(parigot_call *c, const parigot_pb_message_desc *d,
                    const void *resp);
/** @endcond */

#ifdef __cplusplus
}
#endif

#endif /* PARIGOT_GUEST_H */
