/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/polyglot/report_test.c: the polyglot example's test program
 * (`parigot test polyglot.toml`). Each case sends the Summarizer a text
 * whose summary is worked out by hand and checks every field, so a wrong
 * sentence split (Rust), word split or stop word (AssemblyScript) or stem
 * (C++) fails it; then the errors of each service in the chain.
 */
#include <stdio.h>
#include <string.h>

#include "parigot/guest.h"
#include "polyglot/v1/text.pg.h"

typedef struct expect {
  const char *name, *text;
  uint32_t top;
  uint32_t sentences, words, distinct;
  double per_sentence;
  const char *stems; /* "stem:count ..." in order */
  uint32_t code;     /* a failure expected instead, with app_error */
  int32_t app_error;
} expect;

static const expect cases[] = {
    {"stems and stop words", "The cats ran. Cats run fast! A cat runs?", 2, 3,
     9, 4, 3.0, "cat:3 run:2", 0, 0},
    {"one sentence without a stop", "Connected connections connect", 5, 1, 3, 1,
     3.0, "connect:3", 0, 0},
    {"ties by stem", "zebras and apples; apples, zebras!", 5, 1, 5, 2, 5.0,
     "appl:2 zebra:2", 0, 0},
    {"apostrophes and case", "It's Bob's 'Hoping' HOPING hopes", 3, 1, 5, 3,
     5.0, "hope:3 bob':1 it':1", 0, 0},
    {"no words", "... !? 42", 3, 0, 0, 0, 0, "", PARIGOT_CODE_UNKNOWN,
     polyglot_v1_SUMMARY_ERROR_EMPTY_TEXT},
    {"top out of range", "Words here.", 21, 0, 0, 0, 0, "",
     PARIGOT_CODE_UNKNOWN, polyglot_v1_SUMMARY_ERROR_TOP_OUT_OF_RANGE},
};
enum { NCASES = sizeof cases / sizeof cases[0] };

static size_t next;
static int failures;
static void run_next(void);

static void check(const expect *e, const polyglot_v1_SummarizeResponse *r) {
  char got[512] = "";
  size_t n = 0;
  for (size_t i = 0; i < r->top_count && n < sizeof got; i++)
    n += (size_t)snprintf(got + n, sizeof got - n, "%s%s:%u", i ? " " : "",
                          (const char *)r->top[i].stem.data,
                          (unsigned)r->top[i].count);
  if (e->code != 0 || r->sentences != e->sentences || r->words != e->words ||
      r->distinct != e->distinct || r->words_per_sentence != e->per_sentence ||
      strcmp(got, e->stems)) {
    printf("FAIL %s: got %u sentences, %u words, %u distinct, %.2f, [%s]\n",
           e->name, (unsigned)r->sentences, (unsigned)r->words,
           (unsigned)r->distinct, r->words_per_sentence, got);
    failures++;
  } else {
    printf("ok   %s\n", e->name);
  }
}

static void answered(void *ctx, const polyglot_v1_SummarizeResponse *r) {
  check(ctx, r);
  run_next();
}

static void failed(void *ctx, const parigot_status *st) {
  const expect *e = ctx;
  if (st->code == e->code && st->app_error == e->app_error) {
    printf("ok   %s (%s)\n", e->name, st->message);
  } else {
    printf("FAIL %s: failed with code %u, app error %d: %s\n", e->name,
           (unsigned)st->code, (int)st->app_error, st->message);
    failures++;
  }
  run_next();
}

static void run_next(void) {
  if (next == NCASES) {
    printf("%d of %d failed\n", failures, NCASES);
    parigot_exit(failures ? 1 : 0);
  }
  const expect *e = &cases[next++];
  polyglot_v1_SummarizeRequest req;
  polyglot_v1_SummarizeRequest_init(&req);
  req.text.data = (uint8_t *)e->text;
  req.text.len = strlen(e->text);
  req.top = e->top;
  polyglot_v1_Summarizer_Summarize(&req, answered, failed, (void *)e);
}

void parigot_guest_declare(void) {
  polyglot_v1_Summarizer_require();
}

void parigot_guest_start(void) {
  run_next();
}
