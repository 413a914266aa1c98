// tests/assemblyscript/as_greeting.ts: greeting.v1.Greeting
// (examples/helloworld/proto) in AssemblyScript, answering as the C
// examples/helloworld/greeting.c does, so the C hello program prints
// "Bonjour, world" from it.
import { Call, Code, Level, guest, log } from "parigot";
import {
  FetchGreetingRequest, FetchGreetingResponse, Greeting, GreetingError,
  GreetingServer, Tongue,
} from "greeting/v1/greeting.pg";
export * from "parigot/exports";

class Greeter extends GreetingServer {
  fetchGreeting(call: Call<FetchGreetingResponse>,
                req: FetchGreetingRequest): void {
    const resp = new FetchGreetingResponse();
    if (req.tongue == Tongue.TONGUE_ENGLISH) {
      resp.greeting = "Hello";
    } else if (req.tongue == Tongue.TONGUE_FRENCH) {
      resp.greeting = "Bonjour";
    } else if (req.tongue == Tongue.TONGUE_GERMAN) {
      resp.greeting = "Guten Tag";
    } else {
      log(Level.WARN, "no greeting in tongue " + req.tongue.toString());
      call.fail(Code.UNKNOWN, GreetingError.GREETING_ERROR_UNKNOWN_TONGUE,
                "unknown tongue");
      return;
    }
    call.respond(resp);
  }
}

guest((): void => {
  Greeting.serve(new Greeter());
}, (): void => {
  log(Level.INFO, "ready");
});
