// greeter.ts: the greeter.v1.Greeter service: "Hello, <name>!", or
// INVALID_ARGUMENT for an empty name.
import { Call, Code, Level, guest, log } from "parigot";
import {
  GreetRequest, GreetResponse, Greeter, GreeterServer,
} from "greeter/v1/greeter.pg";
export * from "parigot/exports"; // what the kernel calls

// The proto's field `name` is `name_` here: the generator adds "_" to
// names TypeScript or the SDK keep for themselves.
class Greetings extends GreeterServer {
  greet(call: Call<GreetResponse>, req: GreetRequest): void {
    if (req.name_.length == 0) {
      call.fail(Code.INVALID_ARGUMENT, 0, "name is empty");
      return;
    }
    const resp = new GreetResponse();
    resp.message = "Hello, " + req.name_ + "!";
    call.respond(resp);
  }
}

guest((): void => { Greeter.serve(new Greetings()); },  // declare
      (): void => { log(Level.INFO, "ready"); });       // start
