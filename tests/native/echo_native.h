/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/native/echo_native.h: the test native services: Echo, and kinds
 * made to be refused by the graph (ping and pong, a cycle; needy, a
 * requirement nobody exports). Constant.
 */
#ifndef PG_TEST_ECHO_NATIVE_H
#define PG_TEST_ECHO_NATIVE_H

#include "parigot/native.h"

extern const pg_native_kind pg_test_echo_kind;
extern const pg_native_kind pg_test_ping_kind;
extern const pg_native_kind pg_test_pong_kind;
extern const pg_native_kind pg_test_needy_kind;

#endif /* PG_TEST_ECHO_NATIVE_H */
