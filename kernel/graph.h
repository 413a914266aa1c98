/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/graph.h: the service dependency graph of an app, checked and put in
 * start order before any guest runs.
 *
 * Each guest (service or program) names the protobuf services it exports and
 * the ones it requires. Guest X depends on guest Y when X requires a service
 * that Y exports. pg_graph_order() refuses a graph with a duplicate export, a
 * requirement nobody exports or a dependency cycle, naming every guest and
 * service involved, and otherwise gives one start order that depends only on
 * the input. Both functions keep no state between calls and allocate with
 * malloc/free, so any thread may call them.
 */
#ifndef PG_GRAPH_H
#define PG_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "mem.h"

/* One guest as the graph sees it; every string is borrowed for the call. */
typedef struct pg_graph_node {
  const char *name;           /* guest name, e.g. "greeting" */
  const char *const *exports; /* services, e.g. "greeting.v1.Greeting" */
  size_t nexports;
  const char *const *requires; /* services this guest calls */
  size_t nrequires;
  /* Its exports serve from the moment it declared them (a test program's
   * mocks): requiring them orders nothing and closes no cycle. */
  bool serves_early;
} pg_graph_node;

/**
 * @brief Checks the graph of @p nodes and computes a start order.
 *
 * Each node comes after every node exporting a service it requires, unless
 * that node serves early. Among
 * the nodes whose requirements are all met, the lowest input index goes
 * first (Kahn's algorithm with a min-index choice), so the same input always
 * gives the same order. Problems are reported in this order, one line each,
 * joined by '\n' with no trailing newline:
 *   - "service S is exported by both a and b", in input order of the later
 *     export (a guest exporting S twice gives "both a and a");
 *   - "hello requires S, which no guest exports", in input order;
 *   - "dependency cycle: a -> b -> a", one per strongly connected component
 *     of two or more guests and one per guest requiring its own export
 *     ("a -> a"), ordered by lowest guest index. The cycle starts at the
 *     component's lowest-index guest and follows requirement edges in index
 *     order; guests of the component off that cycle are appended as
 *     " (also involved: c, d)".
 *
 * @param nodes      borrowed for the call; may be NULL when @p n is 0.
 * @param[out] order n node indices, written only on success.
 * @param mem        where the call's working memory comes from; all of it
 *                   is freed before the call returns.
 * @param[out] err   the problems, always NUL-terminated ("" on success) and
 *                   cut at a character boundary when @p err_len is too
 *                   small; may be NULL when @p err_len is 0.
 * @return 0, PARIGOT_EINVAL (bad graph) or PARIGOT_ENOMEM.
 */
int pg_graph_order(const pg_graph_node *nodes, size_t n, size_t *order,
                   const pg_mem *mem, char *err, size_t err_len);

/**
 * @brief Writes the graph to @p f in Graphviz DOT.
 *
 * One node per guest, programs drawn as boxes, then one edge per requirement
 * "user" -> "provider" labelled with the service, in input order (one edge
 * per exporter; a requirement nobody exports draws none). Names are quoted
 * with '"' and '\\' escaped.
 *
 * @param is_program parallel to @p nodes, or NULL when none is a program.
 * @param app_name   the graph's name, or NULL for an anonymous graph.
 * @param mem        as for pg_graph_order().
 * @return 0, PARIGOT_EIO (writing @p f failed) or PARIGOT_ENOMEM.
 */
int pg_graph_write_dot(const pg_graph_node *nodes, size_t n,
                       const bool *is_program, const char *app_name, FILE *f,
                       const pg_mem *mem);

#endif /* PG_GRAPH_H */
