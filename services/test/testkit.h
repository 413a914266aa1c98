/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/test/testkit.h: the parigot.test native kind, which serves
 * parigot.test.v1.Test (proto/parigot/test/v1/test.proto) to the test
 * programs of `parigot test`: Sleep on the app's clock, faults injected
 * into the app's calls, services killed on demand. The kernel adds one as
 * the service "parigot-test" to every test app whose manifest has none.
 */
#ifndef PG_TESTKIT_H
#define PG_TESTKIT_H

#include "parigot/native.h"

/* The kind's name, as `native = "..."` names it. */
#define PG_TESTKIT_KIND "parigot.test"

extern const pg_native_kind pg_testkit_kind;

#endif /* PG_TESTKIT_H */
