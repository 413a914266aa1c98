/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/app/abuse.c: feeds every host function of the parigot ABI bad
 * input through raw imports and checks each answer against docs/abi.md:
 * pointers past the end of memory, lengths that wrap past 4 GiB, names
 * that are empty, too long or not names, unknown handles and call ids, a
 * call answered twice. One line per check on stdout: "ok" or "MISMATCH"
 * with the code returned and the code documented.
 *
 * ROLE=program (requires Echo) checks the declaring-time and caller-side
 * functions; ROLE=service (exports Echo, the "probe") checks respond and
 * event_read from inside a call. The program asks the probe to run its
 * checks (value 1) and later for how many failed (value 2), and exits 0
 * when everything matched. The manifest sets max_message_size to 1K.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apptest/v1/apptest.pg.h"
#include "parigot/abi.h"
#include "parigot/error.h"
#include "parigot/guest.h"

enum { MAX_MESSAGE = 1024 };

static const char echo[] = "apptest.v1.Echo";
static const char *role;
static int checks, mismatches;

/* An address in guest memory, good or not: the host must check it. */
#define AT(addr) ((void *)(uintptr_t)(addr))

/* The first address past the end of memory, as it is now. */
static uint32_t mem_end(void) {
  return (uint32_t)(__builtin_wasm_memory_size(0) * 65536u);
}

/* Checks a host function's result: 0 or a negative error. */
static void check(const char *what, int32_t got, int32_t want) {
  checks++;
  if (got == want) {
    printf("%s: ok %s: %s\n", role, what, parigot_err_name(got));
    return;
  }
  mismatches++;
  printf("%s: MISMATCH %s: got %s (%d), want %s (%d)\n", role, what,
         parigot_err_name(got), (int)got, parigot_err_name(want), (int)want);
}

/* Checks a value a host function wrote. */
static void check_value(const char *what, uint64_t got, uint64_t want) {
  checks++;
  if (got == want) {
    printf("%s: ok %s: %llu\n", role, what, (unsigned long long)got);
    return;
  }
  mismatches++;
  printf("%s: MISMATCH %s: got %llu, want %llu\n", role, what,
         (unsigned long long)got, (unsigned long long)want);
}

/* ---- the program -------------------------------------------------------- */

static void declare_checks(void) {
  char name[300];
  memset(name, 'a', sizeof name);
  uint8_t buf[64];
  uint32_t len = 0;
  uint64_t id = 0;
  check("export_service: name past the end of memory",
        parigot_abi_export_service(AT(mem_end()), 5), PARIGOT_EFAULT);
  check("export_service: name running off the end",
        parigot_abi_export_service(AT(mem_end() - 2), 5), PARIGOT_EFAULT);
  check("export_service: length wrapping past 4 GiB",
        parigot_abi_export_service(AT(0xFFFFFFF0u), 0x20), PARIGOT_EFAULT);
  check("export_service: length 4 GiB - 1",
        parigot_abi_export_service(name, 0xFFFFFFFFu), PARIGOT_EFAULT);
  check("export_service: empty name", parigot_abi_export_service(name, 0),
        PARIGOT_EINVAL);
  check("export_service: 256-byte name", parigot_abi_export_service(name, 256),
        PARIGOT_EINVAL);
  check("export_service: name with a space",
        parigot_abi_export_service("bad name", 8), PARIGOT_EINVAL);
  check("require_service: name past the end of memory",
        parigot_abi_require_service(AT(mem_end()), 15), PARIGOT_EFAULT);
  check("require_service: length wrapping past 4 GiB",
        parigot_abi_require_service(AT(0xFFFFFFFFu), 2), PARIGOT_EFAULT);
  check("require_service: name with a slash",
        parigot_abi_require_service("apptest/v1.Echo", 15), PARIGOT_EINVAL);
  check("require_service: twice is harmless",
        parigot_abi_require_service(echo, 15), 0);
  check("event_read: outside parigot_event",
        parigot_abi_event_read(buf, sizeof buf, &len), PARIGOT_EINVAL);
  check("dispatch: inside parigot_main",
        parigot_abi_dispatch(0, "Say", 3, buf, 0, 0, &id), PARIGOT_EINVAL);
}

static uint64_t raw_id;

static void probe_reported(void *ctx, const apptest_v1_EchoResponse *r) {
  (void)ctx;
  /* The raw call of start_checks has ended by now (the probe answered it
   * before this call), and this guest never received it. */
  check("respond: a call this guest made, after it ended",
        parigot_abi_respond(raw_id, 0, 0, NULL, 0), PARIGOT_ENOENT);
  printf("%s: %d checks, %d mismatches; probe: %d mismatches\n", role, checks,
         mismatches, (int)r->value);
  parigot_exit(mismatches == 0 && r->value == 0 ? 0 : 1);
}

static void probe_failed(void *ctx, const parigot_status *st) {
  printf("%s: call %s failed: code %u: %s\n", role, (const char *)ctx,
         (unsigned)st->code, st->message);
  parigot_exit(1);
}

static void probe_checked(void *ctx, const apptest_v1_EchoResponse *r) {
  (void)ctx;
  (void)r;
  apptest_v1_EchoRequest req;
  apptest_v1_EchoRequest_init(&req);
  req.value = 2;
  apptest_v1_Echo_Say(&req, probe_reported, probe_failed, (void *)"report");
}

static void locate_checks(void) {
  uint32_t h = 0;
  check("locate: name past the end of memory",
        parigot_abi_locate(AT(mem_end()), 15, &h), PARIGOT_EFAULT);
  check("locate: handle past the end of memory",
        parigot_abi_locate(echo, 15, AT(mem_end())), PARIGOT_EFAULT);
  check("locate: handle running off the end",
        parigot_abi_locate(echo, 15, AT(mem_end() - 2)), PARIGOT_EFAULT);
  check("locate: handle at 4 GiB - 2",
        parigot_abi_locate(echo, 15, AT(0xFFFFFFFEu)), PARIGOT_EFAULT);
  check("locate: name with a '!'",
        parigot_abi_locate("apptest.v1.Echo!", 16, &h), PARIGOT_EINVAL);
  check("locate: empty name", parigot_abi_locate(echo, 0, &h), PARIGOT_EINVAL);
  check("locate: a service not required",
        parigot_abi_locate("apptest.v1.Relay", 16, &h), PARIGOT_EPERM);
  check("locate: a service required", parigot_abi_locate(echo, 15, &h), 0);
}

static void dispatch_checks(uint32_t h, uint8_t *big) {
  uint64_t id = 0;
  check("dispatch: unknown handle",
        parigot_abi_dispatch(h + 5, "Say", 3, big, 0, 0, &id), PARIGOT_EINVAL);
  check("dispatch: method past the end of memory",
        parigot_abi_dispatch(h, AT(mem_end()), 3, big, 0, 0, &id),
        PARIGOT_EFAULT);
  check("dispatch: empty method",
        parigot_abi_dispatch(h, "Say", 0, big, 0, 0, &id), PARIGOT_EINVAL);
  check("dispatch: method with a space",
        parigot_abi_dispatch(h, "Say it", 6, big, 0, 0, &id), PARIGOT_EINVAL);
  check("dispatch: request running off the end",
        parigot_abi_dispatch(h, "Say", 3, AT(mem_end() - 4), 8, 0, &id),
        PARIGOT_EFAULT);
  check("dispatch: request length wrapping past 4 GiB",
        parigot_abi_dispatch(h, "Say", 3, AT(0xFFFFFF00u), 0x200, 0, &id),
        PARIGOT_EFAULT);
  check("dispatch: request over max_message_size",
        parigot_abi_dispatch(h, "Say", 3, big, MAX_MESSAGE + 1, 0, &id),
        PARIGOT_ETOOBIG);
  check("dispatch: call id past the end of memory",
        parigot_abi_dispatch(h, "Say", 3, big, 0, 0, AT(mem_end() - 4)),
        PARIGOT_EFAULT);
  /* An empty request is Echo's MODE_ECHO of 0; the SDK ignores the answer
   * of a call it did not make. */
  check("dispatch: a good call",
        parigot_abi_dispatch(h, "Say", 3, big, 0, 0, &raw_id), 0);
  check("respond: a live call this guest made (the caller's id)",
        parigot_abi_respond(raw_id, 0, 0, NULL, 0), PARIGOT_ENOENT);
}

static void event_checks(void) {
  uint8_t ev[PARIGOT_EV_HEADER_SIZE];
  uint32_t len = 0, kind = 0;
  check("event_read: buffer past the end of memory",
        parigot_abi_event_read(AT(mem_end()), 64, &len), PARIGOT_EFAULT);
  check("event_read: buffer length wrapping past 4 GiB",
        parigot_abi_event_read(AT(0xFFFFFFC0u), 0x80, &len), PARIGOT_EFAULT);
  check("event_read: length past the end of memory",
        parigot_abi_event_read(ev, sizeof ev, AT(mem_end() - 1)),
        PARIGOT_EFAULT);
  check("event_read: capacity 0", parigot_abi_event_read(ev, 0, &len),
        PARIGOT_ENOSPC);
  check_value("event_read: capacity 0 reports the bytes needed", len,
              PARIGOT_EV_HEADER_SIZE);
  check("event_read: the START event",
        parigot_abi_event_read(ev, sizeof ev, &len), 0);
  memcpy(&kind, ev + PARIGOT_EV_OFF_KIND, 4);
  check_value("event_read: kind", kind, PARIGOT_EV_START);
}

static void other_checks(char *big) {
  check("export_service: after parigot_main",
        parigot_abi_export_service(echo, 15), PARIGOT_EINVAL);
  check("require_service: after parigot_main",
        parigot_abi_require_service(echo, 15), PARIGOT_EINVAL);
  check("respond: an id never issued",
        parigot_abi_respond(1000000, 0, 0, NULL, 0), PARIGOT_ENOENT);
  check("respond: id 0", parigot_abi_respond(0, 0, 0, NULL, 0), PARIGOT_ENOENT);
  check("log: message past the end of memory",
        parigot_abi_log(1, AT(mem_end()), 1), PARIGOT_EFAULT);
  check("log: length wrapping past 4 GiB",
        parigot_abi_log(1, AT(0xFFFFFFFFu), 2), PARIGOT_EFAULT);
  check("log: 65537 bytes", parigot_abi_log(1, big, 65537), PARIGOT_EINVAL);
  check("log: level 4", parigot_abi_log(4, "x", 1), PARIGOT_EINVAL);
  check("log: a good line", parigot_abi_log(1, "still alive", 11), 0);
  uint64_t t;
  check("now: past the end of memory", parigot_abi_now(AT(mem_end() - 4)),
        PARIGOT_EFAULT);
  check("now: a good clock", parigot_abi_now(&t), 0);
  /* Only bad buffers: a good one would move where the SDK's events go. */
  check("event_buffer: past the end of memory",
        parigot_abi_event_buffer(AT(mem_end()), 16), PARIGOT_EFAULT);
  check("event_buffer: length wrapping past 4 GiB",
        parigot_abi_event_buffer(AT(0xFFFFFFF0u), 64), PARIGOT_EFAULT);
}

static void start_checks(void) {
  char *big = calloc(70000, 1);
  uint32_t h = 0;
  if (big == NULL || parigot_abi_locate(echo, 15, &h) != 0)
    parigot_exit(70);
  memset(big, 'x', 70000);
  locate_checks();
  dispatch_checks(h, (uint8_t *)big);
  event_checks();
  other_checks(big);
  free(big);
  apptest_v1_EchoRequest req;
  apptest_v1_EchoRequest_init(&req);
  req.value = 1;
  apptest_v1_Echo_Say(&req, probe_checked, probe_failed, (void *)"check");
}

/* ---- the probe ---------------------------------------------------------- */

static void probe_checks(parigot_call *call) {
  uint64_t id = parigot_call_id(call);
  uint8_t ev[256];
  uint32_t len = 0, kind = 0;
  uint64_t ev_id = 0;
  check("respond: status 17", parigot_abi_respond(id, 17, 0, NULL, 0),
        PARIGOT_EINVAL);
  check("respond: response past the end of memory",
        parigot_abi_respond(id, 0, 0, AT(mem_end()), 1), PARIGOT_EFAULT);
  check("respond: response length wrapping past 4 GiB",
        parigot_abi_respond(id, 0, 0, AT(0xFFFFFFF0u), 0x20), PARIGOT_EFAULT);
  check("respond: an id never issued",
        parigot_abi_respond(id + 1000, 0, 0, NULL, 0), PARIGOT_ENOENT);
  check("event_read: capacity 10", parigot_abi_event_read(ev, 10, &len),
        PARIGOT_ENOSPC);
  /* The header, "Say", the caller's name "abuse", and the request
   * {value: 1} in 2 bytes. */
  check_value("event_read: capacity 10 reports the bytes needed", len,
              PARIGOT_EV_HEADER_SIZE + 3 + 5 + 2);
  check("event_read: the CALL event",
        parigot_abi_event_read(ev, sizeof ev, &len), 0);
  memcpy(&kind, ev + PARIGOT_EV_OFF_KIND, 4);
  memcpy(&ev_id, ev + PARIGOT_EV_OFF_CALL_ID, 8);
  check_value("event_read: kind", kind, PARIGOT_EV_CALL);
  check_value("event_read: call id", ev_id, id);
  apptest_v1_EchoResponse resp;
  apptest_v1_EchoResponse_init(&resp);
  check("respond: the answer", apptest_v1_Echo_Say_respond(call, &resp), 0);
  check("respond: the same call again", parigot_abi_respond(id, 0, 0, NULL, 0),
        PARIGOT_ENOENT);
}

static void probe_say(parigot_call *call, const apptest_v1_EchoRequest *req,
                      void *ctx) {
  (void)ctx;
  apptest_v1_EchoResponse resp;
  apptest_v1_EchoResponse_init(&resp);
  if (req->value == 1) {
    probe_checks(call);
    return;
  }
  resp.value = req->value == 2 ? mismatches : req->value;
  apptest_v1_Echo_Say_respond(call, &resp);
}

static const apptest_v1_Echo_handlers probe_handlers = {.Say = probe_say};

/* ---- the guest's two functions ------------------------------------------ */

void parigot_guest_declare(void) {
  /* Both roles print to the one stdout; a service never exits, so nothing
   * may wait in a buffer. */
  setvbuf(stdout, NULL, _IOLBF, 0);
  role = getenv("ROLE");
  if (role != NULL && strcmp(role, "service") == 0) {
    role = "probe";
    apptest_v1_Echo_export(&probe_handlers);
    return;
  }
  role = "program";
  apptest_v1_Echo_require();
  declare_checks();
}

void parigot_guest_start(void) {
  if (strcmp(role, "program") == 0)
    start_checks();
}
