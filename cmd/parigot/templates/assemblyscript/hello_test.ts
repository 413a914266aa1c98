// hello_test.ts: the app's test (test = true in the manifest, run by
// `make test`): a name gets its greeting, and an empty name gets
// INVALID_ARGUMENT. Exits 0 when both answers are right.
import { Code, Level, Status, exit, guest, log } from "parigot";
import { GreetRequest, GreetResponse, Greeter } from "greeter/v1/greeter.pg";
export * from "parigot/exports"; // what the kernel calls

// One call of Greet and the answer it should get: a greeting, or null
// when INVALID_ARGUMENT is expected. It travels with the call as its
// context.
class Case {
  constructor(public name: string, public want: string | null) {}
}

const CASES = 2;
let answered = 0;
let wrong = 0;

// Counts one answer; once all have come, exits 0 if all were right.
function answer(right: bool): void {
  if (!right) wrong++;
  if (++answered == CASES) exit(wrong == 0 ? 0 : 1);
}

function greeted(resp: GreetResponse, c: Case): void {
  const want = c.want;
  const right = want != null && resp.message == want;
  if (!right)
    log(Level.ERROR, "Greet(\"" + c.name + "\"): wrong answer: " +
                     resp.message);
  answer(right);
}

function failed(st: Status, c: Case): void {
  const right = c.want == null && st.code == Code.INVALID_ARGUMENT;
  if (!right)
    log(Level.ERROR, "Greet(\"" + c.name + "\") failed: code " +
                     st.code.toString() + ": " + st.message);
  answer(right);
}

function greet(c: Case): void {
  const req = new GreetRequest();
  req.name_ = c.name;
  Greeter.greet(req, c, greeted, failed);
}

guest((): void => { Greeter.require(); }, (): void => {
  greet(new Case("Ada", "Hello, Ada!"));
  greet(new Case("", null));
});
