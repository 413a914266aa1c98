// hello_test.cpp: the app's test (test = true in the manifest, run by
// `make test`): a name gets its greeting, and an empty name gets
// INVALID_ARGUMENT. Exits 0 when both answers are right.
#include <iterator>
#include <optional>
#include <string>

#include "greeter/v1/greeter.pg.h"
#include "parigot/guest.h"

namespace {

// One call of Greet and the answer it should get: a greeting, or none
// when INVALID_ARGUMENT is expected.
struct Case {
  std::string name;
  std::optional<std::string> want;
};

Case cases[] = {{"Ada", "Hello, Ada!"}, {"", std::nullopt}};
size_t answered = 0, wrong = 0;

// Counts one answer; once all have come, exits 0 if all were right.
void answer(bool right) {
  if (!right)
    wrong++;
  if (++answered == std::size(cases))
    parigot_exit(wrong == 0 ? 0 : 1);
}

void greeted(void *ctx, const greeter_v1_GreetResponse *r) {
  const Case &c = *static_cast<const Case *>(ctx);
  std::string got(reinterpret_cast<const char *>(r->message.data),
                  r->message.len);
  bool right = c.want && got == *c.want;
  if (!right)
    parigot_log(PARIGOT_ERROR, "Greet(\"%s\"): wrong answer: %s",
                c.name.c_str(), got.c_str());
  answer(right);
}

void failed(void *ctx, const parigot_status *st) {
  const Case &c = *static_cast<const Case *>(ctx);
  bool right = !c.want && st->code == PARIGOT_CODE_INVALID_ARGUMENT;
  if (!right)
    parigot_log(PARIGOT_ERROR, "Greet(\"%s\") failed: code %u: %s",
                c.name.c_str(), static_cast<unsigned>(st->code), st->message);
  answer(right);
}

} // namespace

extern "C" void parigot_guest_declare(void) {
  greeter_v1_Greeter_require();
}

extern "C" void parigot_guest_start(void) {
  for (Case &c : cases) {
    greeter_v1_GreetRequest req;
    greeter_v1_GreetRequest_init(&req);
    req.name.data = reinterpret_cast<uint8_t *>(c.name.data());
    req.name.len = c.name.size();
    greeter_v1_Greeter_Greet(&req, greeted, failed, &c);
  }
}
