/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/app/node.c: a node of a dependency graph, shaped by its manifest
 * entry. EXPORTS and REQUIRES (comma-separated service names) say what it
 * declares; it logs "ready" when it starts, and a node with PROGRAM=1 then
 * exits 0. It never answers a call: the graph tests need only the names,
 * so it declares them with the raw ABI instead of generated code.
 */
#include <stdlib.h>
#include <string.h>

#include "parigot/abi.h"
#include "parigot/guest.h"

/* Declares each name of the comma-separated list in env variable @p var. */
static void declare_each(const char *var,
                         int32_t (*declare)(const char *, uint32_t)) {
  const char *list = getenv(var);
  while (list != NULL && *list != '\0') {
    size_t len = strcspn(list, ",");
    int32_t rc = declare(list, (uint32_t)len);
    if (rc != 0)
      parigot_log(PARIGOT_ERROR, "%s %.*s: %d", var, (int)len, list, rc);
    list += len + (list[len] == ',');
  }
}

void parigot_guest_declare(void) {
  declare_each("EXPORTS", parigot_abi_export_service);
  declare_each("REQUIRES", parigot_abi_require_service);
}

static void stopping(void) {
  parigot_log(PARIGOT_INFO, "stopping");
}

void parigot_guest_start(void) {
  parigot_on_stop(stopping);
  parigot_log(PARIGOT_INFO, "ready");
  const char *program = getenv("PROGRAM");
  if (program != NULL && strcmp(program, "1") == 0)
    parigot_exit(0);
}
