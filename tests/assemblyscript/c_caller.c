/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/assemblyscript/c_caller.c: a C program that calls the
 * AssemblyScript probe (as_probe.ts); its first argument names the
 * scenario, and it prints what happened for the test to check.
 *   refuse   the probe's own error, with its enum value
 *   missing  a method the probe does not implement
 *   died     Crash: the DIED event and UNAVAILABLE
 *   later    Later answered by Release, out of order
 *   memory   100000 echoes of 1 KiB; the probe's memory after 1000 and
 *            after all of them
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#include "astest/v1/astest.pg.h"
#include "parigot/guest.h"

static char scenario[32];

static void failed(void *ctx, const parigot_status *st) {
  printf("%s: code=%u app_error=%d message=%s\n", (const char *)ctx,
         (unsigned)st->code, (int)st->app_error, st->message);
  if (strcmp(ctx, "crash") != 0)
    parigot_exit(strcmp(ctx, "later") == 0 ? 1 : 0);
}

static void unexpected(void *ctx, const astest_v1_Empty *resp) {
  (void)resp;
  printf("%s: answered\n", (const char *)ctx);
  parigot_exit(1);
}

static bool saw_died, saw_crash;

static void died(const parigot_pb_service_desc *s, const char *why) {
  printf("died: %s: %s\n", s->full_name, why);
  saw_died = true;
  if (saw_crash)
    parigot_exit(0);
}

static void crash_failed(void *ctx, const parigot_status *st) {
  failed(ctx, st);
  saw_crash = true;
  if (saw_died)
    parigot_exit(0);
}

/* ---- later: Later is answered when Release comes. */

static void later_answered(void *ctx, const astest_v1_Empty *resp) {
  (void)ctx;
  (void)resp;
  printf("later answered\n");
}

static void released(void *ctx, const astest_v1_Count *resp) {
  (void)ctx;
  printf("released %u\n", (unsigned)resp->n);
  parigot_exit(0);
}

/* ---- memory: echoes one after another. */

enum { ECHOES = 100000, WARM = 1000 };
static uint8_t payload[1024];
static int echoes;
static uint32_t warm_pages;

static void next_echo(void);

static void measured(void *ctx, const astest_v1_MemoryResponse *resp) {
  (void)ctx;
  if (echoes == WARM) {
    warm_pages = resp->pages;
    next_echo();
    return;
  }
  printf("pages after %d: %u, after %d: %u\n", WARM, (unsigned)warm_pages,
         ECHOES, (unsigned)resp->pages);
  parigot_exit(0);
}

static void echoed(void *ctx, const astest_v1_Blob *resp) {
  (void)ctx;
  if (resp->data.len != sizeof payload ||
      memcmp(resp->data.data, payload, sizeof payload) != 0) {
    printf("echo %d came back different\n", echoes);
    parigot_exit(1);
  }
  if (++echoes == WARM || echoes == ECHOES) {
    astest_v1_Empty e;
    astest_v1_Empty_init(&e);
    astest_v1_Probe_Memory(&e, measured, failed, "memory");
    return;
  }
  next_echo();
}

static void next_echo(void) {
  astest_v1_Blob b;
  astest_v1_Blob_init(&b);
  b.data.data = payload;
  b.data.len = sizeof payload;
  b.text.data = (uint8_t *)"echo";
  b.text.len = 4;
  astest_v1_Probe_Echo(&b, echoed, failed, "echo");
}

void parigot_guest_declare(void) {
  __wasi_size_t argc = 0, size = 0;
  if (__wasi_args_sizes_get(&argc, &size) == 0 && argc >= 2) {
    char **argv = calloc(argc, sizeof *argv);
    char *buf = malloc(size);
    if (argv && buf && __wasi_args_get((uint8_t **)argv, (uint8_t *)buf) == 0)
      snprintf(scenario, sizeof scenario, "%s", argv[1]);
    free(argv);
    free(buf);
  }
  astest_v1_Probe_require();
}

void parigot_guest_start(void) {
  astest_v1_Empty e;
  astest_v1_Empty_init(&e);
  for (size_t i = 0; i < sizeof payload; i++)
    payload[i] = (uint8_t)(i * 7 + 1);
  if (strcmp(scenario, "refuse") == 0) {
    astest_v1_Probe_Refuse(&e, unexpected, failed, "refuse");
  } else if (strcmp(scenario, "missing") == 0) {
    astest_v1_Probe_Missing(&e, unexpected, failed, "missing");
  } else if (strcmp(scenario, "died") == 0) {
    parigot_on_required_died(died);
    astest_v1_Probe_Crash(&e, unexpected, crash_failed, "crash");
  } else if (strcmp(scenario, "later") == 0) {
    astest_v1_Probe_Later(&e, later_answered, failed, "later");
    astest_v1_Probe_Release(&e, released, failed, "release");
  } else if (strcmp(scenario, "memory") == 0) {
    next_echo();
  } else {
    parigot_log(PARIGOT_ERROR, "unknown scenario '%s'", scenario);
    parigot_exit(2);
  }
}
