// tests/ctx/as_second.ts: ctxtest.v1.Second in AssemblyScript, the middle
// hop of the chain. It reports the user it sees (callUser), makes its
// calls for `second_login` when asked (setCallUser, which only a guest the
// manifest lets authenticate may), calls Third, and from that call's
// continuation, where it reports the user again, calls Third once more.
import {
  Call, Status, callUser, callUserHasRole, guest, log, Level, setCallUser,
} from "parigot";
import {
  HopRequest, HopResponse, Second, SecondServer, Third,
} from "ctxtest/v1/ctxtest.pg";
export * from "parigot/exports";

/** The words every hop of tests/ctx writes for the user it sees. */
function who(): string {
  const u = callUser();
  if (u == null) return "nobody";
  return "id=" + u.id + " name=" + u.name + " roles=" + u.roles.join(",") +
         " admin=" + (callUserHasRole("admin") ? "yes" : "no");
}

/** A Hop call waiting for Third. */
class Hop {
  calls: i32 = 0;
  constructor(public call: Call<HopResponse>, public report: string) {}
}

function thirdAnswered(resp: HopResponse, h: Hop): void {
  h.report += resp.report;
  continued(h);
}

function thirdFailed(st: Status, h: Hop): void {
  h.report += "second (AS): Third failed: code " + st.code.toString() +
              ": " + st.message + "\n";
  continued(h);
}

function continued(h: Hop): void {
  h.report += "second (AS) continued: " + who() + "\n";
  if (++h.calls < 2) {
    // A call from the continuation: for the same user as the first.
    Third.hop(new HopRequest(), h, thirdAnswered, thirdFailed);
    return;
  }
  const resp = new HopResponse();
  resp.report = h.report;
  h.call.respond(resp);
}

class Server extends SecondServer {
  hop(call: Call<HopResponse>, req: HopRequest): void {
    let report = "second (AS): " + who() + "\n";
    if (req.secondLogin.length > 0) {
      const rc = setCallUser(req.secondLogin, "", ["ops"]);
      report += "second (AS): set user " + req.secondLogin + ": " +
                (rc == 0 ? "ok" : rc == -11 ? "permission denied"
                                            : "error " + rc.toString()) +
                "\n";
    }
    const h = new Hop(call, report);
    h.calls = 0;
    Third.hop(new HopRequest(), h, thirdAnswered, thirdFailed);
  }
}

guest((): void => {
  Third.require();
  Second.serve(new Server());
}, (): void => {
  log(Level.INFO, "start: " + who());
});
