// tests/testlib/as_checks.ts: an AssemblyScript test program that fails
// each kind of check on purpose, picked by its SCENARIO
// (tests/testlib/manifests), and passes them all with SCENARIO=pass.
// test_testlib.c finds the assert() line by its marker comment (@assert).
import {
  Code, Deadline, Level, Status, assertEq, assertFail, assertTrue, codeName,
  exit, expectEq, expectFail, expectNe, expectTrue, getenv, guest, log, now,
  requireTest, sleep, testFailures,
} from "parigot";
export * from "parigot/exports";

let t0: u64 = 0;

// The timers need parigot.test.v1.Test: only the scenarios of
// as_async.toml require it.
function declare(): void {
  const s = getenv("SCENARIO");
  if (s != null && (s == "sleep" || s == "deadline" || s == "deadline_met" ||
                    s == "expect_fail_ok"))
    requireTest();
}

function bytes(a: Array<u8>): Uint8Array {
  const b = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) b[i] = a[i];
  return b;
}

// A timer of @p ns set just after t0 fired @p elapsed after t0: on time,
// give or take the ticks of the deterministic clock (1 us a reading);
// test_testlib.c checks the exact value is the same on every run.
function onTime(elapsed: u64, ns: u64, label: string): void {
  assertTrue(elapsed >= ns && elapsed < ns + 20000,
             label + ": " + elapsed.toString() + " ns for " + ns.toString());
}

function slept(nowNs: u64, ctx: i32): void {
  onTime(nowNs - t0, 2000000, "sleep's clock");
  assertTrue(now() > nowNs, "clock after sleep");
  log(Level.INFO, "slept 2ms: answered after " + (nowNs - t0).toString() +
      " ns");
  exit(0);
}

function neverAnswered(nowNs: u64, d: Deadline<i32>): void {
  if (!d.settle()) return;
  log(Level.ERROR, "the deadline let an answer through");
  exit(2);
}

function expired(status: Status, ctx: i32): void {
  log(Level.INFO, "deadline: " + codeName(status.code) + " (" +
      status.message + ") after " + (now() - t0).toString() + " ns");
  assertEq<u32>(status.code, Code.DEADLINE_EXCEEDED, "deadline's code");
  onTime(now() - t0, 5000000, "deadline's time");
  exit(0);
}

function metInTime(nowNs: u64, d: Deadline<i32>): void {
  if (!d.settle()) return;
  const elapsed = now() - t0;
  log(Level.INFO, "deadline met after " + elapsed.toString() + " ns");
  onTime(elapsed, 1000000, "answer's time");
  exit(0);
}

function expiredTooSoon(status: Status, ctx: i32): void {
  log(Level.ERROR, "expired: " + status.message);
  exit(2);
}

function sleptButNotFound(nowNs: u64, ctx: i32): void {
  // The call succeeded where NOT_FOUND was expected.
  if (!expectFail(null, Code.NOT_FOUND, "sleep as a lookup")) {
    log(Level.INFO, "went on after OK");
  }
  exit(0);
}

function start(): void {
  t0 = now();
  const s = getenv("SCENARIO");
  const scenario = s != null ? s : "";
  const total = 300;
  if (scenario == "pass") {
    expectEq<i32>(total, 300, "total");
    expectNe<i32>(total, 301, "total");
    expectEq<string>("bob", "bob", "name");
    expectEq<Uint8Array>(bytes([1, 2, 3]), bytes([1, 2, 3]), "bytes");
    expectEq<f64>(0.5, 0.5, "half");
    expectTrue(total > 0, "positive");
    expectFail(new Status(Code.NOT_FOUND, 0, ""), Code.NOT_FOUND, "lookup");
    assertEq<u32>(testFailures(), 0, "failures");
  } else if (scenario == "assert") {
    const items = new Array<i32>();
    assert(items.length > 0, "the cart is empty"); // @assert
  } else if (scenario == "int") {
    expectEq<i32>(total, 350, "total");
    log(Level.INFO, "went on after the failed expectation");
  } else if (scenario == "str") {
    expectEq<string>("alice", "alicia", "name");
  } else if (scenario == "bytes") {
    expectEq<Uint8Array>(bytes([1, 2, 3, 4]), bytes([1, 2, 4, 4]), "blob");
  } else if (scenario == "assert_eq") {
    assertEq<i64>(-5, 5, "balance");
    log(Level.INFO, "not reached");
  } else if (scenario == "sleep") {
    sleep<i32>(2000000, 0, slept);
    return;
  } else if (scenario == "deadline") {
    // Nothing ever answers: only the deadline fires.
    new Deadline<i32>(5000000, 0, expired);
    return;
  } else if (scenario == "deadline_met") {
    const d = new Deadline<i32>(5000000, 0, expiredTooSoon);
    sleep<Deadline<i32>>(1000000, d, metInTime);
    return;
  } else if (scenario == "expect_fail_ok") {
    sleep<i32>(1000, 0, sleptButNotFound);
    return;
  } else if (scenario == "expect_fail_code") {
    assertFail(new Status(Code.UNAVAILABLE, 0, "down for now"),
               Code.NOT_FOUND, "lookup");
    log(Level.INFO, "not reached");
  } else {
    log(Level.ERROR, "unknown scenario " + scenario);
    exit(2);
  }
  exit(0);
}

guest(declare, start);
