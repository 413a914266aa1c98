// greeter.cpp: the greeter.v1.Greeter service: "Hello, <name>!", or
// INVALID_ARGUMENT for an empty name.
#include <string>

#include "greeter/v1/greeter.pg.h"
#include "parigot/guest.h"

namespace {

void greet(parigot_call *call, const greeter_v1_GreetRequest *req, void *) {
  std::string name(reinterpret_cast<const char *>(req->name.data),
                   req->name.len);
  if (name.empty()) {
    parigot_call_fail(call, PARIGOT_CODE_INVALID_ARGUMENT, 0, "name is empty");
    return;
  }
  std::string message = "Hello, " + name + "!";
  greeter_v1_GreetResponse resp;
  greeter_v1_GreetResponse_init(&resp);
  resp.message.data = reinterpret_cast<uint8_t *>(message.data());
  resp.message.len = message.size();
  greeter_v1_Greeter_Greet_respond(call, &resp); // copies the message
}

const greeter_v1_Greeter_handlers handlers = {greet, nullptr};

} // namespace

extern "C" void parigot_guest_declare(void) {
  greeter_v1_Greeter_export(&handlers);
}

extern "C" void parigot_guest_start(void) {
  parigot_log(PARIGOT_INFO, "ready");
}
