// hello.ts: the program: asks the Greeter to greet the world, prints the
// answer and exits.
import { Level, Status, exit, guest, log, print } from "parigot";
import { GreetRequest, GreetResponse, Greeter } from "greeter/v1/greeter.pg";
export * from "parigot/exports"; // what the kernel calls

// One of these two runs later, with the answer (AssemblyScript functions
// capture nothing: what they need comes in the context, here unused).
function greeted(resp: GreetResponse, ctx: i32): void {
  print(resp.message);
  exit(0);
}

function failed(st: Status, ctx: i32): void {
  log(Level.ERROR, "Greet failed: code " + st.code.toString() + ": " +
                   st.message);
  exit(1);
}

guest((): void => { Greeter.require(); }, (): void => {
  const req = new GreetRequest();
  req.name_ = "world";
  Greeter.greet(req, 0, greeted, failed);
});
