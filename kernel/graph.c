/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/graph.c: the service dependency graph of an app (see graph.h).
 *
 * Every service is resolved through one table of exports sorted by name,
 * node and position, so a lookup is a binary search and nothing depends on
 * hash or allocation order. The graph itself is a compressed adjacency array
 * of each guest's providers, ascending and without repeats. Cycles come from
 * an iterative Tarjan pass (a chain of thousands of guests would otherwise
 * recurse that deep); the start order from Kahn's algorithm over a binary
 * min-heap of guest indices. State lives in a struct freed before each call
 * returns, allocated from the caller's pg_mem: no globals, so any thread
 * may call in.
 */
#include "graph.h"

#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parigot/error.h"
#include "utf8.h"

#define UNSET SIZE_MAX

typedef struct export_ref {
  const char *service; /* borrowed from the node */
  size_t node;         /* index of the exporting guest */
  size_t pos;          /* index in that guest's exports */
} export_ref;

typedef struct graph {
  const pg_mem *mem;          /* borrowed for the call */
  const pg_graph_node *nodes; /* borrowed for the call */
  size_t n;
  export_ref *exports; /* owned; sorted by service, then node, then pos */
  size_t nexports;
  size_t *dep_start; /* owned; n + 1 offsets into deps */
  size_t *deps;      /* owned; each guest's providers, ascending, unique */
} graph;

/* The caller's error buffer, filled one problem line at a time. */
typedef struct errbuf {
  char *buf;        /* the caller's; unused when cap is 0 */
  size_t cap;       /* bytes in buf, counting the NUL */
  size_t len;       /* bytes written, not counting the NUL */
  bool is_full;     /* a piece was cut, so every later piece is dropped */
  size_t nproblems; /* counted even once nothing more fits */
} errbuf;

/* A zeroed array that never asks for 0 bytes, whose result may be NULL;
 * the caller frees it with pg_mem_free(g->mem, ...). */
static void *alloc_array(const graph *g, size_t count, size_t size) {
  return pg_mem_calloc(g->mem, count > 0 ? count : 1, size);
}

static void graph_free(graph *g) {
  pg_mem_free(g->mem, g->exports);
  pg_mem_free(g->mem, g->dep_start);
  pg_mem_free(g->mem, g->deps);
}

static const char *name_of(const graph *g, size_t node) {
  return g->nodes[node].name;
}

/* ---- error text ---------------------------------------------------------- */

static void err_init(errbuf *e, char *buf, size_t cap) {
  *e = (errbuf){.buf = buf, .cap = buf != NULL ? cap : 0};
  if (e->cap > 0)
    buf[0] = '\0';
}

static void err_put(errbuf *e, const char *s) {
  if (e->is_full || e->cap == 0)
    return;
  size_t room = e->cap - 1 - e->len;
  size_t len = strlen(s);
  if (len > room) {
    /* A cut name must not leave the caller a string that fails to decode. */
    len = pg_utf8_prefix((const uint8_t *)s, len, room);
    e->is_full = true;
  }
  memcpy(e->buf + e->len, s, len);
  e->len += len;
  /* A cut just after a separator would leave the trailing newline the
   * format forbids. */
  if (e->is_full && e->len > 0 && e->buf[e->len - 1] == '\n')
    e->len--;
  e->buf[e->len] = '\0';
}

/* Adds one problem line made of the NULL-terminated list of pieces. */
__attribute__((sentinel)) static void err_line(errbuf *e, ...) {
  if (e->nproblems++ > 0)
    err_put(e, "\n");
  va_list ap;
  va_start(ap, e);
  for (const char *s = va_arg(ap, const char *); s != NULL;
       s = va_arg(ap, const char *))
    err_put(e, s);
  va_end(ap);
}

/* Replaces any partial report: a half-checked graph's list would mislead. */
static void err_nomem(errbuf *e) {
  e->len = 0;
  e->is_full = false;
  e->nproblems = 0;
  if (e->cap > 0)
    e->buf[0] = '\0';
  err_line(e, "out of memory while checking the service graph", NULL);
}

/* ---- the export table ---------------------------------------------------- */

static int compare_size(size_t a, size_t b) {
  return (a > b) - (a < b);
}

/* A total order, so qsort's instability cannot change the result. */
static int compare_exports(const void *pa, const void *pb) {
  const export_ref *a = pa, *b = pb;
  int c = strcmp(a->service, b->service);
  if (c == 0)
    c = compare_size(a->node, b->node);
  return c != 0 ? c : compare_size(a->pos, b->pos);
}

static int exports_build(graph *g) {
  size_t total = 0;
  for (size_t i = 0; i < g->n; i++)
    total += g->nodes[i].nexports;
  g->exports = alloc_array(g, total, sizeof *g->exports);
  if (g->exports == NULL)
    return PARIGOT_ENOMEM;
  for (size_t i = 0; i < g->n; i++)
    for (size_t j = 0; j < g->nodes[i].nexports; j++)
      g->exports[g->nexports++] =
          (export_ref){.service = g->nodes[i].exports[j], .node = i, .pos = j};
  qsort(g->exports, total, sizeof *g->exports, compare_exports);
  return 0;
}

/* The first entry for service (is_upper false) or the one after its last. */
static size_t exports_bound(const graph *g, const char *service,
                            bool is_upper) {
  size_t lo = 0, hi = g->nexports;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(g->exports[mid].service, service);
    if (c < 0 || (is_upper && c == 0))
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Every export after a service's first one is a duplicate of that first. */
static void report_duplicates(const graph *g, errbuf *e) {
  for (size_t i = 0; i < g->n; i++) {
    for (size_t j = 0; j < g->nodes[i].nexports; j++) {
      const char *s = g->nodes[i].exports[j];
      const export_ref *first = &g->exports[exports_bound(g, s, false)];
      if (first->node == i && first->pos == j)
        continue;
      err_line(e, "service ", s, " is exported by both ",
               name_of(g, first->node), " and ", name_of(g, i), NULL);
    }
  }
}

/* ---- edges: each guest's providers --------------------------------------- */

/* Sizes each guest's slice of deps, reporting requirements nobody exports. */
static int count_providers(graph *g, errbuf *e) {
  g->dep_start = alloc_array(g, g->n + 1, sizeof *g->dep_start);
  if (g->dep_start == NULL)
    return PARIGOT_ENOMEM;
  size_t total = 0;
  for (size_t i = 0; i < g->n; i++) {
    g->dep_start[i] = total;
    for (size_t j = 0; j < g->nodes[i].nrequires; j++) {
      const char *s = g->nodes[i].requires[j];
      size_t lo = exports_bound(g, s, false), hi = exports_bound(g, s, true);
      if (lo == hi)
        err_line(e, name_of(g, i), " requires ", s, ", which no guest exports",
                 NULL);
      for (size_t x = lo; x < hi; x++)
        total += !g->nodes[g->exports[x].node].serves_early;
    }
  }
  g->dep_start[g->n] = total;
  return 0;
}

/* A service exported twice links its user to both exporters, so a cycle
 * through either one is still found. */
static int fill_providers(graph *g) {
  g->deps = alloc_array(g, g->dep_start[g->n], sizeof *g->deps);
  if (g->deps == NULL)
    return PARIGOT_ENOMEM;
  for (size_t i = 0; i < g->n; i++) {
    size_t k = g->dep_start[i];
    for (size_t j = 0; j < g->nodes[i].nrequires; j++) {
      const char *s = g->nodes[i].requires[j];
      size_t hi = exports_bound(g, s, true);
      for (size_t x = exports_bound(g, s, false); x < hi; x++)
        if (!g->nodes[g->exports[x].node].serves_early)
          g->deps[k++] = g->exports[x].node;
    }
  }
  return 0;
}

static int compare_index(const void *pa, const void *pb) {
  return compare_size(*(const size_t *)pa, *(const size_t *)pb);
}

/* Sorts each guest's providers and drops repeats, compacting deps in place;
 * cycle walks rely on the ascending order. */
static void dedupe_providers(graph *g) {
  size_t w = 0, begin = 0;
  for (size_t i = 0; i < g->n; i++) {
    size_t end = g->dep_start[i + 1];
    qsort(g->deps + begin, end - begin, sizeof *g->deps, compare_index);
    g->dep_start[i] = w;
    for (size_t k = begin; k < end; k++)
      if (w == g->dep_start[i] || g->deps[w - 1] != g->deps[k])
        g->deps[w++] = g->deps[k];
    begin = end;
  }
  g->dep_start[g->n] = w;
}

static int link_graph(graph *g, errbuf *e) {
  int rc = exports_build(g);
  if (rc != 0)
    return rc;
  report_duplicates(g, e);
  if ((rc = count_providers(g, e)) != 0 || (rc = fill_providers(g)) != 0)
    return rc;
  dedupe_providers(g);
  return 0;
}

/* Counting sort: puts items[k] (or k when items is NULL) in bucket keys[k],
 * ascending k within a bucket; start gets nkeys + 1 offsets into out. */
static void bucket_sort(const size_t *keys, const size_t *items, size_t count,
                        size_t nkeys, size_t *start, size_t *out) {
  memset(start, 0, (nkeys + 1) * sizeof *start);
  for (size_t k = 0; k < count; k++)
    start[keys[k] + 1]++;
  for (size_t b = 0; b < nkeys; b++)
    start[b + 1] += start[b];
  for (size_t k = 0; k < count; k++)
    out[start[keys[k]]++] = items != NULL ? items[k] : k;
  /* Filling moved each bucket's start to the next bucket's; shift back. */
  memmove(start + 1, start, nkeys * sizeof *start);
  start[0] = 0;
}

/* ---- cycles -------------------------------------------------------------- */

/* Tarjan's state. A visited guest is on Tarjan's stack exactly while its
 * comp is UNSET, so no separate flag is kept. */
typedef struct scc {
  size_t *index;      /* visit number, or UNSET before the visit */
  size_t *low;        /* lowest visit number reachable on the stack */
  size_t *comp;       /* component number, or UNSET while on the stack */
  size_t *stack;      /* Tarjan's stack */
  size_t *frame_node; /* the DFS path, in place of recursion */
  size_t *frame_edge; /* next offset into deps for each frame */
  size_t sp, fp, next_index, ncomp;
} scc;

static void scc_visit(const graph *g, scc *s, size_t v) {
  s->index[v] = s->low[v] = s->next_index++;
  s->stack[s->sp++] = v;
  s->frame_node[s->fp] = v;
  s->frame_edge[s->fp++] = g->dep_start[v];
}

static size_t min_size(size_t a, size_t b) {
  return a < b ? a : b;
}

/* Pops the component rooted at v off Tarjan's stack. */
static void scc_close(scc *s, size_t v) {
  size_t w;
  do {
    w = s->stack[--s->sp];
    s->comp[w] = s->ncomp;
  } while (w != v);
  s->ncomp++;
}

static void scc_from(const graph *g, scc *s, size_t root) {
  scc_visit(g, s, root);
  while (s->fp > 0) {
    size_t v = s->frame_node[s->fp - 1];
    size_t *edge = &s->frame_edge[s->fp - 1];
    if (*edge < g->dep_start[v + 1]) {
      size_t w = g->deps[(*edge)++];
      if (s->index[w] == UNSET)
        scc_visit(g, s, w);
      else if (s->comp[w] == UNSET)
        s->low[v] = min_size(s->low[v], s->index[w]);
      continue;
    }
    s->fp--;
    if (s->low[v] == s->index[v])
      scc_close(s, v);
    if (s->fp > 0) {
      size_t u = s->frame_node[s->fp - 1];
      s->low[u] = min_size(s->low[u], s->low[v]);
    }
  }
}

/* Fills comp (n entries, owned by the caller) and returns how many
 * components there are, or UNSET when out of memory. */
static size_t scc_find(const graph *g, size_t *comp) {
  scc s = {.comp = comp};
  size_t *block = alloc_array(g, g->n, 5 * sizeof(size_t));
  if (block == NULL)
    return UNSET;
  s.index = block;
  s.low = block + g->n;
  s.stack = block + 2 * g->n;
  s.frame_node = block + 3 * g->n;
  s.frame_edge = block + 4 * g->n;
  for (size_t i = 0; i < g->n; i++)
    s.index[i] = comp[i] = UNSET;
  for (size_t i = 0; i < g->n; i++)
    if (s.index[i] == UNSET)
      scc_from(g, &s, i);
  pg_mem_free(g->mem, block);
  return s.ncomp;
}

/* Scratch for writing one cycle per component. Marks hold the component
 * number plus one, so they never need clearing between components. */
typedef struct cycle_walk {
  const size_t *comp; /* component of each guest */
  size_t *path_node;  /* the DFS path from the component's first guest */
  size_t *path_edge;  /* next offset into deps for each path entry */
  size_t *seen;       /* visited by this component's walk */
  size_t *on_path;    /* on the cycle being reported */
} cycle_walk;

/* Walks depth first from s inside its component, taking providers in index
 * order, until an edge leads back to s; path_node then holds the cycle and
 * its length is returned. Every guest of a component of two or more reaches
 * s, so the walk always ends there. */
static size_t walk_cycle(const graph *g, cycle_walk *w, size_t s) {
  size_t c = w->comp[s], depth = 0;
  w->path_node[0] = s;
  w->path_edge[0] = g->dep_start[s];
  w->seen[s] = c + 1;
  for (;;) {
    size_t v = w->path_node[depth];
    if (w->path_edge[depth] == g->dep_start[v + 1]) {
      assert(depth > 0);
      depth--;
      continue;
    }
    size_t x = g->deps[w->path_edge[depth]++];
    if (w->comp[x] != c || x == v)
      continue; /* self-requirements get their own line */
    if (x == s)
      return depth + 1;
    if (w->seen[x] == c + 1)
      continue;
    w->seen[x] = c + 1;
    depth++;
    w->path_node[depth] = x;
    w->path_edge[depth] = g->dep_start[x];
  }
}

/* One line for a component of two or more guests, members ascending. */
static void report_component(const graph *g, cycle_walk *w,
                             const size_t *members, size_t nmembers,
                             errbuf *e) {
  size_t s = members[0], c = w->comp[s], len = walk_cycle(g, w, s);
  err_line(e, "dependency cycle: ", NULL);
  for (size_t k = 0; k < len; k++) {
    err_put(e, name_of(g, w->path_node[k]));
    err_put(e, " -> ");
    w->on_path[w->path_node[k]] = c + 1;
  }
  err_put(e, name_of(g, s));
  bool has_others = false;
  for (size_t k = 0; k < nmembers; k++) {
    if (w->on_path[members[k]] == c + 1)
      continue;
    err_put(e, has_others ? ", " : " (also involved: ");
    err_put(e, name_of(g, members[k]));
    has_others = true;
  }
  if (has_others)
    err_put(e, ")");
}

static bool requires_itself(const graph *g, size_t v) {
  for (size_t k = g->dep_start[v]; k < g->dep_start[v + 1]; k++)
    if (g->deps[k] == v)
      return true;
  return false;
}

/* Reports in order of each cycle's lowest guest: components are visited at
 * their first member, and members are bucketed in ascending index. */
static void report_each_cycle(const graph *g, cycle_walk *w,
                              const size_t *start, const size_t *members,
                              errbuf *e) {
  for (size_t v = 0; v < g->n; v++) {
    size_t c = w->comp[v], size = start[c + 1] - start[c];
    if (size > 1 && members[start[c]] == v)
      report_component(g, w, members + start[c], size, e);
    if (requires_itself(g, v))
      err_line(e, "dependency cycle: ", name_of(g, v), " -> ", name_of(g, v),
               NULL);
  }
}

static int report_cycles(const graph *g, errbuf *e) {
  int rc = PARIGOT_ENOMEM;
  size_t *block = alloc_array(g, g->n, 6 * sizeof(size_t));
  size_t *start = alloc_array(g, g->n + 1, sizeof(size_t));
  if (block == NULL || start == NULL)
    goto fail;
  cycle_walk w = {.comp = block,
                  .path_node = block + g->n,
                  .path_edge = block + 2 * g->n,
                  .seen = block + 3 * g->n,
                  .on_path = block + 4 * g->n};
  size_t *members = block + 5 * g->n;
  size_t ncomp = scc_find(g, block);
  if (ncomp == UNSET)
    goto fail;
  bucket_sort(w.comp, NULL, g->n, ncomp, start, members);
  report_each_cycle(g, &w, start, members, e);
  rc = 0;
fail:
  pg_mem_free(g->mem, block);
  pg_mem_free(g->mem, start);
  return rc;
}

/* ---- start order --------------------------------------------------------- */

/* A binary min-heap of guest indices: the ready guest with the lowest index
 * starts next, which is what makes the order depend only on the input. */
typedef struct min_heap {
  size_t *items; /* owned by the caller; room for every guest */
  size_t len;
} min_heap;

static void heap_swap(min_heap *h, size_t a, size_t b) {
  size_t t = h->items[a];
  h->items[a] = h->items[b];
  h->items[b] = t;
}

static void heap_push(min_heap *h, size_t v) {
  size_t k = h->len++;
  h->items[k] = v;
  for (; k > 0 && h->items[(k - 1) / 2] > h->items[k]; k = (k - 1) / 2)
    heap_swap(h, k, (k - 1) / 2);
}

static size_t heap_pop(min_heap *h) {
  size_t top = h->items[0], k = 0;
  h->items[0] = h->items[--h->len];
  for (;;) {
    size_t least = k, l = 2 * k + 1, r = l + 1;
    if (l < h->len && h->items[l] < h->items[least])
      least = l;
    if (r < h->len && h->items[r] < h->items[least])
      least = r;
    if (least == k)
      return top;
    heap_swap(h, k, least);
    k = least;
  }
}

/* Kahn's algorithm over the users of each guest; runs only on a graph
 * already proven acyclic, so every guest is placed. */
static void kahn(const graph *g, const size_t *user_start, const size_t *users,
                 size_t *pending, min_heap *ready, size_t *order) {
  for (size_t v = 0; v < g->n; v++) {
    pending[v] = g->dep_start[v + 1] - g->dep_start[v];
    if (pending[v] == 0)
      heap_push(ready, v);
  }
  size_t placed = 0;
  while (ready->len > 0) {
    size_t v = heap_pop(ready);
    order[placed++] = v;
    for (size_t k = user_start[v]; k < user_start[v + 1]; k++)
      if (--pending[users[k]] == 0)
        heap_push(ready, users[k]);
  }
  assert(placed == g->n);
}

static int start_order(const graph *g, size_t *order) {
  int rc = PARIGOT_ENOMEM;
  size_t nedges = g->dep_start[g->n];
  size_t *user = alloc_array(g, nedges, sizeof(size_t));
  size_t *users = alloc_array(g, nedges, sizeof(size_t));
  size_t *user_start = alloc_array(g, g->n + 1, sizeof(size_t));
  size_t *block = alloc_array(g, g->n, 2 * sizeof(size_t));
  if (user == NULL || users == NULL || user_start == NULL || block == NULL)
    goto fail;
  for (size_t v = 0; v < g->n; v++)
    for (size_t k = g->dep_start[v]; k < g->dep_start[v + 1]; k++)
      user[k] = v;
  bucket_sort(g->deps, user, nedges, g->n, user_start, users);
  min_heap ready = {.items = block + g->n};
  kahn(g, user_start, users, block, &ready, order);
  rc = 0;
fail:
  pg_mem_free(g->mem, user);
  pg_mem_free(g->mem, users);
  pg_mem_free(g->mem, user_start);
  pg_mem_free(g->mem, block);
  return rc;
}

int pg_graph_order(const pg_graph_node *nodes, size_t n, size_t *order,
                   const pg_mem *mem, char *err, size_t err_len) {
  assert(n == 0 || (nodes != NULL && order != NULL));
  errbuf e;
  err_init(&e, err, err_len);
  graph g = {.mem = mem, .nodes = nodes, .n = n};
  int rc = link_graph(&g, &e);
  if (rc == 0)
    rc = report_cycles(&g, &e);
  if (rc == 0 && e.nproblems > 0)
    rc = PARIGOT_EINVAL;
  if (rc == 0)
    rc = start_order(&g, order);
  if (rc == PARIGOT_ENOMEM)
    err_nomem(&e);
  graph_free(&g);
  return rc;
}

/* ---- Graphviz ------------------------------------------------------------ */

/* A DOT quoted string: only '"' and '\\' need a backslash. */
static void dot_quote(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s != '\0'; s++) {
    if (*s == '"' || *s == '\\')
      fputc('\\', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

static void dot_edge(FILE *f, const char *from, const char *to,
                     const char *label) {
  fputs("  ", f);
  dot_quote(f, from);
  fputs(" -> ", f);
  dot_quote(f, to);
  fputs(" [label=", f);
  dot_quote(f, label);
  fputs("];\n", f);
}

/* Exporters of one service come in input order: the table is sorted by
 * node after name. */
static void dot_edges_of(const graph *g, size_t v, FILE *f) {
  for (size_t j = 0; j < g->nodes[v].nrequires; j++) {
    const char *s = g->nodes[v].requires[j];
    size_t hi = exports_bound(g, s, true);
    for (size_t x = exports_bound(g, s, false); x < hi; x++)
      dot_edge(f, name_of(g, v), name_of(g, g->exports[x].node), s);
  }
}

int pg_graph_write_dot(const pg_graph_node *nodes, size_t n,
                       const bool *is_program, const char *app_name, FILE *f,
                       const pg_mem *mem) {
  assert(f != NULL && (n == 0 || nodes != NULL));
  graph g = {.mem = mem, .nodes = nodes, .n = n};
  if (exports_build(&g) != 0)
    return PARIGOT_ENOMEM;
  fputs("digraph ", f);
  if (app_name != NULL) {
    dot_quote(f, app_name);
    fputc(' ', f);
  }
  fputs("{\n", f);
  for (size_t v = 0; v < n; v++) {
    fputs("  ", f);
    dot_quote(f, nodes[v].name);
    fputs(is_program != NULL && is_program[v] ? " [shape=box];\n" : ";\n", f);
  }
  for (size_t v = 0; v < n; v++)
    dot_edges_of(&g, v, f);
  fputs("}\n", f);
  graph_free(&g);
  /* stdio buffers, so a failed write may only show when flushed. */
  return fflush(f) == 0 && !ferror(f) ? 0 : PARIGOT_EIO;
}
