// bench/lang/pong.ts: the language suite's AssemblyScript service:
// answers every Ping with the payload it was sent, as bench/app/pong.c.
import { Call, guest } from "parigot";
import { Payload, Ping, PingServer } from "parigot/bench/app/v1/ping.pg";
export * from "parigot/exports";

class Pong extends PingServer {
  ping(call: Call<Payload>, req: Payload): void {
    call.respond(req);
  }
}

guest((): void => {
  Ping.serve(new Pong());
}, (): void => {});
