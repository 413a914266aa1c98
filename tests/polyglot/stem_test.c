/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/polyglot/stem_test.c: a C program that checks the C++ Stemmer of
 * examples/polyglot against words whose Porter stems are known (from
 * Porter's paper and his published vocabulary), and that it refuses what
 * is not a word. Prints each mismatch; exits 1 if any.
 */
#include <stdio.h>
#include <string.h>

#include "parigot/guest.h"
#include "polyglot/v1/text.pg.h"

static const char *const pairs[][2] = {
    {"caresses", "caress"},
    {"ponies", "poni"},
    {"ties", "ti"},
    {"caress", "caress"},
    {"cats", "cat"},
    {"feed", "feed"},
    {"agreed", "agre"},
    {"plastered", "plaster"},
    {"bled", "bled"},
    {"motoring", "motor"},
    {"sing", "sing"},
    {"conflated", "conflat"},
    {"troubled", "troubl"},
    {"sized", "size"},
    {"hopping", "hop"},
    {"tanned", "tan"},
    {"falling", "fall"},
    {"hissing", "hiss"},
    {"fizzed", "fizz"},
    {"failing", "fail"},
    {"filing", "file"},
    {"happy", "happi"},
    {"sky", "sky"},
    {"relational", "relat"},
    {"conditional", "condit"},
    {"rational", "ration"},
    {"generalization", "gener"},
    {"oscillators", "oscil"},
    {"connection", "connect"},
    {"hopeful", "hope"},
    {"goodness", "good"},
    {"adjustable", "adjust"},
    {"replacement", "replac"},
    {"adoption", "adopt"},
    {"effective", "effect"},
    {"probate", "probat"},
    {"rate", "rate"},
    {"cease", "ceas"},
    {"controll", "control"},
    {"roll", "roll"},
    {"running", "run"},
    {"cities", "citi"},
    {"a", "a"},
    {"it's", "it'"},
};
enum { NPAIRS = sizeof pairs / sizeof pairs[0] };

static parigot_pb_bytes words[NPAIRS];

static void refused(void *ctx, const parigot_status *st) {
  (void)ctx;
  bool ok = st->code == PARIGOT_CODE_INVALID_ARGUMENT;
  printf("%s: a word with a capital is refused (%s)\n", ok ? "ok" : "FAIL",
         st->message);
  parigot_exit(ok ? 0 : 1);
}

static void accepted(void *ctx, const polyglot_v1_StemResponse *r) {
  (void)ctx;
  (void)r;
  printf("FAIL: a word with a capital was stemmed\n");
  parigot_exit(1);
}

static void stemmed(void *ctx, const polyglot_v1_StemResponse *r) {
  (void)ctx;
  int bad = 0;
  if (r->stems_count != NPAIRS) {
    printf("FAIL: %zu stems for %d words\n", r->stems_count, (int)NPAIRS);
    parigot_exit(1);
  }
  for (size_t i = 0; i < NPAIRS; i++)
    if (strcmp((const char *)r->stems[i].data, pairs[i][1]) != 0) {
      printf("FAIL: %s -> %s, not %s\n", pairs[i][0],
             (const char *)r->stems[i].data, pairs[i][1]);
      bad++;
    }
  printf("%d of %d stems as Porter's\n", NPAIRS - bad, NPAIRS);
  if (bad)
    parigot_exit(1);
  static parigot_pb_bytes capital = {(uint8_t *)"Word", 4};
  polyglot_v1_StemRequest req;
  polyglot_v1_StemRequest_init(&req);
  req.words_count = 1;
  req.words = &capital;
  polyglot_v1_Stemmer_Stem(&req, accepted, refused, NULL);
}

static void failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  printf("FAIL: Stem failed: %u %s\n", (unsigned)st->code, st->message);
  parigot_exit(1);
}

void parigot_guest_declare(void) {
  polyglot_v1_Stemmer_require();
}

void parigot_guest_start(void) {
  for (size_t i = 0; i < NPAIRS; i++) {
    words[i].data = (uint8_t *)pairs[i][0];
    words[i].len = strlen(pairs[i][0]);
  }
  polyglot_v1_StemRequest req;
  polyglot_v1_StemRequest_init(&req);
  req.words_count = NPAIRS;
  req.words = words;
  polyglot_v1_Stemmer_Stem(&req, stemmed, failed, NULL);
}
