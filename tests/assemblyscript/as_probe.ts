// tests/assemblyscript/as_probe.ts: astest.v1.Probe in AssemblyScript, the
// service the tests call from C and from AssemblyScript: echo, memory
// size, the service's own error, a trap, answers kept for later, and a
// method left unimplemented.
import { Call, Code, Level, guest, log, onStop } from "parigot";
import {
  Blob, Count, Empty, MemoryResponse, Millis, Probe, ProbeError,
  ProbeServer,
} from "astest/v1/astest.pg";
export * from "parigot/exports";

const later = new Array<Call<Empty>>();

class AsProbe extends ProbeServer {
  echo(call: Call<Blob>, req: Blob): void {
    call.respond(req);
  }

  memory(call: Call<MemoryResponse>, req: Empty): void {
    const resp = new MemoryResponse();
    resp.pages = <u32>memory.size();
    call.respond(resp);
  }

  refuse(call: Call<Empty>, req: Empty): void {
    call.fail(Code.UNKNOWN, ProbeError.PROBE_ERROR_REFUSED, "refused");
  }

  crash(call: Call<Empty>, req: Empty): void {
    unreachable();
  }

  later(call: Call<Empty>, req: Empty): void {
    later.push(call);
  }

  timeLeft(call: Call<Millis>, req: Empty): void {
    const resp = new Millis();
    resp.ms = call.timeLeft() / 1000000;
    call.respond(resp);
  }

  release(call: Call<Count>, req: Empty): void {
    const resp = new Count();
    resp.n = <u32>later.length;
    for (let i = 0; i < later.length; i++) later[i].respond(new Empty());
    later.length = 0;
    call.respond(resp);
  }
}

guest((): void => {
  Probe.serve(new AsProbe());
}, (): void => {
  onStop((): void => {
    log(Level.INFO, "probe stopping");
  });
  log(Level.INFO, "probe ready");
});
