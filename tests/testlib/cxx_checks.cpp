// SPDX-License-Identifier: Apache-2.0
// tests/testlib/cxx_checks.cpp: the C test library from C++ (overloads in
// place of _Generic): one check fails on purpose (SCENARIO=fail, at the
// line marked @cxx), the rest hold.
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "parigot/guest.h"
#include "parigot/testing.h"

extern "C" void parigot_guest_declare(void) {}

extern "C" void parigot_guest_start(void) {
  const char *s = std::getenv("SCENARIO");
  std::vector<int> v{1, 2, 4};
  std::string name = "carol";
  int sum = 0;
  for (int x : v)
    sum += x;
  PARIGOT_EXPECT_EQ(v.size(), 3);
  PARIGOT_EXPECT_EQ(name.c_str(), "carol");
  PARIGOT_EXPECT_LT(-2, v.size());
  PARIGOT_EXPECT_TRUE(!v.empty());
  PARIGOT_ASSERT_NE(v[0], 0);
  if (s != nullptr && std::strcmp(s, "fail") == 0)
    PARIGOT_EXPECT_EQ(sum, 8); /* @cxx */
  parigot_log(PARIGOT_INFO, "sum %d, failures %u", sum,
              parigot_testing_failures());
  parigot_exit(0);
}
