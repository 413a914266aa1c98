// tests/assemblyscript/as_caller.ts: an AssemblyScript program that calls
// services written in C and AssemblyScript; its first argument names the
// scenario, and it prints what happened for the test to check.
//   hello     greeting.v1.Greeting in French: "Bonjour, world"
//   unknown   Greeting in tongue 99: the service's app error
//   deadline  Probe.Later with a 50 ms deadline, then TimeLeft with 2 s
//   died      astest Probe.Crash: the DIED event and UNAVAILABLE
//   restart   Probe.Crash, then, once the probe is back (RESTARTED), Echo
//   env       prints its arguments and $GREETING, and exits 0
import {
  Code, Level, ServiceDesc, Status, args, exit, getenv, guest, log,
  nextCallTimeout, onRequiredDied, onRequiredRestarted, print,
} from "parigot";
import { Blob, Empty, Millis, Probe } from "astest/v1/astest.pg";
import {
  FetchGreetingRequest, FetchGreetingResponse, Greeting, Tongue,
} from "greeting/v1/greeting.pg";
export * from "parigot/exports";

let scenario = "";

// Calls fail and succeed with their scenario's name as context.
function failed(st: Status, what: string): void {
  print(what + ": code=" + st.code.toString() + " app_error=" +
        st.appError.toString() + " message=" + st.message);
  if (what == "crash") {
    sawCrash = true;
    if (sawDied) exit(0);
    return;
  }
  exit(1);
}

let sawDied = false;
let sawCrash = false;

function greet(tongue: i32): void {
  const req = new FetchGreetingRequest();
  req.tongue = tongue;
  Greeting.fetchGreeting(req, "greet",
    (resp: FetchGreetingResponse, what: string): void => {
      print(resp.greeting + ", world");
      exit(0);
    }, failed);
}

function deadline(): void {
  nextCallTimeout(2000000000);
  Probe.timeLeft(new Empty(), "time left",
    (resp: Millis, what: string): void => {
      print("time_left_ms=" + resp.ms.toString());
      exit(0);
    }, failed);
}

guest((): void => {
  scenario = args().length > 1 ? args()[1] : "";
  if (scenario == "hello" || scenario == "unknown") Greeting.require();
  if (scenario == "deadline" || scenario == "died" ||
      scenario == "restart") Probe.require();
}, (): void => {
  if (scenario == "hello") {
    greet(Tongue.TONGUE_FRENCH);
  } else if (scenario == "unknown") {
    greet(99);
  } else if (scenario == "deadline") {
    nextCallTimeout(50000000);
    Probe.later(new Empty(), "later",
      (resp: Empty, what: string): void => {
        print("later answered");
        exit(1);
      }, (st: Status, what: string): void => {
        print(what + ": code=" + st.code.toString());
        if (st.code != Code.DEADLINE_EXCEEDED) exit(1);
        deadline();
      });
  } else if (scenario == "died") {
    onRequiredDied((s: ServiceDesc, why: string): void => {
      print("died: " + s.name + ": " + why);
      sawDied = true;
      if (sawCrash) exit(0);
    });
    Probe.crash(new Empty(), "crash", (resp: Empty, what: string): void => {
      print("crash answered");
      exit(1);
    }, failed);
  } else if (scenario == "restart") {
    onRequiredDied((s: ServiceDesc, why: string): void => {
      print("died: " + s.name);
    });
    onRequiredRestarted((s: ServiceDesc): void => {
      print("restarted: " + s.name);
      const b = new Blob();
      b.text = "again";
      Probe.echo(b, "echo", (resp: Blob, what: string): void => {
        print("echo: " + resp.text);
        exit(0);
      }, failed);
    });
    Probe.crash(new Empty(), "crash", (resp: Empty, what: string): void => {
      print("crash answered");
      exit(1);
    }, (st: Status, what: string): void => {
      print("crash: code=" + st.code.toString());
    });
  } else if (scenario == "env") {
    const g = getenv("GREETING");
    print(args().join("|") + " GREETING=" + (g != null ? g : "(unset)") +
          " NOPE=" + (getenv("NOPE") != null ? "set" : "(unset)"));
    exit(0);
  } else {
    log(Level.ERROR, "unknown scenario '" + scenario + "'");
    exit(2);
  }
});
