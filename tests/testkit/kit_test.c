/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/testkit/kit_test.c: a test program of the test kit (what
 * `parigot test` gives every test app: parigot.test.v1.Test, and mocks).
 * SCENARIO picks what it checks, step by step, against the racy
 * example's cache and reader:
 *   sleep  Sleep 5ms: answered at exactly +5ms on the virtual clock;
 *   alone  the same, requiring nothing but the test kit;
 *   fail   the 2nd Get fails NOT_FOUND "gone", the 1st and 3rd do not;
 *   delay  a Put delayed 3ms arrives after a Get sent after it;
 *   kill   Kill(cache): a Get then fails UNAVAILABLE, and the test passes;
 *   killnth the 2nd Get kills the cache as it arrives;
 *   bad    faults, kills and links that cannot be are refused, naming
 *          why;
 *   link   (kit_units.toml: the test and the cache in two units run in
 *          one process) a cut link fails a call UNAVAILABLE, a restored
 *          one carries it, a delayed one answers 2ms late, a dropped one
 *          lets the call time out;
 *   mock   it mocks the cache (manifest mocks = ["cache"]) while it
 *          requires the reader, which requires the cache: no cycle; the
 *          reader's warm-up Get at its own start and a Lookup through
 *          the reader are both answered by the mock.
 * Each step logs what it saw; a wrong one logs at ERROR and exits 1.
 */
#include <stdlib.h>
#include <string.h>

#include "parigot/guest.h"
#include "parigot/test/v1/test.pg.h"
#include "racy/v1/racy.pg.h"

#define TEXT(s) ((parigot_pb_bytes){(uint8_t *)(s), strlen(s)})

static const char *scenario;
static int step;
static uint64_t began;
static int mock_calls, calls_before_start;
static bool is_started;

static void next(void);

static void wrong(const char *what) {
  parigot_log(PARIGOT_ERROR, "%s step %d: %s", scenario, step, what);
  parigot_exit(1);
}

static void expect(bool ok, const char *what) {
  if (!ok)
    wrong(what);
}

/* ---- the calls each step makes, and what they saw ---- */

static void got(void *ctx, const racy_v1_GetReply *r) {
  (void)ctx;
  parigot_log(PARIGOT_INFO, "Get: %s", r->found ? "found" : "not found");
  expect((uintptr_t)ctx == 0 || r->found == ((uintptr_t)ctx == 2),
         "Get saw the wrong thing");
  next();
}

static void get_failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  parigot_log(PARIGOT_INFO, "Get failed: code %u: %s", st->code, st->message);
  step += 100 * (int)st->code; /* the step after depends on the code */
  next();
}

static void get(uintptr_t expect_found) {
  racy_v1_GetRequest req;
  racy_v1_GetRequest_init(&req);
  req.key = TEXT("k");
  racy_v1_Cache_Get(&req, got, get_failed, (void *)expect_found);
}

static void put_done(void *ctx, const racy_v1_PutReply *r) {
  (void)ctx;
  (void)r;
  parigot_log(PARIGOT_INFO, "Put answered at +%llu ns",
              (unsigned long long)(parigot_now() - began));
  next();
}

static void failed(void *ctx, const parigot_status *st) {
  parigot_log(PARIGOT_INFO, "%s failed: code %u: %s", (const char *)ctx,
              st->code, st->message);
  step += 100 * (int)st->code;
  next();
}

static void put(void) {
  racy_v1_PutRequest req;
  racy_v1_PutRequest_init(&req);
  req.key = TEXT("k");
  req.value = TEXT("v");
  racy_v1_Cache_Put(&req, put_done, failed, "Put");
}

static void slept(void *ctx, const parigot_test_v1_SleepResponse *r) {
  (void)ctx;
  parigot_log(PARIGOT_INFO, "slept until +%llu ns (now_ns +%llu)",
              (unsigned long long)(parigot_now() - began),
              (unsigned long long)(r->now_ns - began));
  next();
}

static void sleep_ns(uint64_t ns) {
  parigot_test_v1_SleepRequest req;
  parigot_test_v1_SleepRequest_init(&req);
  req.duration_ns = ns;
  parigot_test_v1_Test_Sleep(&req, slept, failed, "Sleep");
}

static void done(void *ctx, const void *r) {
  (void)ctx;
  (void)r;
  parigot_log(PARIGOT_INFO, "set");
  next();
}

static void fault(const char *service, const char *method, uint32_t nth,
                  int32_t action, uint32_t code, uint64_t delay_ns) {
  parigot_test_v1_InjectFaultRequest req;
  parigot_test_v1_InjectFaultRequest_init(&req);
  req.service = TEXT(service);
  req.method = TEXT(method);
  req.nth = nth;
  req.action = action;
  req.code = code;
  req.message = TEXT("gone");
  req.delay_ns = delay_ns;
  parigot_test_v1_Test_InjectFault(
      &req, (void (*)(void *, const parigot_test_v1_InjectFaultResponse *))done,
      failed, "InjectFault");
}

static void kill(const char *guest) {
  parigot_test_v1_KillRequest req;
  parigot_test_v1_KillRequest_init(&req);
  req.guest = TEXT(guest);
  parigot_test_v1_Test_Kill(
      &req, (void (*)(void *, const parigot_test_v1_KillResponse *))done,
      failed, "Kill");
}

static void set_link(const char *from, const char *to, int32_t state,
                     uint64_t delay_ns) {
  parigot_test_v1_SetLinkRequest req;
  parigot_test_v1_SetLinkRequest_init(&req);
  req.from_unit = TEXT(from);
  req.to_unit = TEXT(to);
  req.state = state;
  req.delay_ns = delay_ns;
  parigot_test_v1_Test_SetLink(
      &req, (void (*)(void *, const parigot_test_v1_SetLinkResponse *))done,
      failed, "SetLink");
}

static void lookup(void) {
  racy_v1_GetRequest req;
  racy_v1_GetRequest_init(&req);
  req.key = TEXT("k");
  racy_v1_Reader_Lookup(&req, got, get_failed, (void *)2);
}

/* ---- the scenarios ---- */

static void pass(void) {
  parigot_log(PARIGOT_INFO, "%s: passed", scenario);
  parigot_exit(0);
}

static void next_sleep(void) {
  if (step++ == 0)
    return sleep_ns(5000000);
  uint64_t t = parigot_now() - began;
  expect(t >= 5000000 && t < 5000000 + 10000, "not woken at +5ms");
  pass();
}

static void next_fail(void) {
  switch (step++) {
  case 0:
    return fault("racy.v1.Cache", "Get", 2, parigot_test_v1_FAULT_ACTION_FAIL,
                 PARIGOT_CODE_NOT_FOUND, 0);
  case 1:
    return get(1);
  case 2:
    return get(1); /* the 2nd: fails */
  case 3:
    return wrong("the 2nd Get was not failed");
  case 503: /* failed NOT_FOUND */
    return get(1);
  case 504:
    return pass();
  default:
    return wrong("unexpected answer");
  }
}

static void next_delay(void) {
  switch (step++) {
  case 0:
    return fault("racy.v1.Cache", "Put", 1, parigot_test_v1_FAULT_ACTION_DELAY,
                 0, 3000000);
  case 1:
    put(); /* delayed: the Get sent after it overtakes it */
    return get(1);
  case 2: /* the Get saw nothing */
    return;
  case 3:
    expect(parigot_now() - began >= 3000000, "the Put came before 3ms");
    return pass();
  default:
    return wrong("unexpected answer");
  }
}

static void next_kill(void) {
  switch (step++) {
  case 0:
    return kill("cache");
  case 1:
    return get(0);
  case 1402: /* UNAVAILABLE */
    return pass();
  default:
    return wrong("the Get after Kill did not fail UNAVAILABLE");
  }
}

static void next_killnth(void) {
  switch (step++) {
  case 0:
    return fault("racy.v1.Cache", "Get", 2, parigot_test_v1_FAULT_ACTION_KILL,
                 0, 0);
  case 1:
    return get(1);
  case 2:
    return get(1);
  case 1403: /* UNAVAILABLE */
    return pass();
  default:
    return wrong("the 2nd Get did not kill the cache");
  }
}

static void next_bad(void) {
  switch (step++) {
  case 0:
    return fault("nope.v1.Nothing", "", 1, parigot_test_v1_FAULT_ACTION_FAIL, 2,
                 0);
  case 301: /* INVALID_ARGUMENT */
    return fault("racy.v1.Cache", "", 0, parigot_test_v1_FAULT_ACTION_FAIL, 2,
                 0);
  case 602:
    return kill("nobody");
  case 1103: /* NOT_FOUND */
    return kill("bad");
  case 2004: /* FAILED_PRECONDITION: a program */
    return set_link("kit", "elsewhere", parigot_test_v1_LINK_STATE_CUT, 0);
  case 2905: /* FAILED_PRECONDITION: one process, one unit */
    return pass();
  default:
    return wrong("a bad fault, kill or link was not refused as it should "
                 "be");
  }
}

static uint64_t asked;

static void next_link(void) {
  switch (step++) {
  case 0:
    return set_link("front", "back", parigot_test_v1_LINK_STATE_CUT, 0);
  case 1:
    return get(0);
  case 1402: /* UNAVAILABLE: cut */
    return set_link("front", "back", parigot_test_v1_LINK_STATE_OK, 0);
  case 1403:
    return get(1);
  case 1404:
    return set_link("back", "front", parigot_test_v1_LINK_STATE_DELAY, 2000000);
  case 1405:
    asked = parigot_now();
    return get(1);
  case 1406:
    expect(parigot_now() - asked >= 2000000, "the answer was not delayed");
    parigot_log(PARIGOT_INFO, "answered 2ms late or more");
    return set_link("front", "back", parigot_test_v1_LINK_STATE_DROP, 0);
  case 1407:
    parigot_next_call_timeout(1000000);
    return get(0);
  case 1808: /* DEADLINE_EXCEEDED: dropped */
    return set_link("front", "nowhere", parigot_test_v1_LINK_STATE_CUT, 0);
  case 2309: /* NOT_FOUND */
    return pass();
  default:
    return wrong("a link did not do what it was set to");
  }
}

static bool is_looked_up;

static void mock_done(void) {
  parigot_log(PARIGOT_INFO, "%d of them before its start", calls_before_start);
  pass();
}

/* The Lookup and the reader's warm-up Get may reach the mock in either
 * order, and the warm-up before or after this test's START: it passes
 * once both came, whichever was last. */
static void next_mock(void) {
  if (step++ == 0)
    return lookup();
  is_looked_up = true;
  if (mock_calls == 2)
    mock_done();
}

static void next(void) {
  if (strcmp(scenario, "sleep") == 0 || strcmp(scenario, "alone") == 0)
    next_sleep();
  else if (strcmp(scenario, "fail") == 0)
    next_fail();
  else if (strcmp(scenario, "delay") == 0)
    next_delay();
  else if (strcmp(scenario, "kill") == 0)
    next_kill();
  else if (strcmp(scenario, "killnth") == 0)
    next_killnth();
  else if (strcmp(scenario, "bad") == 0)
    next_bad();
  else if (strcmp(scenario, "mock") == 0)
    next_mock();
  else if (strcmp(scenario, "link") == 0)
    next_link();
  else
    wrong("no such scenario");
}

/* ---- the mock of the cache ---- */

static void mock_get(parigot_call *call, const racy_v1_GetRequest *req,
                     void *ctx) {
  (void)ctx;
  (void)req;
  mock_calls++;
  calls_before_start += !is_started;
  racy_v1_GetReply resp;
  racy_v1_GetReply_init(&resp);
  resp.found = true;
  resp.value = TEXT("mocked");
  racy_v1_Cache_Get_respond(call, &resp);
  if (is_looked_up && mock_calls == 2)
    mock_done();
}

static const racy_v1_Cache_handlers mock = {.Get = mock_get};

void parigot_guest_declare(void) {
  scenario = getenv("SCENARIO");
  if (scenario == NULL)
    scenario = "";
  parigot_test_v1_Test_require();
  if (strcmp(scenario, "mock") == 0) {
    racy_v1_Cache_export(&mock);
    racy_v1_Reader_require();
  } else if (strcmp(scenario, "alone") != 0) {
    racy_v1_Cache_require();
  }
}

void parigot_guest_start(void) {
  is_started = true;
  began = parigot_now();
  next();
}
