// hello.cpp: the program: asks the Greeter to greet the world, prints the
// answer and exits.
#include <iostream>
#include <string>

#include "greeter/v1/greeter.pg.h"
#include "parigot/guest.h"

namespace {

// One of these two runs later, with the answer.
void greeted(void *, const greeter_v1_GreetResponse *r) {
  std::string message(reinterpret_cast<const char *>(r->message.data),
                      r->message.len);
  std::cout << message << '\n';
  parigot_exit(0); // flushes std::cout
}

void failed(void *, const parigot_status *st) {
  parigot_log(PARIGOT_ERROR, "Greet failed: code %u: %s",
              static_cast<unsigned>(st->code), st->message);
  parigot_exit(1);
}

} // namespace

extern "C" void parigot_guest_declare(void) {
  greeter_v1_Greeter_require();
}

extern "C" void parigot_guest_start(void) {
  std::string name = "world";
  greeter_v1_GreetRequest req;
  greeter_v1_GreetRequest_init(&req);
  req.name.data = reinterpret_cast<uint8_t *>(name.data());
  req.name.len = name.size();
  greeter_v1_Greeter_Greet(&req, greeted, failed, nullptr);
}
