// tests/polyglot/assemblyscript/conform_as.ts: conform.v1.Conformance in
// AssemblyScript, exactly as tests/polyglot/proto/conform/v1/conform.proto
// describes it; the driver compares its answers with the C and Rust
// services' byte for byte. Missing is left to the skeleton, which answers
// UNIMPLEMENTED as every SDK does.
import { Call, IncomingCall, guest } from "parigot";
import {
  BigRequest, BigResponse, Conformance, ConformanceServer, DeadlineResponse,
  EchoRequest, EchoResponse, Empty, FailRequest,
} from "conform/v1/conform.pg";
export * from "parigot/exports";

// Held calls stay referenced: they are answered by their deadline only.
const held = new Array<IncomingCall>();

class Conform extends ConformanceServer {
  echo(call: Call<EchoResponse>, req: EchoRequest): void {
    const resp = new EchoResponse();
    resp.echo = req;
    resp.caller = call.caller;
    call.respond(resp);
  }

  fail(call: Call<Empty>, req: FailRequest): void {
    call.fail(req.code, req.appError, req.message);
  }

  hold(call: Call<Empty>, req: Empty): void {
    held.push(call);
  }

  deadline(call: Call<DeadlineResponse>, req: Empty): void {
    const resp = new DeadlineResponse();
    resp.timeLeftMs = call.timeLeft() / 1000000;
    call.respond(resp);
  }

  big(call: Call<BigResponse>, req: BigRequest): void {
    const resp = new BigResponse();
    const data = new Uint8Array(<i32>req.size);
    let hash: u32 = 2166136261;
    for (let i: u32 = 0; i < req.size; i++) {
      const b = <u8>(i * 31 + req.seed);
      unchecked(data[i] = b);
      hash = (hash ^ <u32>b) * 16777619;
    }
    resp.data = data;
    resp.fnv1a = hash;
    call.respond(resp);
  }

  nothing(call: Call<Empty>, req: Empty): void {
    call.respond(new Empty());
  }
}

guest((): void => {
  Conformance.serve(new Conform());
}, (): void => {});
