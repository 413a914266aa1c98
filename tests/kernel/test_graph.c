/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/kernel/test_graph.c: the service dependency graph: start order,
 * every kind of refused graph with its exact message, error truncation,
 * running out of memory, and the Graphviz output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "parigot/error.h"
#include "test.h"
#include "test_mem.h"

/* The nodes below leave serves_early out: false, but for the test of it. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* A service list and its length, as pg_graph_node wants them. */
#define LIST(...)                                                              \
  (const char *const[]){__VA_ARGS__},                                          \
      sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)
#define NONE NULL, 0
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The start order as guest names joined by spaces, so a failure shows it. */
static void assert_order(const pg_graph_node *nodes, size_t n,
                         const char *want) {
  size_t order[16];
  char err[256], got[256] = "";
  ASSERT_TRUE(n <= COUNT(order));
  ASSERT_EQ(pg_graph_order(nodes, n, order, pg_mem_default(), err, sizeof err),
            0);
  ASSERT_STREQ(err, "");
  for (size_t i = 0; i < n; i++) {
    if (i > 0)
      strcat(got, " ");
    strcat(got, nodes[order[i]].name);
  }
  ASSERT_STREQ(got, want);
}

static void assert_refused(const pg_graph_node *nodes, size_t n,
                           const char *want) {
  size_t order[16];
  char err[1024];
  ASSERT_TRUE(n <= COUNT(order));
  ASSERT_EQ(pg_graph_order(nodes, n, order, pg_mem_default(), err, sizeof err),
            PARIGOT_EINVAL);
  ASSERT_STREQ(err, want);
}

PG_TEST(graph_starts_chain_given_in_reverse_in_dependency_order) {
  const pg_graph_node nodes[] = {
      {"c", LIST("c.v1.C"), LIST("b.v1.B")},
      {"b", LIST("b.v1.B"), LIST("a.v1.A")},
      {"a", LIST("a.v1.A"), NONE},
  };
  assert_order(nodes, COUNT(nodes), "a b c");
}

/* A test program that mocks the service its subject requires: the mock
 * serves early, so the subject starts first and no cycle is seen; without
 * serves_early the same graph is a cycle. */
PG_TEST(graph_orders_nothing_through_an_early_export) {
  pg_graph_node nodes[] = {
      {"cart", LIST("cart.v1.Cart"), LIST("prices.v1.Prices")},
      {"cart_test", LIST("prices.v1.Prices"), LIST("cart.v1.Cart"), true},
  };
  assert_order(nodes, COUNT(nodes), "cart cart_test");
  nodes[1].serves_early = false;
  assert_refused(nodes, COUNT(nodes),
                 "dependency cycle: cart -> cart_test -> cart");
}

PG_TEST(graph_breaks_diamond_ties_by_lowest_input_index) {
  const pg_graph_node nodes[] = {
      {"d", NONE, LIST("b.v1.B", "c.v1.C")},
      {"c", LIST("c.v1.C"), LIST("a.v1.A")},
      {"b", LIST("b.v1.B"), LIST("a.v1.A")},
      {"a", LIST("a.v1.A"), NONE},
  };
  assert_order(nodes, COUNT(nodes), "a c b d");
}

PG_TEST(graph_keeps_independent_guests_in_input_order) {
  const pg_graph_node nodes[] = {
      {"z", LIST("z.v1.Z"), NONE},
      {"x", NONE, NONE},
      {"y", LIST("y.v1.Y", "y.v1.Admin"), NONE},
  };
  assert_order(nodes, COUNT(nodes), "z x y");
}

PG_TEST(graph_starts_programs_after_the_services_they_require) {
  const pg_graph_node nodes[] = {
      {"hello", NONE, LIST("greeting.v1.Greeting", "clock.v1.Clock")},
      {"report", NONE, LIST("clock.v1.Clock")},
      {"greeting", LIST("greeting.v1.Greeting"), LIST("clock.v1.Clock")},
      {"clock", LIST("clock.v1.Clock"), NONE},
  };
  assert_order(nodes, COUNT(nodes), "clock report greeting hello");
}

PG_TEST(graph_counts_a_provider_once_when_required_twice) {
  const pg_graph_node nodes[] = {
      {"b", NONE, LIST("a.v1.A", "a.v1.Admin", "a.v1.A")},
      {"a", LIST("a.v1.A", "a.v1.Admin"), NONE},
  };
  assert_order(nodes, COUNT(nodes), "a b");
}

PG_TEST(graph_accepts_an_empty_app) {
  char err[8] = "junk";
  ASSERT_EQ(pg_graph_order(NULL, 0, NULL, pg_mem_default(), err, sizeof err),
            0);
  ASSERT_STREQ(err, "");
}

PG_TEST(graph_refuses_missing_requirement_naming_guest_and_service) {
  const pg_graph_node nodes[] = {
      {"hello", NONE, LIST("greeting.v1.Greeting")},
  };
  assert_refused(nodes, COUNT(nodes),
                 "hello requires greeting.v1.Greeting, which no guest "
                 "exports");
}

PG_TEST(graph_refuses_duplicate_export_naming_both_guests) {
  const pg_graph_node nodes[] = {
      {"a", LIST("greeting.v1.Greeting"), NONE},
      {"b", LIST("greeting.v1.Greeting"), NONE},
  };
  assert_refused(nodes, COUNT(nodes),
                 "service greeting.v1.Greeting is exported by both a and b");
}

PG_TEST(graph_refuses_guest_exporting_one_service_twice) {
  const pg_graph_node nodes[] = {
      {"a", LIST("greeting.v1.Greeting", "greeting.v1.Greeting"), NONE},
  };
  assert_refused(nodes, COUNT(nodes),
                 "service greeting.v1.Greeting is exported by both a and a");
}

PG_TEST(graph_refuses_self_requirement_as_cycle) {
  const pg_graph_node nodes[] = {
      {"b", NONE, NONE},
      {"a", LIST("a.v1.A"), LIST("a.v1.A")},
  };
  assert_refused(nodes, COUNT(nodes), "dependency cycle: a -> a");
}

PG_TEST(graph_writes_cycle_from_its_lowest_index_guest) {
  const pg_graph_node nodes[] = {
      {"b", LIST("b.v1.B"), LIST("c.v1.C")},
      {"c", LIST("c.v1.C"), LIST("a.v1.A")},
      {"a", LIST("a.v1.A"), LIST("b.v1.B")},
  };
  assert_refused(nodes, COUNT(nodes), "dependency cycle: b -> c -> a -> b");
}

PG_TEST(graph_follows_requirement_edges_in_index_order) {
  const pg_graph_node nodes[] = {
      {"a", LIST("a.v1.A"), LIST("c.v1.C", "b.v1.B")},
      {"b", LIST("b.v1.B"), LIST("a.v1.A")},
      {"c", LIST("c.v1.C"), LIST("a.v1.A")},
  };
  assert_refused(nodes, COUNT(nodes),
                 "dependency cycle: a -> b -> a (also involved: c)");
}

PG_TEST(graph_names_component_guests_off_the_reported_cycle) {
  const pg_graph_node nodes[] = {
      {"a", LIST("a.v1.A"), LIST("b.v1.B")},
      {"b", LIST("b.v1.B"), LIST("a.v1.A", "c.v1.C")},
      {"c", LIST("c.v1.C"), LIST("d.v1.D")},
      {"d", LIST("d.v1.D"), LIST("b.v1.B")},
  };
  assert_refused(nodes, COUNT(nodes),
                 "dependency cycle: a -> b -> a (also involved: c, d)");
}

PG_TEST(graph_reports_two_separate_cycles) {
  const pg_graph_node nodes[] = {
      {"c", LIST("c.v1.C"), LIST("d.v1.D")},
      {"a", LIST("a.v1.A"), LIST("b.v1.B")},
      {"free", NONE, LIST("a.v1.A")},
      {"d", LIST("d.v1.D"), LIST("c.v1.C")},
      {"b", LIST("b.v1.B"), LIST("a.v1.A")},
  };
  assert_refused(nodes, COUNT(nodes),
                 "dependency cycle: c -> d -> c\n"
                 "dependency cycle: a -> b -> a");
}

PG_TEST(graph_reports_cycle_and_missing_requirement_together) {
  const pg_graph_node nodes[] = {
      {"a", LIST("a.v1.A"), LIST("b.v1.B")},
      {"b", LIST("b.v1.B"), LIST("a.v1.A", "log.v1.Log")},
  };
  assert_refused(nodes, COUNT(nodes),
                 "b requires log.v1.Log, which no guest exports\n"
                 "dependency cycle: a -> b -> a");
}

PG_TEST(graph_lists_duplicates_then_missing_then_cycles) {
  const pg_graph_node nodes[] = {
      {"x", LIST("x.v1.X"), LIST("x.v1.X", "gone.v1.Gone")},
      {"y", LIST("s.v1.S"), LIST("lost.v1.Lost")},
      {"z", LIST("s.v1.S"), NONE},
  };
  assert_refused(nodes, COUNT(nodes),
                 "service s.v1.S is exported by both y and z\n"
                 "x requires gone.v1.Gone, which no guest exports\n"
                 "y requires lost.v1.Lost, which no guest exports\n"
                 "dependency cycle: x -> x");
}

/* Guest i exports s<i> and requires s<i+1>, so the last guest starts first;
 * with close_ring the last one requires s0 and the whole chain is a cycle. */
#define CHAIN 1000
typedef struct chain {
  char names[CHAIN][8], services[CHAIN][8];
  const char *exports[CHAIN], *requires[CHAIN];
  pg_graph_node nodes[CHAIN];
} chain;

static void chain_init(chain *c, bool close_ring) {
  for (size_t i = 0; i < CHAIN; i++) {
    snprintf(c->names[i], sizeof c->names[i], "g%zu", i);
    snprintf(c->services[i], sizeof c->services[i], "s%zu", i);
    c->exports[i] = c->services[i];
  }
  for (size_t i = 0; i < CHAIN; i++) {
    c->requires[i] = c->services[(i + 1) % CHAIN];
    bool has_next = i + 1 < CHAIN || close_ring;
    c->nodes[i] = (pg_graph_node){c->names[i], &c->exports[i], 1,
                                  &c->requires[i], has_next ? 1 : 0};
  }
}

PG_TEST(graph_orders_thousand_guest_chain) {
  static chain c;
  static size_t order[CHAIN];
  chain_init(&c, false);
  ASSERT_EQ(pg_graph_order(c.nodes, CHAIN, order, pg_mem_default(), NULL, 0),
            0);
  for (size_t k = 0; k < CHAIN; k++)
    ASSERT_EQ(order[k], CHAIN - 1 - k);
}

PG_TEST(graph_reports_thousand_guest_ring_as_one_cycle) {
  static chain c;
  static size_t order[CHAIN];
  static char err[16384];
  chain_init(&c, true);
  ASSERT_EQ(
      pg_graph_order(c.nodes, CHAIN, order, pg_mem_default(), err, sizeof err),
      PARIGOT_EINVAL);
  const char *head = "dependency cycle: g0 -> g1 -> g2 -> ";
  const char *tail = " -> g998 -> g999 -> g0";
  ASSERT_EQ(strncmp(err, head, strlen(head)), 0);
  ASSERT_STREQ(err + strlen(err) - strlen(tail), tail);
  ASSERT_TRUE(strchr(err, '\n') == NULL);
}

PG_TEST(graph_truncates_error_inside_the_buffer) {
  const pg_graph_node nodes[] = {
      {"hello", NONE, LIST("greeting.v1.Greeting")},
  };
  size_t order[1];
  char err[11];
  memset(err, 'X', sizeof err);
  ASSERT_EQ(pg_graph_order(nodes, 1, order, pg_mem_default(), err, 10),
            PARIGOT_EINVAL);
  ASSERT_STREQ(err, "hello req");
  ASSERT_EQ(err[10], 'X');
  ASSERT_EQ(pg_graph_order(nodes, 1, order, pg_mem_default(), NULL, 0),
            PARIGOT_EINVAL);
}

PG_TEST(graph_truncation_leaves_no_trailing_newline) {
  const pg_graph_node nodes[] = {
      {"a", NONE, LIST("x.v1.X")},
      {"b", NONE, LIST("y.v1.Y")},
  };
  const char *first = "a requires x.v1.X, which no guest exports";
  size_t order[2];
  char err[64];
  ASSERT_EQ(
      pg_graph_order(nodes, 2, order, pg_mem_default(), err, strlen(first) + 2),
      PARIGOT_EINVAL);
  ASSERT_STREQ(err, first);
}

PG_TEST(graph_truncation_never_splits_a_utf8_character) {
  const pg_graph_node nodes[] = {
      {"h\xc3\xa9llo", NONE, LIST("x.v1.X")},
  };
  size_t order[1];
  char err[8];
  ASSERT_EQ(pg_graph_order(nodes, 1, order, pg_mem_default(), err, 3),
            PARIGOT_EINVAL);
  ASSERT_STREQ(err, "h");
  ASSERT_EQ(pg_graph_order(nodes, 1, order, pg_mem_default(), err, 4),
            PARIGOT_EINVAL);
  ASSERT_STREQ(err, "h\xc3\xa9");
}

/* Runs pg_graph_write_dot into memory and returns the text (caller frees). */
static char *dot_text(const pg_graph_node *nodes, size_t n,
                      const bool *is_program, const char *app_name) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  ASSERT_TRUE(f != NULL);
  ASSERT_EQ(
      pg_graph_write_dot(nodes, n, is_program, app_name, f, pg_mem_default()),
      0);
  ASSERT_EQ(fclose(f), 0);
  return text;
}

PG_TEST(graph_dot_draws_programs_as_boxes_and_labels_edges) {
  const pg_graph_node nodes[] = {
      {"hello", NONE, LIST("greeting.v1.Greeting", "clock.v1.Clock")},
      {"greeting", LIST("greeting.v1.Greeting"), LIST("clock.v1.Clock")},
      {"clock", LIST("clock.v1.Clock"), NONE},
  };
  const bool is_program[] = {true, false, false};
  char *text = dot_text(nodes, COUNT(nodes), is_program, "demo");
  ASSERT_STREQ(text, "digraph \"demo\" {\n"
                     "  \"hello\" [shape=box];\n"
                     "  \"greeting\";\n"
                     "  \"clock\";\n"
                     "  \"hello\" -> \"greeting\" "
                     "[label=\"greeting.v1.Greeting\"];\n"
                     "  \"hello\" -> \"clock\" [label=\"clock.v1.Clock\"];\n"
                     "  \"greeting\" -> \"clock\" [label=\"clock.v1.Clock\"];\n"
                     "}\n");
  free(text);
}

PG_TEST(graph_dot_escapes_quotes_and_backslashes) {
  const pg_graph_node nodes[] = {
      {"say \"hi\"", LIST("a\\b"), NONE},
      {"user", NONE, LIST("a\\b", "nobody.v1.N")},
  };
  char *text = dot_text(nodes, COUNT(nodes), NULL, NULL);
  ASSERT_STREQ(text, "digraph {\n"
                     "  \"say \\\"hi\\\"\";\n"
                     "  \"user\";\n"
                     "  \"user\" -> \"say \\\"hi\\\"\" [label=\"a\\\\b\"];\n"
                     "}\n");
  free(text);
}

PG_TEST(graph_dot_reports_a_failed_write) {
  const pg_graph_node nodes[] = {{"a", NONE, NONE}};
  FILE *f = fopen("/dev/full", "w");
  ASSERT_TRUE(f != NULL);
  ASSERT_EQ(pg_graph_write_dot(nodes, 1, NULL, "demo", f, pg_mem_default()),
            PARIGOT_EIO);
  fclose(f);
}

/* Running out of memory at any allocation of a check or of the DOT output
 * gives PARIGOT_ENOMEM and its message, and leaves nothing allocated. */
PG_TEST(graph_out_of_memory_anywhere_is_reported_and_leaks_nothing) {
  const pg_graph_node nodes[] = {
      {"d", NONE, LIST("b.v1.B", "c.v1.C")},
      {"c", LIST("c.v1.C"), LIST("a.v1.A")},
      {"b", LIST("b.v1.B"), LIST("a.v1.A")},
      {"a", LIST("a.v1.A"), NONE},
  };
  size_t order[4];
  char err[256];
  int failures = 0;
  for (long k = 0;; k++) {
    counter c = {.fail_at = k};
    pg_mem mem = counting_mem(&c);
    int rc = pg_graph_order(nodes, COUNT(nodes), order, &mem, err, sizeof err);
    ASSERT_EQ(c.live, 0);
    if (rc == 0)
      break;
    ASSERT_EQ(rc, PARIGOT_ENOMEM);
    ASSERT_STREQ(err, "out of memory while checking the service graph");
    failures++;
  }
  ASSERT_TRUE(failures >= 3); /* the check allocates more than once */
  for (long k = 0;; k++) {
    counter c = {.fail_at = k};
    pg_mem mem = counting_mem(&c);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ASSERT_TRUE(f != NULL);
    int rc = pg_graph_write_dot(nodes, COUNT(nodes), NULL, "demo", f, &mem);
    fclose(f);
    free(text);
    ASSERT_EQ(c.live, 0);
    if (rc == 0) {
      ASSERT_TRUE(k > 0); /* the output allocates: a failure was tried */
      break;
    }
    ASSERT_EQ(rc, PARIGOT_ENOMEM);
  }
}
