/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sdk/c/error.c: names and messages for the codes of include/parigot/error.h,
 * shared by the host and by guests.
 *
 * Owns nothing; both tables come from PARIGOT_ERRNO_MAP. Any thread.
 */
#include "parigot/error.h"

const char *parigot_strerror(int err) {
  switch (err) {
  case PARIGOT_OK:
    return "success";
#define XX(name, value, msg)                                                   \
  case PARIGOT_##name:                                                         \
    return msg;
    PARIGOT_ERRNO_MAP(XX)
#undef XX
  }
  return "unknown error";
}

const char *parigot_err_name(int err) {
  switch (err) {
  case PARIGOT_OK:
    return "PARIGOT_OK";
#define XX(name, value, msg)                                                   \
  case PARIGOT_##name:                                                         \
    return "PARIGOT_" #name;
    PARIGOT_ERRNO_MAP(XX)
#undef XX
  }
  return "PARIGOT_UNKNOWN";
}

int parigot_err_is_fatal(int err) {
  return err <= PARIGOT_EFATAL;
}
