#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// tests/http/browser.mjs: a real browser loads a page, as a user would, and
// says what it saw. The end-to-end tests of parigot's HTTP front door run it.
//
// It drives Debian's Chromium (/usr/bin/chromium, headless) through
// playwright-core from tools/npm (scripts/install-deps.sh installs both; no
// browser is ever downloaded). Works on Node 18 (Debian 12's) and later.
//
//   node browser.mjs --url URL [options]
//
//   --url URL            the page to load (required)
//   --user U --password P
//                        log in with HTTP basic auth, the browser's own way:
//                        it sends them when the server answers 401 with
//                        WWW-Authenticate (a wrong pair: the 401 stands)
//   --expect-status N    the main response's HTTP status (default 200)
//   --expect-text TEXT   the page's text (or the --selector's) must hold TEXT;
//                        it is polled until --timeout-ms, for pages that
//                        write it with script
//   --selector CSS       look at the text of what CSS matches (all of it)
//                        rather than the whole page
//   --screenshot PATH    write a PNG of the page there, pass or fail
//   --timeout-ms N       for everything, browser start included (default
//                        30000)
//   --expect-refused     load with no credentials and expect 401 with a
//                        `WWW-Authenticate: Basic realm=...` header (--user,
//                        --password and --expect-status are refused with it)
//   --expect-realm R     with --expect-refused: the header's realm must be R
//   --chromium PATH      the browser (default /usr/bin/chromium)
//
// Exit status: 0 when everything expected was seen, with one line on stdout:
//   ok: URL -> 200, "TEXT" in CSS, screenshot PATH (N bytes)
// 1 when something was not (status, text, header, a timeout, a page that
// would not load), with one line on stderr saying what and what was there
// instead; 2 for a bad command line or a missing browser or package.
// Chromium runs with --no-sandbox only when we are root.

import { createRequire } from "node:module";
import { accessSync, constants as fsConstants, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const npmDir = join(here, "..", "..", "tools", "npm");

function die(code, msg) {
  process.stderr.write(`browser.mjs: ${msg}\n`);
  process.exit(code);
}

const usage =
  "usage: node browser.mjs --url URL [--user U --password P] " +
  "[--expect-status N] [--expect-text TEXT] [--selector CSS] " +
  "[--screenshot PATH] [--timeout-ms N] [--expect-refused " +
  "[--expect-realm R]] [--chromium PATH]";

function parseArgs(argv) {
  const valued = new Set(["--url", "--user", "--password", "--expect-status",
    "--expect-text", "--selector", "--screenshot", "--timeout-ms",
    "--expect-realm", "--chromium"]);
  const o = { chromium: "/usr/bin/chromium", timeoutMs: 30000,
              refused: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--expect-refused") {
      o.refused = true;
      continue;
    }
    if (a === "--help" || a === "-h") {
      process.stdout.write(usage + "\n");
      process.exit(0);
    }
    if (!valued.has(a))
      die(2, `unknown option ${a}; ${usage}`);
    if (i + 1 >= argv.length)
      die(2, `${a} needs a value`);
    const v = argv[++i];
    const key = a.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    o[key] = v;
  }
  if (!o.url)
    die(2, `--url is required; ${usage}`);
  for (const k of ["expectStatus", "timeoutMs"]) {
    if (o[k] === undefined)
      continue;
    const flag = "--" + k.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
    if (!/^[0-9]+$/.test(String(o[k])) || Number(o[k]) <= 0)
      die(2, `${flag} wants a positive whole number, not "${o[k]}"`);
    o[k] = Number(o[k]);
  }
  if ((o.user === undefined) !== (o.password === undefined))
    die(2, "--user and --password go together");
  if (o.refused && (o.user !== undefined || o.expectStatus !== undefined))
    die(2, "--expect-refused loads with no credentials and expects 401: " +
           "it takes no --user, --password or --expect-status");
  if (o.expectRealm !== undefined && !o.refused)
    die(2, "--expect-realm goes with --expect-refused");
  if (o.expectStatus === undefined)
    o.expectStatus = o.refused ? 401 : 200;
  return o;
}

// The page's visible text, or that of every element CSS matches; null when
// CSS matches nothing.
async function textOf(page, selector) {
  if (!selector)
    return await page.innerText("body").catch(() => "");
  const all = await page.locator(selector).allInnerTexts();
  return all.length ? all.join("\n") : null;
}

const squeeze = (s) => {
  const t = s.replace(/\s+/g, " ").trim();
  if (t === "")
    return "nothing";
  return JSON.stringify(t.length > 200 ? t.slice(0, 200) + "..." : t);
};

// The realm of a `Basic realm="..."` challenge, or null if it is not one.
function basicRealm(header) {
  const m = /^\s*Basic\s+(?:.*,\s*)?realm="((?:[^"\\]|\\.)*)"/i.exec(header);
  return m ? m[1].replace(/\\(.)/g, "$1") : null;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const deadline = Date.now() + o.timeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  const reserve = Math.min(5000, o.timeoutMs / 4);
  // One watchdog over everything: a browser that hangs while starting
  // included.
  let stage = "starting";
  const watchdog = setTimeout(
    () => die(1, `${o.url} not done within ${o.timeoutMs} ms (--timeout-ms), ` +
                 `while ${stage}`),
    o.timeoutMs);

  try {
    accessSync(o.chromium, fsConstants.X_OK);
  } catch {
    die(2, `${o.chromium} not found or not executable: install Debian's ` +
           "chromium " +
           "(scripts/install-deps.sh installs it)");
  }
  let chromium;
  try {
    chromium = createRequire(join(npmDir, "package.json"))("playwright-core")
                 .chromium;
  } catch (e) {
    die(2, `playwright-core not found in ${npmDir}: run ` +
           `scripts/install-deps.sh (${e.code || e.message})`);
  }

  let browser;
  stage = `starting ${o.chromium}`;
  try {
    browser = await chromium.launch({
      executablePath: o.chromium,
      chromiumSandbox: process.getuid() !== 0,
      timeout: left(),
    });
  } catch (e) {
    if (e.name === "TimeoutError")
      die(1, `${o.url} not done within ${o.timeoutMs} ms (--timeout-ms), ` +
             `while ${stage}`);
    die(2, `${o.chromium} would not start: ` +
           `${String(e.message).split("\n")[0]}`);
  }
  let verdict = null; // [exit code, line]
  try {
    const ctx = await browser.newContext(
      o.user !== undefined
        ? { httpCredentials: { username: o.user, password: o.password } }
        : {});
    const page = await ctx.newPage();
    // The main frame's last response: headless Chromium with no credentials
    // to give fails the navigation on a 401 (ERR_INVALID_AUTH_CREDENTIALS)
    // after that response came.
    let mainResp = null;
    page.on("response", (r) => {
      if (r.frame() === page.mainFrame() && r.request().isNavigationRequest())
        mainResp = r;
    });
    let resp;
    stage = "loading the page";
    try {
      resp = await page.goto(o.url, { timeout: left(),
                                      waitUntil: "load" });
    } catch (e) {
      const first = String(e.message).split("\n")[0];
      if (e.name === "TimeoutError")
        die(1, `${o.url} not done within ${o.timeoutMs} ms ` +
               `(--timeout-ms), while ${stage}`);
      if (!(mainResp && mainResp.status() === 401 &&
            first.includes("ERR_INVALID_AUTH_CREDENTIALS")))
        die(1, `${o.url} could not be loaded: ${first}`);
      resp = mainResp;
    }
    if (!resp)
      die(1, `${o.url} gave no HTTP response (not an http: URL?)`);
    const status = resp.status();
    const challenge = await resp.headerValue("www-authenticate");
    const seen = [`${o.url} -> ${status}`];
    if (status !== o.expectStatus) {
      verdict = [1, `${o.url} answered ${status}, expected ` +
                    `${o.expectStatus}` +
                    (challenge ? ` (WWW-Authenticate: ${challenge})` : "") +
                    `; the page shows ${squeeze(await textOf(page, ""))}`];
    } else if (o.refused) {
      const realm = challenge === null ? null : basicRealm(challenge);
      if (challenge === null)
        verdict = [1, `${o.url} answered 401 without a WWW-Authenticate ` +
                      "header"];
      else if (realm === null)
        verdict = [1, `${o.url} answered 401 with WWW-Authenticate: ` +
                      `${challenge}, not a Basic challenge with a realm`];
      else if (o.expectRealm !== undefined && realm !== o.expectRealm)
        verdict = [1, `${o.url} asks for realm "${realm}", expected ` +
                      `"${o.expectRealm}"`];
      else
        seen.push(`WWW-Authenticate: ${challenge}`);
    }
    if (!verdict && o.expectText !== undefined) {
      // Poll: a page may write its text with script after "load".
      stage = "looking for the text";
      let text;
      for (;;) {
        text = await textOf(page, o.selector);
        if (text !== null && text.includes(o.expectText))
          break;
        // Stop in time to leave the screenshot and the report their share.
        if (deadline - Date.now() < reserve + 150)
          break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const where = o.selector ? ` in ${o.selector}` : "";
      if (text === null)
        verdict = [1, `no element of ${o.url} matches ${o.selector}; the ` +
                      `page shows ${squeeze(await textOf(page, ""))}`];
      else if (!text.includes(o.expectText))
        verdict = [1, `${JSON.stringify(o.expectText)} not found${where} ` +
                      `on ${o.url}, which shows ${squeeze(text)}`];
      else
        seen.push(`${JSON.stringify(o.expectText)}${where}`);
    } else if (!verdict && o.selector) {
      const text = await textOf(page, o.selector);
      if (text === null)
        verdict = [1, `no element of ${o.url} matches ${o.selector}`];
      else
        seen.push(`${o.selector} shows ${squeeze(text)}`);
    }
    if (o.screenshot) {
      stage = "taking the screenshot";
      await page.screenshot({ path: o.screenshot, fullPage: true,
                              timeout: left() });
      seen.push(`screenshot ${o.screenshot} ` +
                `(${statSync(o.screenshot).size} bytes)`);
    }
    if (!verdict)
      verdict = [0, "ok: " + seen.join(", ")];
  } finally {
    stage = "closing the browser";
    clearTimeout(watchdog);
    await browser.close().catch(() => {});
  }
  if (verdict[0] === 0)
    process.stdout.write(verdict[1] + "\n");
  else
    process.stderr.write(`browser.mjs: ${verdict[1]}\n`);
  process.exit(verdict[0]);
}

main().catch((e) =>
  die(1, `failed: ${String(e && e.message ? e.message : e).split("\n")[0]}`));
