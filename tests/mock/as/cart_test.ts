// tests/mock/as/cart_test.ts: an AssemblyScript test program that tests the
// C mockdemo.v1.Cart (tests/mock/cart.c) with the generated AssemblyScript
// mock of mockdemo.v1.Prices (PricesMock, from cart.proto). The manifest
// (mock_as.toml) runs it once per scenario, its argument, with
// `mocks = ["prices"]`: it exports Prices itself, and Cart calls the mock.
//
// canned      canned prices, the total, the recorded calls and callers
// match       requests matched by value and by a predicate, answers made
//             by a function of the request, the order of expectations
// times       times(n) in sequence, then a call too many that verify()
//             reports
// error       a price that fails fails Total with its code, app error and
//             message
// delay       an answer 250 ms late on the app's clock
// unexpected  a call no expectation matches: UNIMPLEMENTED naming the
//             method, counted, reported by verify()
// unmet       fails on purpose: an expectation never met, which verify()
//             names in the test's FAIL reason
//
// A check that fails logs at ERROR what it expected and exits 1.
import { Code, Level, Status, args, exit, guest, log, now } from "parigot";
import {
  Cart, Item, PriceReply, PriceRequest, PricesMock, TotalReply, TotalRequest,
} from "mockdemo/v1/cart.pg";
export * from "parigot/exports";

const prices = new PricesMock();
let scenario = "";

function check(ok: bool, what: string): void {
  if (ok) return;
  log(Level.ERROR, "cart_test " + scenario + ": " + what);
  exit(1);
}

function checkEq(got: i64, want: i64, what: string): void {
  check(got == want, what + ": " + got.toString() + " != " + want.toString());
}

function checkStr(got: string, want: string, what: string): void {
  check(got == want, what + ": \"" + got + "\" != \"" + want + "\"");
}

function sku(s: string): PriceRequest {
  const r = new PriceRequest();
  r.sku = s;
  return r;
}

function cents(c: i64): PriceReply {
  const r = new PriceReply();
  r.cents = c;
  return r;
}

/** A basket: "apple:2,bread:1". */
function basket(items: string): TotalRequest {
  const req = new TotalRequest();
  const parts = items.split(",");
  for (let i = 0; i < parts.length; i++) {
    const kv = parts[i].split(":");
    const it = new Item();
    it.sku = kv[0];
    it.quantity = <u32>parseInt(kv[1]);
    req.items.push(it);
  }
  return req;
}

/** Asks Cart for the total of @p items; @p ok or @p fail gets the answer,
 * with @p step. */
function total(items: string, step: i32,
               ok: (r: TotalReply, step: i32) => void,
               fail: (st: Status, step: i32) => void): void {
  Cart.total(basket(items), step, ok, fail);
}

function unexpectedAnswer(r: TotalReply, step: i32): void {
  check(false, "step " + step.toString() + ": Total answered " +
               r.cents.toString() + " cents; it should have failed");
}

function unexpectedFailure(st: Status, step: i32): void {
  check(false, "step " + step.toString() + ": Total failed: code " +
               st.code.toString() + ": " + st.message);
}

function done(): void {
  check(prices.verify(), "verify() found problems");
  exit(0);
}

// ---- canned ---------------------------------------------------------------

function canned(): void {
  prices.expectPrice().withRequest(sku("apple")).returns(cents(50));
  prices.expectPrice().withRequest(sku("bread")).returns(cents(250));
  total("apple:2,bread:1", 1, (r: TotalReply, step: i32): void => {
    checkEq(r.cents, 350, "total");
    checkEq(r.pricesAsked, 2, "prices asked");
    const calls = prices.price.calls;
    checkEq(calls.length, 2, "Price calls recorded");
    checkStr(calls[0].sku, "apple", "first Price request");
    checkStr(calls[1].sku, "bread", "second Price request");
    checkEq(prices.calls.length, 2, "calls recorded");
    checkStr(prices.calls[0].method, "Price", "method recorded");
    checkStr(prices.calls[0].caller, "cart", "caller recorded");
    checkStr(prices.calls[1].request, "{sku: \"bread\"}", "request as text");
    checkEq(prices.calls[1].expectation, 1, "the expectation that answered");
    done();
  }, unexpectedFailure);
}

// ---- match ----------------------------------------------------------------

function isCheese(req: PriceRequest): bool {
  return req.sku.startsWith("cheese-");
}

/** A cheese costs 100 cents per letter of its name. */
function cheesePrice(req: PriceRequest): PriceReply {
  return cents(100 * (req.sku.length - 7));
}

function match(): void {
  // The first expectation that matches and still wants calls answers.
  prices.expectPrice().withRequest(sku("apple")).returns(cents(50))
      .anyTimes();
  prices.expectPrice().when(isCheese).answers(cheesePrice).times(2);
  prices.expectPrice().returns(cents(7)).anyTimes().named("anything else");
  total("cheese-brie:1,apple:3,cheese-comte:2,pebble:1", 1,
        (r: TotalReply, step: i32): void => {
    checkEq(r.cents, 400 + 150 + 1000 + 7, "total");
    checkEq(r.pricesAsked, 4, "prices asked");
    checkEq(prices.expectations[0].count, 1, "apple expectation's calls");
    checkEq(prices.expectations[1].count, 2, "cheese expectation's calls");
    checkEq(prices.expectations[2].count, 1, "catch-all's calls");
    checkEq(prices.calls[3].expectation, 2, "the pebble's expectation");
    done();
  }, unexpectedFailure);
}

// ---- times ----------------------------------------------------------------

function times(): void {
  prices.expectPrice().withRequest(sku("apple")).times(2).returns(cents(50));
  prices.expectPrice().withRequest(sku("apple")).returns(cents(60));
  total("apple:1,apple:1,apple:1", 1, (r: TotalReply, step: i32): void => {
    checkEq(r.cents, 50 + 50 + 60, "total of the first three apples");
    check(prices.verify(), "verify() after three apples");
    // A fourth: every expectation is full, the last answers and counts it.
    total("apple:1", 2, (r: TotalReply, step: i32): void => {
      checkEq(r.cents, 60, "the fourth apple");
      checkEq(prices.expectations[1].count, 2, "the second's calls");
      check(!prices.verify(), "verify() passed a call too many");
      exit(0);
    }, unexpectedFailure);
  }, unexpectedFailure);
}

// ---- error ----------------------------------------------------------------

function error(): void {
  prices.expectPrice().withRequest(sku("apple")).returns(cents(50));
  prices.expectPrice().withRequest(sku("caviar"))
      .fails(Code.NOT_FOUND, "no such sku");
  prices.expectPrice().withRequest(sku("truffle"))
      .fails(Code.UNKNOWN, "sold out", 7);
  total("apple:1,caviar:1", 1, unexpectedAnswer,
        (st: Status, step: i32): void => {
    checkEq(st.code, Code.NOT_FOUND, "code of Total");
    checkStr(st.message, "price of caviar: no such sku", "message of Total");
    total("truffle:1", 2, unexpectedAnswer, (st: Status, step: i32): void => {
      checkEq(st.code, Code.UNKNOWN, "code of Total");
      checkEq(st.appError, 7, "app error of Total");
      checkStr(st.message, "price of truffle: sold out", "message of Total");
      done();
    });
  });
}

// ---- delay ----------------------------------------------------------------

const DELAY: u64 = 250_000_000;
let asked: u64 = 0;

function delay(): void {
  prices.expectPrice().withRequest(sku("apple")).returns(cents(50))
      .after(DELAY);
  asked = now();
  total("apple:2", 1, (r: TotalReply, step: i32): void => {
    const took = now() - asked;
    checkEq(r.cents, 100, "total");
    check(took >= DELAY, "Total answered after " + took.toString() +
                         " ns, before the mock's 250 ms delay");
    check(took < DELAY + 100_000_000,
          "Total answered after " + took.toString() + " ns, not about 250 ms");
    check(prices.calls[0].at - asked < DELAY,
          "the call came at " + (prices.calls[0].at - asked).toString() +
          " ns, after the delay it was answered with");
    done();
  }, unexpectedFailure);
}

// ---- unexpected -----------------------------------------------------------

function unexpected(): void {
  prices.expectPrice().withRequest(sku("apple")).returns(cents(50));
  total("apple:1,kiwi:1", 1, unexpectedAnswer,
        (st: Status, step: i32): void => {
    checkEq(st.code, Code.UNIMPLEMENTED, "code of Total");
    checkStr(st.message,
             "price of kiwi: mock mockdemo.v1.Prices: unexpected call of Price",
             "message of Total");
    checkEq(prices.unexpectedCount, 1, "unexpected calls counted");
    checkEq(prices.calls[1].expectation, -1, "the kiwi's expectation");
    check(!prices.verify(), "verify() passed an unexpected call");
    exit(0);
  });
}

// ---- unmet: fails on purpose ------------------------------------------------

function unmet(): void {
  prices.expectPrice().withRequest(sku("apple")).returns(cents(50));
  prices.expectPrice().withRequest(sku("bread")).returns(cents(250));
  total("apple:1", 1, (r: TotalReply, step: i32): void => {
    checkEq(r.cents, 50, "total");
    prices.verifyOrExit();
    exit(0);
  }, unexpectedFailure);
}

guest((): void => {
  prices.serve();
  Cart.require();
}, (): void => {
  const a = args();
  scenario = a.length > 1 ? a[1] : "";
  if (scenario == "canned") canned();
  else if (scenario == "match") match();
  else if (scenario == "times") times();
  else if (scenario == "error") error();
  else if (scenario == "delay") delay();
  else if (scenario == "unexpected") unexpected();
  else if (scenario == "unmet") unmet();
  else check(false, "no such scenario");
});
