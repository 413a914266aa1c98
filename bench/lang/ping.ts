// bench/lang/ping.ts: the language suite's AssemblyScript program, as
// bench/app/ping.c: PING_CALLS sequential calls of Ping with PING_SIZE
// bytes (byte i is i * 31 + 7), each started from the previous answer;
// checks each answer's length and the last one's bytes, prints
// "ping calls N size S" and exits 0 (1 on a failure).
import { Level, Status, exit, getenv, guest, log, print } from "parigot";
import { Payload, Ping } from "parigot/bench/app/v1/ping.pg";
export * from "parigot/exports";

class Run {
  done: i64 = 0;
  req: Payload = new Payload();
  constructor(public calls: i64) {}
}

function envInt(name: string): i64 {
  const v = getenv(name);
  return v == null ? 0 : I64.parseInt(v);
}

function finish(run: Run): void {
  print("ping calls " + run.calls.toString() + " size " +
        run.req.data.length.toString());
  exit(0);
}

function send(run: Run): void {
  Ping.ping(run.req, run, answered, failed);
}

function answered(resp: Payload, run: Run): void {
  const sent = run.req.data;
  const last = run.done + 1 == run.calls;
  let same = resp.data.length == sent.length;
  for (let i = 0; same && last && i < sent.length; i++)
    same = unchecked(resp.data[i]) == unchecked(sent[i]);
  if (!same) {
    log(Level.ERROR, "call " + run.done.toString() + ": wrong answer (" +
        resp.data.length.toString() + " bytes)");
    exit(1);
  }
  if (++run.done == run.calls) finish(run);
  else send(run);
}

function failed(st: Status, run: Run): void {
  log(Level.ERROR, "call " + run.done.toString() + " failed: code " +
      st.code.toString() + ": " + st.message);
  exit(1);
}

guest((): void => {
  Ping.require();
}, (): void => {
  const run = new Run(envInt("PING_CALLS"));
  const size = <i32>envInt("PING_SIZE");
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) unchecked(data[i] = <u8>(i * 31 + 7));
  run.req.data = data;
  if (run.calls <= 0) finish(run);
  else send(run);
});
