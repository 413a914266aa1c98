/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/explore.c: the random choices of an explored schedule (see
 * explore.h). One SplitMix64 stream per app, seeded from the app's seed
 * and its unit, drawn in the order the single deterministic thread asks:
 * the same seed gives the same choices.
 */
#include "explore.h"

#include "parigot/abi.h"
#include "parigot/error.h"

/* At most this late: long enough to let tens of events overtake a
 * message (each takes 1 us of virtual time), short beside any deadline. */
#define EXPLORE_MAX_DELAY_NS 64000u

static uint64_t next(pg_app *app) {
  uint64_t z = (app->explore_rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

int pg_explore_init(pg_app *app) {
  const pg_app_config *cfg = app->cfg;
  if (!cfg->explores_schedule)
    return 0;
  uint64_t unit =
      cfg->unit != NULL ? (uint64_t)(cfg->unit - cfg->manifest->units) + 1 : 0;
  app->explore_rng = cfg->seed ^ (unit << 56);
  app->explore_seen =
      pg_mem_calloc(app->mem, app->nguests + 1, sizeof *app->explore_seen);
  return app->explore_seen != NULL ? 0 : PARIGOT_ENOMEM;
}

void pg_explore_free(pg_app *app) {
  pg_mem_free(app->mem, app->explore_seen);
  app->explore_seen = NULL;
}

uint64_t pg_explore_delay(pg_app *app, const pg_event_spec *e) {
  if (e->kind != PARIGOT_EV_CALL && e->kind != PARIGOT_EV_RESPONSE)
    return 0;
  uint64_t r = next(app);
  if ((r & 1) == 0)
    return 0; /* half the messages go at once */
  uint64_t cap = EXPLORE_MAX_DELAY_NS;
  uint64_t now = pg_app_now(app);
  if (e->kind == PARIGOT_EV_CALL && e->deadline_ns > now &&
      (e->deadline_ns - now) / 2 < cap)
    cap = (e->deadline_ns - now) / 2; /* within its deadline */
  return cap > 0 ? (r >> 1) % cap : 0;
}

uint32_t pg_explore_pick(pg_app *app, uint32_t n) {
  return n > 1 ? (uint32_t)(next(app) % n) : 0;
}
