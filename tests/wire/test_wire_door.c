/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/wire/test_wire_door.c: a unit's port as the front door: who a call is
 * from (signed between units, forged from outside), Authorization: Basic
 * on gRPC, Connect and HTTP routes, the throttle of failed logins, HTTP
 * routes (longest prefix, methods, HEAD, 413, the guest's headers and
 * status, a directory), /healthz and /readyz, on HTTP/1.1 and HTTP/2.
 *
 * The wire runs here through the kernel's transport interface
 * (pg_wire_transport_kind) with a kernel of the test's own behind it,
 * which answers every call with what it was told of the call (caller,
 * origin, user, roles, trace); the clients are real: curl, Python's
 * grpcio, another unit's wire.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "parigot/transport.h"
#include "pbwire.h"
#include "test.h"
#include "test_proc.h"
#include "wire_transport.h"

#define SECRET "0123456789abcdef-the-app-secret"

/* ---- a kernel of the test's own ---------------------------------------- */

typedef struct fake {
  pg_transport *t;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  uint64_t next_id;
  bool is_up;
  bool has_answer;
  uint32_t answer_status;
  char answer[1024];
  char log[8192];
} fake;

typedef struct buf {
  uint8_t p[8192];
  size_t len;
} buf;

static void put(buf *b, const void *d, size_t n) {
  if (b->len + n <= sizeof b->p) {
    memcpy(b->p + b->len, d, n);
    b->len += n;
  }
}

static void put_field(buf *b, uint32_t num, const char *s, size_t n) {
  uint8_t v[10];
  put(b, v, pg_pbwire_put_varint(v, (uint64_t)num << 3 | 2));
  put(b, v, pg_pbwire_put_varint(v, n));
  put(b, s, n);
}

static void put_header(buf *b, const char *name, const char *value) {
  buf h = {.len = 0};
  put_field(&h, 1, name, strlen(name));
  put_field(&h, 2, value, strlen(value));
  put_field(b, 2, (const char *)h.p, h.len);
}

/* What the guest of a route saw, and its answer by the path. */
static void page(const pg_transport_call_in *c, buf *out, uint32_t *status) {
  pg_pbwire_reader r = pg_pbwire_reader_of(c->req, c->req_len);
  pg_pbwire_field f;
  char s[8][512] = {{0}};
  char headers[2048] = "";
  bool has_auth = false, has_parigot = false;
  while (r.p < r.end && pg_pbwire_read_field(&r, &f) == NULL) {
    if (f.num == 4) {
      pg_pbwire_field h[3];
      ASSERT_TRUE(pg_pbwire_read_shape(f.p, f.len, "LL", h));
      has_auth |= h[1].len == 13 && memcmp(h[1].p, "authorization", 13) == 0;
      has_parigot |= h[1].len > 8 && memcmp(h[1].p, "parigot-", 8) == 0;
      if (h[1].len == 6 && memcmp(h[1].p, "x-test", 6) == 0)
        snprintf(headers, sizeof headers, "%.*s", (int)h[2].len, h[2].p);
    } else if (f.num < 8 && f.wt == PG_PBWIRE_LEN) {
      snprintf(s[f.num], sizeof s[f.num], "%.*s", (int)f.len, f.p);
    }
  }
  const char *path = s[2];
  uint8_t v[10];
  if (strstr(path, "/redirect") != NULL) {
    put(out, v, pg_pbwire_put_varint(v, 1 << 3));
    put(out, v, pg_pbwire_put_varint(v, 302));
    put_header(out, "location", "/elsewhere");
    return;
  }
  if (strstr(path, "/bad") != NULL) {
    put_header(out, "x-bad", "a\r\nset-cookie: evil=1");
    return;
  }
  if (strstr(path, "/length") != NULL) {
    put_header(out, "content-length", "5");
    return;
  }
  if (strstr(path, "/fail401") != NULL) {
    *status = 16;
    return;
  }
  if (strstr(path, "/slow") != NULL) {
    *status = 4;
    return;
  }
  char body[2048];
  int n = snprintf(body, sizeof body,
                   "route=%s method=%s path=%s query=%s user=%s roles=%s "
                   "caller=%s peer=%d x-test=%s auth-passed=%d "
                   "parigot-passed=%d body=%s remote=%s\n",
                   s[6], s[1], s[2], s[3], c->ctx.user_id, c->ctx.user_roles,
                   c->caller, c->is_from_peer, headers, has_auth, has_parigot,
                   s[5], s[7]);
  put_header(out, "content-type", "text/plain; charset=utf-8");
  put_header(out, "set-cookie", "a=1; Path=/");
  put_header(out, "set-cookie", "b=2; Path=/");
  put_header(out, "X-Guest", "yes");
  put_field(out, 3, body, (size_t)n);
}

static uint32_t on_call(void *user, const pg_transport_call_in *c, uint64_t *id,
                        char *why, size_t why_cap) {
  fake *k = user;
  pthread_mutex_lock(&k->mu);
  *id = ++k->next_id;
  pthread_mutex_unlock(&k->mu);
  char svc[128];
  snprintf(svc, sizeof svc, "%.*s/%.*s", (int)c->service_len, c->service,
           (int)c->method_len, c->method);
  buf out = {.len = 0};
  uint32_t status = 0;
  if (strcmp(svc, "t.v1.Pages/Handle") == 0) {
    page(c, &out, &status);
  } else if (strcmp(svc, "t.v1.Echo/Who") == 0) {
    out.len = (size_t)snprintf(
        (char *)out.p, sizeof out.p,
        "peer=%d caller=%s origin=%s user=%s name=%s roles=%s trace=%s "
        "req=%.*s",
        c->is_from_peer, c->caller, c->origin, c->ctx.user_id, c->ctx.user_name,
        c->ctx.user_roles, c->ctx.traceparent, (int)c->req_len,
        (const char *)c->req);
  } else if (strcmp(svc, "t.v1.Echo/Secret") == 0) {
    status = 16;
    out.len = (size_t)snprintf((char *)out.p, sizeof out.p, "who are you");
  } else {
    snprintf(why, why_cap, "no method %s", svc);
    return 12;
  }
  pg_transport_answer a = {*id, status, 0, out.p, out.len};
  k->t->ops->reply(k->t, &a);
  return 0;
}

static void on_cancel(void *user, uint64_t id) {
  (void)user, (void)id;
}

static void on_answered(void *user, const pg_transport_answer *a) {
  fake *k = user;
  pthread_mutex_lock(&k->mu);
  k->has_answer = true;
  k->answer_status = a->status;
  snprintf(k->answer, sizeof k->answer, "%.*s", (int)a->len,
           (const char *)a->body);
  pthread_cond_broadcast(&k->cv);
  pthread_mutex_unlock(&k->mu);
}

static void on_peer(void *user, uint32_t peer, bool is_up, const char *why) {
  fake *k = user;
  (void)peer, (void)why;
  pthread_mutex_lock(&k->mu);
  k->is_up = is_up;
  pthread_cond_broadcast(&k->cv);
  pthread_mutex_unlock(&k->mu);
}

static void on_log(void *user, int level, const char *msg) {
  fake *k = user;
  (void)level;
  pthread_mutex_lock(&k->mu);
  size_t n = strlen(k->log);
  snprintf(k->log + n, sizeof k->log - n, "%s\n", msg);
  pthread_mutex_unlock(&k->mu);
}

/* ---- the units ---------------------------------------------------------- */

static char dir[64];
static char users_path[128], groups_path[128], www[128];

static const pg_transport_route routes[] = {
    {.path = "/shop",
     .methods = "GET,POST",
     .service = "t.v1.Pages",
     .method = "Handle",
     .roles = ""},
    {.path = "/shop/admin",
     .methods = "",
     .service = "t.v1.Pages",
     .method = "Handle",
     .needs_login = true,
     .roles = "admin"},
    {.path = "/members",
     .methods = "GET",
     .service = "t.v1.Pages",
     .method = "Handle",
     .needs_login = true,
     .roles = ""},
    {.path = "/static", .methods = "GET", .dir = www, .index = "index.html"},
};

/* htpasswd and group files, and a directory of files, once. */
static void write_files(void) {
  if (dir[0] != '\0')
    return;
  snprintf(dir, sizeof dir, "/tmp/pg-door-XXXXXX");
  ASSERT_TRUE(mkdtemp(dir) != NULL);
  char *argv[] = {"/usr/bin/openssl", "passwd",      "-6", "-salt",
                  "pgsalt00",         "right horse", NULL};
  pg_proc_result r;
  pg_proc_run(argv, NULL, NULL, &r);
  ASSERT_EQ(r.status, 0);
  r.out[strcspn(r.out, "\n")] = '\0';
  snprintf(users_path, sizeof users_path, "%s/users.htpasswd", dir);
  FILE *f = fopen(users_path, "w");
  fprintf(f, "alice:%s\nbob:%s\n", r.out, r.out);
  fclose(f);
  pg_proc_result_free(&r);
  snprintf(groups_path, sizeof groups_path, "%s/users.groups", dir);
  f = fopen(groups_path, "w");
  fprintf(f, "staff: alice\nadmin: bob\n");
  fclose(f);
  snprintf(www, sizeof www, "%s/www", dir);
  mkdir(www, 0755);
  char path[192];
  snprintf(path, sizeof path, "%s/hello.txt", www);
  f = fopen(path, "w");
  fprintf(f, "hello, file\n");
  fclose(f);
}

static pg_transport_peer peers[2] = {{"a", NULL, 0}, {"b", "127.0.0.1", 0}};

/* Opens unit @p unit ("b" serves at a free port; "a" only calls) with
 * @p secret (NULL: none). */
static pg_transport *open_unit(fake *k, const char *unit, const char *secret) {
  write_files();
  pthread_mutex_init(&k->mu, NULL);
  pthread_cond_init(&k->cv, NULL);
  bool is_b = strcmp(unit, "b") == 0;
  pg_transport_config cfg = {
      .unit = unit,
      .host = is_b ? "127.0.0.1" : NULL,
      .peers = peers,
      .npeers = 2,
      .max_message_size = 4096,
      .secret = (const uint8_t *)secret,
      .secret_len = secret != NULL ? strlen(secret) : 0,
      .routes = is_b ? routes : NULL,
      .nroutes = is_b ? sizeof routes / sizeof routes[0] : 0,
      .auth = {is_b ? users_path : NULL, groups_path, "shop"}};
  pg_transport_events ev = {on_call, on_cancel, on_answered,
                            on_peer, on_log,    k};
  char err[256];
  pg_transport *t = NULL;
  int rc = pg_wire_transport_kind.open(&pg_wire_transport_kind, &cfg, &ev,
                                       pg_mem_default(), &t, err, sizeof err);
  if (rc != 0)
    PG_FAIL("open %s: %s", unit, err);
  k->t = t;
  if (is_b)
    peers[1].port = t->ops->port(t);
  return t;
}

static char base[64];

static pg_transport *serve_b(fake *k) {
  pg_transport *t = open_unit(k, "b", SECRET);
  t->ops->serve(t);
  snprintf(base, sizeof base, "http://127.0.0.1:%u", peers[1].port);
  return t;
}

/* curl with @p ... (NULL-terminated) after "-s -i"; the URL is base +
 * the first argument. */
static void curl(pg_proc_result *r, const char *path, ...) {
  char url[512];
  snprintf(url, sizeof url, "%s%s", base, path);
  char *argv[40] = {"/usr/bin/curl", "-s", "-i", "--max-time", "30", url};
  int n = 6;
  va_list ap;
  va_start(ap, path);
  const char *a;
  while ((a = va_arg(ap, const char *)) != NULL && n < 38)
    argv[n++] = (char *)a;
  va_end(ap);
  argv[n] = NULL;
  pg_proc_run(argv, NULL, NULL, r);
}

/* ---- who a call is from ------------------------------------------------- */

PG_TEST(wire_door_forged_identity_headers_change_nothing) {
  fake k = {0};
  pg_transport *t = serve_b(&k);
  const char *h2[] = {"--http1.1", "--http2-prior-knowledge"};
  for (int i = 0; i < 2; i++) {
    pg_proc_result r;
    curl(&r, "/t.v1.Echo/Who", h2[i], "-H", "content-type: application/proto",
         "-H", "parigot-caller: evil", "-H", "parigot-call-id: b/666", "-H",
         "parigot-user: root", "-H", "parigot-roles: admin", "-H",
         "parigot-user-name: Root", "--data-binary", "hi", NULL);
    ASSERT_EQ(r.status, 0);
    ASSERT_CONTAINS(r.out, " 200");
    ASSERT_CONTAINS(r.out, "peer=0 caller=127.0.0.1 origin= user= name= "
                           "roles= trace= req=hi");
    pg_proc_result_free(&r);
  }
  /* A traceparent from outside is kept: a trace may start there. */
  pg_proc_result r;
  curl(&r, "/t.v1.Echo/Who", "-H", "content-type: application/proto", "-H",
       "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
       "--data-binary", "x", NULL);
  ASSERT_CONTAINS(r.out, "trace=00-0af7651916cd43dd8448eb211c80319c-"
                         "b7ad6b7169203331-01");
  pg_proc_result_free(&r);
  /* ... and on a route, nothing parigot-* reaches the guest. */
  curl(&r, "/shop/x", "-H", "parigot-user: root", "-H", "parigot-caller: evil",
       NULL);
  ASSERT_CONTAINS(r.out, "user= roles= caller=127.0.0.1 peer=0");
  ASSERT_CONTAINS(r.out, "parigot-passed=0");
  pg_proc_result_free(&r);
  t->ops->free(t);
}

PG_TEST(wire_door_bad_signature_is_refused) {
  fake k = {0};
  pg_transport *t = serve_b(&k);
  char ts[32];
  snprintf(ts, sizeof ts, "parigot-timestamp: %lld", (long long)time(NULL));
  pg_proc_result r;
  curl(&r, "/t.v1.Echo/Who", "-H", "content-type: application/proto", "-H",
       "parigot-call-id: a/1", "-H", "parigot-user: root", "-H", ts, "-H",
       "parigot-signature: "
       "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
       "--data-binary", "hi", NULL);
  ASSERT_CONTAINS(r.out, "HTTP/1.1 401");
  ASSERT_CONTAINS(r.out, "unauthenticated");
  ASSERT_TRUE(strstr(r.out, "peer=") == NULL);
  pg_proc_result_free(&r);
  /* Logged once per connection, naming the client. */
  ASSERT_CONTAINS(k.log, "127.0.0.1:");
  ASSERT_CONTAINS(k.log, "wrong parigot-signature");
  /* grpcio: UNAUTHENTICATED. */
  char port[16];
  snprintf(port, sizeof port, "%u", peers[1].port);
  char *py[] = {"/usr/bin/python3", PG_WIRE_SOURCE "/door_grpc.py", port,
                "forged", NULL};
  pg_proc_run(py, NULL, NULL, &r);
  ASSERT_EQ(r.status, 0);
  ASSERT_CONTAINS(r.out, "forged: UNAUTHENTICATED");
  pg_proc_result_free(&r);
  t->ops->free(t);
}

/* The scheme as docs/auth.md gives it, computed by Python apart from the
 * wire's code, is taken; the same call again is not, nor another user
 * under its signature, nor a signature two minutes old. */
PG_TEST(wire_door_signature_as_documented_is_taken_once) {
  fake k = {0};
  pg_transport *t = serve_b(&k);
  char port[16];
  snprintf(port, sizeof port, "%u", peers[1].port);
  char *py[] = {"/usr/bin/python3",
                PG_WIRE_SOURCE "/door_grpc.py",
                port,
                "signed",
                SECRET,
                NULL};
  pg_proc_result r;
  pg_proc_run(py, NULL, NULL, &r);
  ASSERT_EQ(r.status, 0);
  ASSERT_STREQ(r.out, "signed: peer=1 caller=py-guest origin=a/42 user=carol "
                      "name=Carol roles=staff trace= req=x\n"
                      "again: UNAUTHENTICATED\n"
                      "other user: UNAUTHENTICATED\n"
                      "old: UNAUTHENTICATED\n");
  pg_proc_result_free(&r);
  t->ops->free(t);
}

/* Unit a calls Echo/Who at unit b for alice, signed with @p secret; the
 * answer's status and text into @p k. */
static void call_from_a(fake *k, const char *secret) {
  pg_transport *a = open_unit(k, "a", secret);
  a->ops->connect(a, 1);
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 20;
  pthread_mutex_lock(&k->mu);
  while (!k->is_up)
    ASSERT_EQ(pthread_cond_timedwait(&k->cv, &k->mu, &until), 0);
  pthread_mutex_unlock(&k->mu);
  pg_transport_call_out c = {
      .peer = 1,
      .id = 7,
      .service = "t.v1.Echo",
      .method = "Who",
      .method_len = 3,
      .req = "hello",
      .req_len = 5,
      .timeout_ns = 5000000000ull,
      .caller = "front-guest",
      .ctx = {"alice", "Alice A.", "staff,web",
              "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}};
  ASSERT_EQ(a->ops->call(a, &c), 0);
  pthread_mutex_lock(&k->mu);
  while (!k->has_answer)
    ASSERT_EQ(pthread_cond_timedwait(&k->cv, &k->mu, &until), 0);
  pthread_mutex_unlock(&k->mu);
  a->ops->free(a);
}

PG_TEST(wire_door_signed_call_between_units_carries_the_user) {
  fake kb = {0}, ka = {0};
  pg_transport *b = serve_b(&kb);
  call_from_a(&ka, SECRET);
  ASSERT_EQ(ka.answer_status, 0);
  ASSERT_STREQ(ka.answer,
               "peer=1 caller=front-guest origin=a/7 user=alice "
               "name=Alice A. roles=staff,web "
               "trace=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01 "
               "req=hello");
  /* Another secret: refused, and b says so. */
  fake kc = {0};
  call_from_a(&kc, "another-secret-of-16-bytes");
  ASSERT_EQ(kc.answer_status, 16);
  ASSERT_CONTAINS(kb.log, "wrong parigot-signature");
  /* No secret at a: no signature, so a is a client like any other. */
  fake kd = {0};
  call_from_a(&kd, NULL);
  ASSERT_EQ(kd.answer_status, 0);
  ASSERT_CONTAINS(kd.answer, "peer=0 caller=127.0.0.1 origin= user= ");
  b->ops->free(b);
}

/* ---- Basic -------------------------------------------------------------- */

static const char challenge[] =
    "www-authenticate: Basic realm=\"shop\", charset=\"UTF-8\"";

PG_TEST(wire_door_basic_auth_on_connect_grpc_and_routes) {
  fake k = {0};
  pg_transport *t = serve_b(&k);
  pg_proc_result r;
  /* Connect: right, wrong, unknown user, none, malformed. */
  curl(&r, "/t.v1.Echo/Who", "-u", "alice:right horse", "-H",
       "content-type: application/proto", "--data-binary", "x", NULL);
  ASSERT_CONTAINS(r.out, "peer=0 caller=127.0.0.1 origin= user=alice "
                         "name=alice roles=staff");
  pg_proc_result_free(&r);
  curl(&r, "/t.v1.Echo/Who", "-u", "alice:wrong horse", "-H",
       "content-type: application/proto", "--data-binary", "x", NULL);
  ASSERT_CONTAINS(r.out, "HTTP/1.1 401");
  ASSERT_CONTAINS(r.out, challenge);
  ASSERT_TRUE(strstr(r.out, "horse") == NULL);
  pg_proc_result_free(&r);
  curl(&r, "/t.v1.Echo/Who", "-u", "mallory:right horse", "-H",
       "content-type: application/proto", "--data-binary", "x", NULL);
  ASSERT_CONTAINS(r.out, "HTTP/1.1 401");
  pg_proc_result_free(&r);
  curl(&r, "/t.v1.Echo/Who", "-H", "content-type: application/proto",
       "--data-binary", "x", NULL);
  ASSERT_CONTAINS(r.out, "user= name= roles=");
  pg_proc_result_free(&r);
  const char *bad[] = {"authorization: Bearer abc",
                       "authorization: Basic !!!notbase64",
                       "authorization: Basic bm9jb2xvbg==" /* nocolon */};
  for (int i = 0; i < 3; i++) {
    curl(&r, "/t.v1.Echo/Who", "-H", bad[i], "-H",
         "content-type: application/proto", "--data-binary", "x", NULL);
    ASSERT_CONTAINS(r.out, "HTTP/1.1 401");
    ASSERT_CONTAINS(r.out, challenge);
    pg_proc_result_free(&r);
  }
  /* The kernel's UNAUTHENTICATED for a Connect call gets the challenge. */
  curl(&r, "/t.v1.Echo/Secret", "-H", "content-type: application/proto",
       "--data-binary", "x", NULL);
  ASSERT_CONTAINS(r.out, "HTTP/1.1 401");
  ASSERT_CONTAINS(r.out, challenge);
  pg_proc_result_free(&r);
  /* gRPC. */
  char port[16];
  snprintf(port, sizeof port, "%u", peers[1].port);
  char *py[] = {"/usr/bin/python3", PG_WIRE_SOURCE "/door_grpc.py", port,
                "basic", NULL};
  pg_proc_run(py, NULL, NULL, &r);
  ASSERT_EQ(r.status, 0);
  ASSERT_STREQ(r.out, "right: peer=0 caller=127.0.0.1 origin= user=alice "
                      "name=alice roles=staff trace= req=x\n"
                      "wrong: UNAUTHENTICATED\n"
                      "none: peer=0 caller=127.0.0.1 origin= user= name= "
                      "roles= trace= req=x\n");
  pg_proc_result_free(&r);
  /* A route that needs a login: none 401, wrong 401, right 200, a user
   * without the role 403, with it 200. */
  curl(&r, "/members", NULL);
  ASSERT_CONTAINS(r.out, "HTTP/1.1 401");
  ASSERT_CONTAINS(r.out, challenge);
  pg_proc_result_free(&r);
  curl(&r, "/members", "-u", "bob:wrong", NULL);
  ASSERT_CONTAINS(r.out, "HTTP/1.1 401");
  pg_proc_result_free(&r);
  curl(&r, "/members/list", "-u", "bob:right horse", NULL);
  ASSERT_CONTAINS(r.out, "HTTP/1.1 200");
  ASSERT_CONTAINS(r.out, "route=/members method=GET path=/members/list");
  ASSERT_CONTAINS(r.out, "user=bob roles=admin");
  ASSERT_CONTAINS(r.out, "auth-passed=0");
  pg_proc_result_free(&r);
  curl(&r, "/shop/admin/x", "-u", "alice:right horse", NULL);
  ASSERT_CONTAINS(r.out, "HTTP/1.1 403");
  pg_proc_result_free(&r);
  curl(&r, "/shop/admin/x", "-u", "bob:right horse", "--http2-prior-knowledge",
       NULL);
  ASSERT_CONTAINS(r.out, "HTTP/2 200");
  ASSERT_CONTAINS(r.out, "route=/shop/admin ");
  pg_proc_result_free(&r);
  ASSERT_TRUE(strstr(k.log, "horse") == NULL); /* never logged */
  t->ops->free(t);
}

PG_TEST(wire_door_throttle_slows_repeated_failures) {
  fake k = {0};
  pg_transport *t = serve_b(&k);
  double took[9];
  for (int i = 0; i < 9; i++) {
    pg_proc_result r;
    curl(&r, "/members", "-u", "alice:guess", NULL);
    ASSERT_CONTAINS(r.out, "HTTP/1.1 401");
    took[i] = r.elapsed_s;
    pg_proc_result_free(&r);
  }
  /* The first five are free (a hash each); then 0.5 s, 1 s, 2 s... */
  ASSERT_TRUE(took[0] < 0.4);
  ASSERT_TRUE(took[6] >= 0.45);
  ASSERT_TRUE(took[7] >= 0.9);
  ASSERT_TRUE(took[8] > took[6]);
  /* Another request meanwhile is not held: the loop never waits. */
  pg_proc_result r;
  curl(&r, "/healthz", NULL);
  ASSERT_TRUE(r.elapsed_s < 0.4);
  pg_proc_result_free(&r);
  /* Eight at once, while the client's checks are held: four wait their
   * turn (and fail), the others are turned away at once. */
  char url[128];
  snprintf(url, sizeof url, "%s/members", base);
  char *par[] = {"/usr/bin/curl",
                 "-s",
                 "--parallel",
                 "--parallel-immediate",
                 "-u",
                 "alice:guess",
                 "-o",
                 "/dev/null",
                 "-w",
                 "%{http_code}\n",
                 url,
                 url,
                 url,
                 url,
                 url,
                 url,
                 url,
                 url,
                 NULL};
  pg_proc_run(par, NULL, NULL, &r);
  int n401 = 0, n429 = 0;
  for (const char *p = r.out; *p != '\0'; p++) {
    n401 += strncmp(p, "401\n", 4) == 0;
    n429 += strncmp(p, "429\n", 4) == 0;
  }
  ASSERT_EQ(n401, 4);
  ASSERT_EQ(n429, 4);
  pg_proc_result_free(&r);
  t->ops->free(t);
}

/* ---- routes ------------------------------------------------------------- */

PG_TEST(wire_route_takes_the_longest_prefix_and_its_methods) {
  fake k = {0};
  pg_transport *t = serve_b(&k);
  pg_proc_result r;
  curl(&r, "/shop", NULL);
  ASSERT_CONTAINS(r.out, "route=/shop method=GET path=/shop query= ");
  pg_proc_result_free(&r);
  curl(&r, "/shop/cart/1?x=1&y=2", "-H", "x-test: yes", NULL);
  ASSERT_CONTAINS(r.out, "route=/shop method=GET path=/shop/cart/1 "
                         "query=x=1&y=2 ");
  ASSERT_CONTAINS(r.out, "x-test=yes");
  ASSERT_CONTAINS(r.out, "remote=127.0.0.1:");
  pg_proc_result_free(&r);
  curl(&r, "/shopping", NULL); /* no route: what the port said before */
  ASSERT_CONTAINS(r.out, "HTTP/1.1 405");
  pg_proc_result_free(&r);
  curl(&r, "/shop/x", "-X", "DELETE", NULL);
  ASSERT_CONTAINS(r.out, "HTTP/1.1 405");
  ASSERT_CONTAINS(r.out, "allow: GET,POST");
  pg_proc_result_free(&r);
  curl(&r, "/shop/x", "--data-binary", "a form", NULL);
  ASSERT_CONTAINS(r.out, "method=POST path=/shop/x");
  ASSERT_CONTAINS(r.out, "body=a form");
  pg_proc_result_free(&r);
  /* HEAD: GET's headers, no body. */
  curl(&r, "/shop/x", "-I", NULL);
  ASSERT_CONTAINS(r.out, "HTTP/1.1 200");
  ASSERT_CONTAINS(r.out, "Content-Length: ");
  ASSERT_CONTAINS(r.out, "set-cookie: a=1");
  ASSERT_TRUE(strstr(r.out, "route=") == NULL);
  pg_proc_result_free(&r);
  curl(&r, "/shop/x", "-I", "--http2-prior-knowledge", NULL);
  ASSERT_CONTAINS(r.out, "HTTP/2 200");
  ASSERT_CONTAINS(r.out, "content-length: ");
  ASSERT_TRUE(strstr(r.out, "route=") == NULL);
  pg_proc_result_free(&r);
  /* A body over max_message_size (4096 here): 413. */
  char big[6000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  curl(&r, "/shop/x", "--data-binary", big, NULL);
  ASSERT_CONTAINS(r.out, "HTTP/1.1 413");
  pg_proc_result_free(&r);
  /* A route's RPC-looking POST goes to the route: the unit knows no
   * such method. */
  curl(&r, "/shop/x", "-H", "content-type: application/json", "--data-binary",
       "{}", NULL);
  ASSERT_CONTAINS(r.out, "route=/shop method=POST");
  pg_proc_result_free(&r);
  /* gRPC is a call wherever it goes. */
  curl(&r, "/shop/x", "--http2-prior-knowledge", "-H",
       "content-type: application/grpc", "--data-binary", "", NULL);
  ASSERT_CONTAINS(r.out, "content-type: application/grpc\r\ngrpc-status: ");
  ASSERT_TRUE(strstr(r.out, "route=") == NULL);
  pg_proc_result_free(&r);
  /* A directory. */
  curl(&r, "/static/hello.txt", NULL);
  ASSERT_CONTAINS(r.out, "HTTP/1.1 200");
  ASSERT_CONTAINS(r.out, "hello, file");
  pg_proc_result_free(&r);
  curl(&r, "/static/../users.htpasswd", "--path-as-is", NULL);
  ASSERT_CONTAINS(r.out, "HTTP/1.1 404");
  pg_proc_result_free(&r);
  t->ops->free(t);
}

PG_TEST(wire_route_answers_carry_the_guests_headers_on_h1_and_h2) {
  fake k = {0};
  pg_transport *t = serve_b(&k);
  const char *how[] = {"--http1.1", "--http2-prior-knowledge"};
  for (int i = 0; i < 2; i++) {
    pg_proc_result r;
    curl(&r, "/shop/x", how[i], NULL);
    ASSERT_CONTAINS(r.out, "set-cookie: a=1; Path=/");
    ASSERT_CONTAINS(r.out, "set-cookie: b=2; Path=/");
    ASSERT_CONTAINS(r.out, "x-guest: yes");
    ASSERT_CONTAINS(r.out, "content-type: text/plain; charset=utf-8");
    pg_proc_result_free(&r);
    curl(&r, "/shop/redirect", how[i], NULL);
    ASSERT_CONTAINS(r.out, i == 0 ? "HTTP/1.1 302" : "HTTP/2 302");
    ASSERT_CONTAINS(r.out, "location: /elsewhere");
    pg_proc_result_free(&r);
    curl(&r, "/shop/bad", how[i], NULL); /* a CR LF in a value */
    ASSERT_CONTAINS(r.out, i == 0 ? "HTTP/1.1 502" : "HTTP/2 502");
    ASSERT_TRUE(strstr(r.out, "evil") == NULL);
    pg_proc_result_free(&r);
    curl(&r, "/shop/length", how[i], NULL); /* the port's own header */
    ASSERT_CONTAINS(r.out, " 502");
    pg_proc_result_free(&r);
    curl(&r, "/shop/fail401", how[i], NULL);
    ASSERT_CONTAINS(r.out, " 401");
    ASSERT_CONTAINS(r.out, challenge);
    pg_proc_result_free(&r);
    curl(&r, "/shop/slow", how[i], NULL);
    ASSERT_CONTAINS(r.out, " 504");
    pg_proc_result_free(&r);
  }
  t->ops->free(t);
}

/* ---- health ------------------------------------------------------------- */

PG_TEST(wire_healthz_and_readyz_before_and_after_serve) {
  fake k = {0};
  pg_transport *t = open_unit(&k, "b", SECRET);
  snprintf(base, sizeof base, "http://127.0.0.1:%u", peers[1].port);
  const char *how[] = {"--http1.1", "--http2-prior-knowledge"};
  for (int i = 0; i < 2; i++) {
    pg_proc_result r;
    curl(&r, "/healthz", how[i], NULL);
    ASSERT_CONTAINS(r.out, " 200");
    ASSERT_CONTAINS(r.out, "ok");
    pg_proc_result_free(&r);
    curl(&r, "/readyz", how[i], NULL);
    ASSERT_CONTAINS(r.out, " 503");
    pg_proc_result_free(&r);
    curl(&r, "/t.v1.Echo/Who", how[i], "-H", "content-type: application/proto",
         "--data-binary", "x", NULL);
    ASSERT_CONTAINS(r.out, " 503");
    ASSERT_TRUE(strstr(r.out, "peer=") == NULL);
    pg_proc_result_free(&r);
    curl(&r, "/shop/x", how[i], NULL);
    ASSERT_CONTAINS(r.out, " 503");
    pg_proc_result_free(&r);
  }
  t->ops->serve(t);
  for (int tries = 0;; tries++) { /* serve is taken by the loop soon */
    pg_proc_result r;
    curl(&r, "/readyz", NULL);
    bool ok = strstr(r.out, " 200") != NULL;
    pg_proc_result_free(&r);
    if (ok)
      break;
    ASSERT_TRUE(tries < 50);
    usleep(20000);
  }
  for (int i = 0; i < 2; i++) {
    pg_proc_result r;
    curl(&r, "/readyz", how[i], "-I", NULL);
    ASSERT_CONTAINS(r.out, " 200");
    pg_proc_result_free(&r);
    curl(&r, "/t.v1.Echo/Who", how[i], "-H", "content-type: application/proto",
         "--data-binary", "x", NULL);
    ASSERT_CONTAINS(r.out, "peer=0");
    pg_proc_result_free(&r);
  }
  t->ops->free(t);
}
