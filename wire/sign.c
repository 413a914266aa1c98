/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/sign.c: who a call comes from, between the units of an app.
 *
 * A unit's call to another carries its identity in headers: parigot-caller
 * (the calling guest), parigot-call-id ("UNIT/ID", the caller's call),
 * the context (parigot-user, parigot-user-name, parigot-roles,
 * traceparent), parigot-timestamp (Unix seconds) and parigot-signature:
 * the lower-case hex of HMAC-SHA-256, keyed with the app's secret, of
 *
 *   "parigot-sig-v1\n" then, for each of: the sending unit, :path, the
 *   call id, the caller, the user, the user's name, its roles, the
 *   traceparent, the timestamp, and the hex SHA-256 of the request body
 *   as sent (its gRPC frame included): the field's length in decimal,
 *   ':', the field, '\n'.
 *
 * (lengths first, so that no field can run into the next). The serving
 * unit checks it with pg_ct_equal and takes the timestamp within
 * PG_WIRE_SIGN_WINDOW_S of its own clock; then, and only then, the call is
 * from a peer (is_from_peer) with those values. Without a signature, or
 * without a secret, every parigot-* header is ignored: the caller is the
 * client's address, the origin "" and nobody is logged in (door.c may log
 * a user in from Authorization); a well-formed traceparent is kept, since
 * a trace may start outside. A signature that is there and wrong is
 * refused (UNAUTHENTICATED).
 *
 * Replay: the signature binds the call to its path, its body, its caller
 * and user and its call id, so a captured call cannot be turned into
 * another one, and the window keeps an old capture useless. Within the
 * window, each signature is taken once: the unit remembers the ones it
 * took (SEEN_SLOTS of them, each until its window ends), and a call whose
 * signature it took already is refused as a wrong one. The memory is
 * bounded: a unit taking more than SEEN_SLOTS calls in two minutes forgets
 * the oldest first, and one who reads the traffic between units could
 * replay those; TLS between units (issue 20) closes that, and hides the
 * headers and bodies, which only a private network between units hides
 * until then.
 *
 * Owns the table of signatures seen (w->seen); loop thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hmac.h"
#include "sha256.h"
#include "wireint.h"

#define PG_WIRE_SIGN_WINDOW_S 60
#define SEEN_SLOTS 16384u /* a power of two */
#define SEEN_PROBES 8u

/* A signature taken, until its timestamp leaves the window. */
typedef struct seen {
  uint8_t mac[16];
  long long until; /* Unix seconds; 0: empty */
} seen;
#define PG_WIRE_SIGN_VERSION "parigot-sig-v1\n"

/* One field of the signed string: "LEN:VALUE\n". */
static void field(pg_hmac_sha256_ctx *h, const char *v, size_t len) {
  char n[24];
  int k = snprintf(n, sizeof n, "%zu:", len);
  pg_hmac_sha256_update(h, n, (size_t)k);
  pg_hmac_sha256_update(h, v, len);
  pg_hmac_sha256_update(h, "\n", 1);
}

static void sfield(pg_hmac_sha256_ctx *h, const char *v) {
  field(h, v, strlen(v));
}

typedef struct signed_call {
  const char *unit;
  size_t unit_len;
  const char *path, *call_id, *caller;
  const char *user_id, *user_name, *user_roles, *traceparent;
  const char *timestamp;
  char body_hex[65];
} signed_call;

static void mac(const pg_wire *w, const signed_call *c,
                uint8_t out[PG_SHA256_LEN]) {
  pg_hmac_sha256_ctx h;
  pg_hmac_sha256_init(&h, w->cfg.secret, w->cfg.secret_len);
  pg_hmac_sha256_update(&h, PG_WIRE_SIGN_VERSION,
                        sizeof PG_WIRE_SIGN_VERSION - 1);
  field(&h, c->unit, c->unit_len);
  sfield(&h, c->path);
  sfield(&h, c->call_id);
  sfield(&h, c->caller);
  sfield(&h, c->user_id);
  sfield(&h, c->user_name);
  sfield(&h, c->user_roles);
  sfield(&h, c->traceparent);
  sfield(&h, c->timestamp);
  sfield(&h, c->body_hex);
  pg_hmac_sha256_final(&h, out);
}

static void hash_hex(const uint8_t *a, size_t alen, const uint8_t *b,
                     size_t blen, char out[65]) {
  pg_sha256 s;
  uint8_t d[PG_SHA256_LEN];
  pg_sha256_init(&s);
  pg_sha256_update(&s, a, alen);
  if (blen > 0)
    pg_sha256_update(&s, b, blen);
  pg_sha256_final(&s, d);
  pg_sha256_hex(d, out);
}

bool pg_wire_sign(const pg_wire *w, const pg_wire_job *j, const char *path,
                  const char *call_id, const uint8_t *prefix, size_t plen,
                  char timestamp[24], char signature[72]) {
  if (w->cfg.secret == NULL || w->cfg.secret_len == 0)
    return false;
  snprintf(timestamp, 24, "%lld", (long long)time(NULL));
  signed_call c = {.unit = w->cfg.unit,
                   .unit_len = strlen(w->cfg.unit),
                   .path = path,
                   .call_id = call_id,
                   .caller = j->caller,
                   .user_id = j->user_id,
                   .user_name = j->user_name,
                   .user_roles = j->user_roles,
                   .traceparent = j->traceparent,
                   .timestamp = timestamp};
  hash_hex(prefix, plen, j->msg, j->len, c.body_hex);
  uint8_t d[PG_SHA256_LEN];
  mac(w, &c, d);
  pg_sha256_hex(d, signature);
  return true;
}

/* Copies header @p name into @p out (cap bytes); false when too long. */
static bool take(const pg_wire_stream *s, const char *name, char *out,
                 size_t cap) {
  const char *v = pg_wire_hdrs_get(&s->headers, name);
  if (v == NULL)
    v = "";
  size_t n = strlen(v);
  if (n >= cap)
    return false;
  memcpy(out, v, n + 1);
  return true;
}

static int hexval(char c) {
  return c >= '0' && c <= '9'   ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                : -1;
}

/* The signature's 32 bytes from its 64 hex digits; false if malformed. */
static bool unhex(const char *v, uint8_t out[PG_SHA256_LEN]) {
  if (strlen(v) != 2 * PG_SHA256_LEN)
    return false;
  for (size_t i = 0; i < PG_SHA256_LEN; i++) {
    int hi = hexval(v[2 * i]), lo = hexval(v[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return false;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return true;
}

/* Whether @p ts is Unix seconds within the window of now. */
static bool is_recent(const char *ts) {
  size_t n = strlen(ts);
  if (n == 0 || n > 18 || strspn(ts, "0123456789") != n)
    return false;
  long long t = strtoll(ts, NULL, 10), now = (long long)time(NULL);
  return t >= now - PG_WIRE_SIGN_WINDOW_S && t <= now + PG_WIRE_SIGN_WINDOW_S;
}

/* Whether @p mac was taken already; if not, remembers it until @p until.
 * False (taken before) or true (new). */
static bool first_time(pg_wire *w, const uint8_t mac[PG_SHA256_LEN],
                       long long until) {
  if (w->seen == NULL &&
      (w->seen = pg_mem_calloc(w->mem, SEEN_SLOTS, sizeof(seen))) == NULL)
    return true; /* out of memory: the window alone guards */
  seen *t = w->seen;
  long long now = (long long)time(NULL);
  uint32_t h;
  memcpy(&h, mac, sizeof h); /* a MAC's bytes are uniform */
  seen *free_slot = NULL;
  for (uint32_t i = 0; i < SEEN_PROBES; i++) {
    seen *e = &t[(h + i) & (SEEN_SLOTS - 1)];
    if (e->until >= now && memcmp(e->mac, mac, sizeof e->mac) == 0)
      return false;
    if (free_slot == NULL || e->until < free_slot->until)
      free_slot = e; /* an empty or expired one, or the oldest */
  }
  memcpy(free_slot->mac, mac, sizeof free_slot->mac);
  free_slot->until = until;
  return true;
}

/* A signed call's identity into @p who; false when it is not right. */
static bool check(pg_wire_stream *s, const char *sig, pg_wire_who *who) {
  pg_wire *w = s->c->w;
  uint8_t want[PG_SHA256_LEN], got[PG_SHA256_LEN];
  char ts[24];
  if (w->cfg.secret == NULL || w->cfg.secret_len == 0 || !unhex(sig, got) ||
      !take(s, "parigot-timestamp", ts, sizeof ts) || !is_recent(ts) ||
      !take(s, "parigot-caller", who->caller, sizeof who->caller) ||
      !take(s, "parigot-call-id", who->origin, sizeof who->origin) ||
      !take(s, "parigot-user", who->user_id, sizeof who->user_id) ||
      !take(s, "parigot-user-name", who->user_name, sizeof who->user_name) ||
      !take(s, "parigot-roles", who->user_roles, sizeof who->user_roles) ||
      !take(s, "traceparent", who->traceparent, sizeof who->traceparent))
    return false;
  const char *slash = strchr(who->origin, '/');
  if (slash == NULL || slash == who->origin)
    return false; /* the call id names the sending unit */
  signed_call c = {.unit = who->origin,
                   .unit_len = (size_t)(slash - who->origin),
                   .path = s->path,
                   .call_id = who->origin,
                   .caller = who->caller,
                   .user_id = who->user_id,
                   .user_name = who->user_name,
                   .user_roles = who->user_roles,
                   .traceparent = who->traceparent,
                   .timestamp = ts};
  hash_hex(s->body, s->len, NULL, 0, c.body_hex);
  mac(w, &c, want);
  return pg_ct_equal(want, got, sizeof want) &&
         first_time(w, got, strtoll(ts, NULL, 10) + PG_WIRE_SIGN_WINDOW_S);
}

int pg_wire_sign_check(pg_wire_stream *s) {
  pg_wire_who *who = &s->who;
  *who = (pg_wire_who){0};
  const char *sig = pg_wire_hdrs_get(&s->headers, "parigot-signature");
  if (s->is_too_big)
    sig = NULL; /* its body is not kept: it fails for its size anyway */
  if (sig != NULL) {
    pg_wire_who peer = {.is_from_peer = true};
    if (!check(s, sig, &peer))
      return -1;
    *who = peer;
    return 0;
  }
  /* Not a peer: nothing it says of itself counts. */
  snprintf(who->caller, sizeof who->caller, "%s", s->c->name);
  const char *tp = pg_wire_hdrs_get(&s->headers, "traceparent");
  if (tp != NULL && strlen(tp) == 55 && strspn(tp, "0123456789abcdef-") == 55)
    memcpy(who->traceparent, tp, 56);
  return sig != NULL ? -1 : 0;
}
