/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/grpc_codes.h: gRPC's 17 status codes, names and numbers as gRPC
 * defines them (grpc/grpc doc/statuscodes.md): the one list each SDK's
 * names are checked against (test_polyglot for C and docs/abi.md,
 * test_rust, test_assemblyscript). X(NAME, number), in order.
 */
#ifndef PG_TEST_GRPC_CODES_H
#define PG_TEST_GRPC_CODES_H

#define PG_TEST_GRPC_CODES(X)                                                  \
  X(OK, 0)                                                                     \
  X(CANCELLED, 1)                                                              \
  X(UNKNOWN, 2)                                                                \
  X(INVALID_ARGUMENT, 3)                                                       \
  X(DEADLINE_EXCEEDED, 4)                                                      \
  X(NOT_FOUND, 5)                                                              \
  X(ALREADY_EXISTS, 6)                                                         \
  X(PERMISSION_DENIED, 7)                                                      \
  X(RESOURCE_EXHAUSTED, 8)                                                     \
  X(FAILED_PRECONDITION, 9)                                                    \
  X(ABORTED, 10)                                                               \
  X(OUT_OF_RANGE, 11)                                                          \
  X(UNIMPLEMENTED, 12)                                                         \
  X(INTERNAL, 13)                                                              \
  X(UNAVAILABLE, 14)                                                           \
  X(DATA_LOSS, 15)                                                             \
  X(UNAUTHENTICATED, 16)

/* "NAME N\n" for every code, in order: what each SDK's check prints. */
#define PG_TEST_GRPC_CODE_LINE(name, n) #name " " #n "\n"
#define PG_TEST_GRPC_CODES_TEXT PG_TEST_GRPC_CODES(PG_TEST_GRPC_CODE_LINE)

#endif /* PG_TEST_GRPC_CODES_H */
