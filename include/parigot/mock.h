/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file mock.h
 * @brief Mocks of services for test programs (C, and C++ through C).
 *
 * protoc-gen-parigot writes, beside each service's client and skeleton, a
 * typed mock on this runtime: for a service `pkg.Svc` with a method `M`,
 * `pkg_Svc_mock_new()`, `pkg_Svc_mock_export()`, `pkg_Svc_expect_M()`,
 * `pkg_Svc_expect_M_if()`, `pkg_Svc_M_answer()`, `pkg_Svc_M_calls()` and
 * `pkg_Svc_M_call()`. A test program lists the manifest's service in its
 * `mocks = [...]`, creates and exports the mock in parigot_guest_declare()
 * (the kernel sends a test's exports calls before its start), sets
 * expectations, runs the code under test, and calls parigot_mock_verify():
 *
 * @code
 * static parigot_mock *mock;
 * void parigot_guest_declare(void) {
 *   mock = pkg_Svc_mock_new();
 *   pkg_Svc_mock_export(mock);
 *   pkg_Other_require();               // the service under test
 * }
 * void parigot_guest_start(void) {
 *   pkg_MRequest want = ...;
 *   parigot_mock_expect *e = pkg_Svc_expect_M(mock, &want); // exactly once
 *   pkg_Svc_M_answer(e, &reply);
 *   ... call pkg_Other, and when it answers:
 *   parigot_exit(parigot_mock_verify(mock) ? 0 : 1);
 * }
 * @endcode
 *
 * A call goes to the first expectation, in the order they were set, whose
 * method and request match and that has not had all the calls it allows;
 * when every matching one is full, to the last of them (which then counts
 * a call too many). A call no expectation matches is failed with
 * UNIMPLEMENTED naming the method, and counted. An expectation answers
 * with its canned response (the default response when none was given) or
 * its error, after its delay.
 *
 * Everything a mock holds (expectations, copies of requests and answers,
 * the record of calls) is on the heap and freed by parigot_mock_free();
 * the record keeps the first #PARIGOT_MOCK_MAX_RECORDED requests of each
 * method and counts the rest. Single-threaded, as guests are.
 */
#ifndef PARIGOT_MOCK_H
#define PARIGOT_MOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parigot/guest.h"
#include "parigot/pb.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Requests kept per method for parigot_mock_request(). */
#define PARIGOT_MOCK_MAX_RECORDED 256u

/** @brief A mock of one service. Owned by the test: parigot_mock_free(). */
typedef struct parigot_mock parigot_mock;

/** @brief One expectation, owned by its mock. */
typedef struct parigot_mock_expect parigot_mock_expect;

/**
 * @brief How a mock waits before a delayed answer: a future that succeeds
 * once @p ns have passed on the app's clock; by default
 * parigot_testing_sleep() (parigot.test.v1.Test's Sleep, which
 * `parigot test` gives every test app and the mock's export requires).
 */
typedef parigot_future *(*parigot_mock_sleep_fn)(uint64_t ns);

/**
 * @brief A mock of @p service, with no expectations (generated code calls
 * this from `pkg_Svc_mock_new()`).
 * @param[in] service  the service; static.
 * @param[in] file     the file that defines it; static.
 * @return the mock (heap), or NULL when out of memory.
 */
parigot_mock *parigot_mock_new(const parigot_pb_service_desc *service,
                               const parigot_pb_file_desc *file);

/**
 * @brief Frees the mock, its expectations and its record. An answer still
 * waiting for its delay keeps what it needs until it has gone out.
 * @param[in] m  the mock, or NULL.
 */
void parigot_mock_free(parigot_mock *m);

/**
 * @brief Sets how the mock waits for a delay (see #parigot_mock_sleep_fn;
 * parigot_testing_sleep() unless set). With NULL, a delayed answer goes
 * out at once and verify reports it.
 * @param[in] m   the mock.
 * @param[in] fn  the sleep, or NULL.
 */
void parigot_mock_set_sleep(parigot_mock *m, parigot_mock_sleep_fn fn);

/**
 * @brief Expects calls of a method: by default exactly one call, with any
 * request, answered with the default response. Generated code calls this.
 * @param[in] m       the mock.
 * @param[in] service its service (a mock of another one refuses it).
 * @param[in] method  the method's index in the service.
 * @param[in] req     the request to match, field by field (copied), or
 *                    NULL for any request.
 * @param[in] file    where the expectation was set (for reports); static.
 * @param[in] line    and its line.
 * @return the expectation, owned by @p m; NULL when out of memory or
 *         @p service is not the mock's (the mock's verify fails then).
 */
parigot_mock_expect *parigot_mock_expect_call(
    parigot_mock *m, const parigot_pb_service_desc *service, uint32_t method,
    const void *req, const char *file, int line);

/** @cond internal */
typedef bool (*parigot_mock_match_adapt)(parigot_typed_fn fn, const void *req,
                                         void *ctx);
/** @endcond */

/**
 * @brief Matches the expectation's requests with a predicate instead of
 * equality (generated code: `pkg_Svc_expect_M_if()`).
 * @param[in] e      the expectation (NULL is ignored, as in every setter).
 * @param[in] fn     the typed predicate.
 * @param[in] adapt  calls it with the typed request.
 * @param[in] ctx    passed to it.
 * @param[in] what   how reports name it (e.g. the function's name).
 */
void parigot_mock_match(parigot_mock_expect *e, parigot_typed_fn fn,
                        parigot_mock_match_adapt adapt, void *ctx,
                        const char *what);

/**
 * @brief Expect exactly @p n calls (0: the method must not be called).
 * @param[in] e  the expectation.
 * @param[in] n  how many.
 */
void parigot_mock_times(parigot_mock_expect *e, uint32_t n);

/**
 * @brief Expect at least @p n calls, with no upper bound.
 * @param[in] e  the expectation.
 * @param[in] n  how many at least.
 */
void parigot_mock_at_least(parigot_mock_expect *e, uint32_t n);

/**
 * @brief Any number of calls, none included.
 * @param[in] e  the expectation.
 */
void parigot_mock_any_times(parigot_mock_expect *e);

/**
 * @brief Answer the expectation's calls with @p resp (copied), replacing
 * an error set before (generated code: `pkg_Svc_M_answer()`).
 * @param[in] e     the expectation.
 * @param[in] resp  a response of the method's output type.
 */
void parigot_mock_answer(parigot_mock_expect *e, const void *resp);

/**
 * @brief Fail the expectation's calls, replacing an answer set before.
 * @param[in] e          the expectation.
 * @param[in] code       a #parigot_code other than OK.
 * @param[in] app_error  the service's error enum value (with UNKNOWN).
 * @param[in] message    the status message (copied; NULL for none).
 */
void parigot_mock_fail(parigot_mock_expect *e, uint32_t code, int32_t app_error,
                       const char *message);

/**
 * @brief Answer the expectation's calls @p ns after they arrive, on the
 * app's clock (through the mock's sleep: parigot_testing_sleep()).
 * @param[in] e   the expectation.
 * @param[in] ns  the delay.
 */
void parigot_mock_delay(parigot_mock_expect *e, uint64_t ns);

/**
 * @brief Checks that every expectation had the calls it wanted and that
 * no call was unexpected; logs each failure with parigot_log() at ERROR
 * (service, method, where the expectation was set, the request) and
 * counts it among the test's failed checks (parigot/testing.h), so that
 * the test ends with status 1 even if it then calls parigot_exit(0).
 * @param[in] m  the mock.
 * @return true when all is as expected.
 */
bool parigot_mock_verify(parigot_mock *m);

/**
 * @brief How many calls of a method the mock has had (expected or not).
 * @param[in] m       the mock.
 * @param[in] method  the method's index.
 * @return the count.
 */
size_t parigot_mock_calls(const parigot_mock *m, uint32_t method);

/**
 * @brief The request of the @p i-th call of a method (from 0), decoded.
 * @param[in] m       the mock.
 * @param[in] method  the method's index.
 * @param[in] i       which call.
 * @return the request, owned by the mock until parigot_mock_free(); NULL
 *         past the calls had, or past #PARIGOT_MOCK_MAX_RECORDED.
 */
const void *parigot_mock_request(const parigot_mock *m, uint32_t method,
                                 size_t i);

/**
 * @brief How many calls the mock failed because no expectation matched.
 * @param[in] m  the mock.
 * @return the count.
 */
size_t parigot_mock_unexpected(const parigot_mock *m);

/**
 * @brief The answers still waiting for their delay.
 * @param[in] m  the mock.
 * @return the count.
 */
size_t parigot_mock_pending(const parigot_mock *m);

/**
 * @brief Writes @p msg in protobuf's text format on one line
 * (`sku: "apple" items { quantity: 2 }`), cut with "..." to fit.
 * @param[in] d    the message's type.
 * @param[in] msg  the message.
 * @param[out] out where the text goes, NUL-terminated.
 * @param[in] cap  bytes at @p out (at least 4).
 */
void parigot_mock_format(const parigot_pb_message_desc *d, const void *msg,
                         char *out, size_t cap);

/** @cond internal */
/* Generated code: the invoker of method @p method of a mock. */
void parigot_mock_invoke(parigot_call *c, uint32_t method, const void *req,
                         const void *mock);
void parigot_mock_export(parigot_mock *m, const parigot_invoke_fn *invokers);
/** @endcond */

#ifdef __cplusplus
}
#endif

#endif /* PARIGOT_MOCK_H */
