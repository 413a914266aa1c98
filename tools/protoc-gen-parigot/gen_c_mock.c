/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/protoc-gen-parigot/gen_c_mock.c: the C mock of a service, in the
 * header gen_c.c writes: typed, static inline wrappers around the mock
 * runtime of include/parigot/mock.h (sdk/c/mock.c), so that a guest that
 * never mocks links none of it. For a service `pkg_Svc` and each method
 * `M`: an invoker that hands the call to the runtime with M's index,
 * `pkg_Svc_mock_new()`, `pkg_Svc_mock_export()`, `pkg_Svc_expect_M()` and
 * `pkg_Svc_expect_M_if()` (macros that add the caller's file and line),
 * `pkg_Svc_M_answer()`, `pkg_Svc_M_calls()` and `pkg_Svc_M_call()`.
 */
#include "gen_c.h"

static void emit_method(pg_strbuf *h, const char *n, const char *m,
                        const char *in, const char *out) {
  pg_strbuf_printf(
      h,
      "static inline void %s_%s__mock_invoke(parigot_call *c, const void "
      "*req,\n    const void *mock) {\n"
      "  parigot_mock_invoke(c, %s_%s_METHOD, req, mock);\n}\n"
      "/** @brief Expects calls of %s with a request equal to @p req, field "
      "by field\n * (NULL: any request); by default exactly one. */\n"
      "static inline parigot_mock_expect *%s_expect_%s_at(parigot_mock *m,\n"
      "    const %s *req, const char *file, int line) {\n"
      "  return parigot_mock_expect_call(m, &%s_desc, %s_%s_METHOD, req, "
      "file,\n                                  line);\n}\n"
      "#define %s_expect_%s(m, req) \\\n"
      "  %s_expect_%s_at((m), (req), __FILE__, __LINE__)\n"
      "static inline bool %s_%s__match(parigot_typed_fn fn, const void *req,\n"
      "    void *ctx) {\n"
      "  return ((bool (*)(const %s *, void *))fn)((const %s *)req, ctx);\n}\n"
      "/** @brief Expects calls of %s whose request @p pred accepts. */\n"
      "static inline parigot_mock_expect *%s_expect_%s_if_at(parigot_mock "
      "*m,\n    bool (*pred)(const %s *req, void *ctx), void *ctx,\n"
      "    const char *what, const char *file, int line) {\n"
      "  parigot_mock_expect *e =\n"
      "      parigot_mock_expect_call(m, &%s_desc, %s_%s_METHOD, NULL, file, "
      "line);\n"
      "  parigot_mock_match(e, (parigot_typed_fn)pred, %s_%s__match, ctx, "
      "what);\n  return e;\n}\n"
      "#define %s_expect_%s_if(m, pred, ctx) \\\n"
      "  %s_expect_%s_if_at((m), (pred), (ctx), #pred, __FILE__, __LINE__)\n"
      "/** @brief The expectation's calls of %s are answered with @p resp "
      "(copied). */\n"
      "static inline void %s_%s_answer(parigot_mock_expect *e, const %s "
      "*resp) {\n  parigot_mock_answer(e, resp);\n}\n"
      "/** @brief How many calls of %s the mock has had. */\n"
      "static inline size_t %s_%s_calls(const parigot_mock *m) {\n"
      "  return parigot_mock_calls(m, %s_%s_METHOD);\n}\n"
      "/** @brief The request of the @p i-th call of %s (from 0), or NULL. */\n"
      "static inline const %s *%s_%s_call(const parigot_mock *m, size_t i) {\n"
      "  return (const %s *)parigot_mock_request(m, %s_%s_METHOD, i);\n}\n",
      /* invoke */ n, m, n, m,
      /* expect */ m, n, m, in, n, n, m, n, m, n, m,
      /* match */ n, m, in, in,
      /* expect_if */ m, n, m, in, n, n, m, n, m, n, m, n, m,
      /* answer */ m, n, m, out,
      /* calls */ m, n, m, n, m,
      /* call */ m, in, n, m, in, n, m);
}

void pg_gen_c_mock(pg_strbuf *h, const char *n, const char *file_sym,
                   const pd_service *s, const pg_type *const *ins,
                   const pg_type *const *outs) {
  pg_strbuf_printf(h, "/* The mock of %s (parigot/mock.h). */\n", n);
  for (size_t i = 0; i < s->n_method; i++)
    emit_method(h, n, s->method[i]->name, ins[i]->c_name, outs[i]->c_name);
  pg_strbuf_printf(h,
                   "/** @brief A mock of the service, with no expectations; "
                   "free it with\n * parigot_mock_free(). */\n"
                   "static inline parigot_mock *%s_mock_new(void) {\n"
                   "  return parigot_mock_new(&%s_desc, &%s);\n}\n"
                   "/** @brief Exports @p m as the service (in "
                   "parigot_guest_declare of a test\n * that mocks it). */\n"
                   "static inline void %s_mock_export(parigot_mock *m) {\n"
                   "  static const parigot_invoke_fn invokers[] = {\n",
                   n, n, file_sym, n);
  for (size_t i = 0; i < s->n_method; i++)
    pg_strbuf_printf(h, "      %s_%s__mock_invoke,\n", n, s->method[i]->name);
  pg_strbuf_printf(h, "      NULL};\n  parigot_mock_export(m, invokers);\n}\n");
}
