/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/polyglot/report.c: the polyglot example's program, in C. It
 * asks the Summarizer (Rust) for a summary of a paragraph and prints it;
 * the Summarizer asks the WordCounter (AssemblyScript), which asks the
 * Stemmer (C++). Then it asks for the summary of an empty text, to show
 * the Rust service's own error reaching C with its enum value.
 */
#include <stdio.h>

#include "parigot/guest.h"
#include "polyglot/v1/text.pg.h"

static const char paragraph[] =
    "Services are written in different languages. A service written in "
    "Rust calls a service written in AssemblyScript, which calls a "
    "service written in C++. Each call crosses the same interface! Do "
    "the calls keep their order, their deadlines and their errors? They "
    "do, because every service speaks protobuf through the same ABI.";

static void print_summary(const polyglot_v1_SummarizeResponse *r) {
  printf("%u sentences, %u words, %u distinct stems, %.2f words per "
         "sentence\n",
         (unsigned)r->sentences, (unsigned)r->words, (unsigned)r->distinct,
         r->words_per_sentence);
  for (size_t i = 0; i < r->top_count; i++)
    printf("  %-10s %u\n", (const char *)r->top[i].stem.data,
           (unsigned)r->top[i].count);
}

static void refused(void *ctx, const parigot_status *st) {
  (void)ctx;
  const char *name = st->app_error == polyglot_v1_SUMMARY_ERROR_EMPTY_TEXT
                         ? "SUMMARY_ERROR_EMPTY_TEXT"
                         : "another error";
  printf("empty text: refused with %s (%s)\n", name, st->message);
  parigot_exit(st->code == PARIGOT_CODE_UNKNOWN &&
                       st->app_error == polyglot_v1_SUMMARY_ERROR_EMPTY_TEXT
                   ? 0
                   : 1);
}

static void empty_summarized(void *ctx,
                             const polyglot_v1_SummarizeResponse *r) {
  (void)ctx;
  (void)r;
  printf("empty text: summarized, which is a bug\n");
  parigot_exit(1);
}

static void failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  parigot_log(PARIGOT_ERROR, "Summarize failed: code %u: %s",
              (unsigned)st->code, st->message);
  parigot_exit(1);
}

static void summarized(void *ctx, const polyglot_v1_SummarizeResponse *r) {
  (void)ctx;
  print_summary(r);
  polyglot_v1_SummarizeRequest req;
  polyglot_v1_SummarizeRequest_init(&req);
  req.top = 3;
  polyglot_v1_Summarizer_Summarize(&req, empty_summarized, refused, NULL);
}

void parigot_guest_declare(void) {
  polyglot_v1_Summarizer_require();
}

void parigot_guest_start(void) {
  polyglot_v1_SummarizeRequest req;
  polyglot_v1_SummarizeRequest_init(&req);
  req.text.data = (uint8_t *)paragraph;
  req.text.len = sizeof paragraph - 1;
  req.top = 5;
  polyglot_v1_Summarizer_Summarize(&req, summarized, failed, NULL);
}
