/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/db/shop_client.c: a guest that uses the parigot.db built-in
 * through the stubs protoc-gen-parigot made from parigot-sqlc's .proto.
 * It goes through its steps one call after another, printing one line per
 * answer (what the test compares), and exits with the number of answers
 * that were not what it expected. SCENARIO picks the steps:
 *   main     every query kind, every type, NULLs, a constraint, a batch
 *            that fails part-way, a transaction rolled back and one
 *            committed, a query in another's transaction refused;
 *   timeout  a transaction left open past its timeout (the guest sleeps
 *            in its handler) is rolled back by the built-in: its Commit
 *            fails, and its write is gone;
 *   fill     N (env COUNT) AddRecord calls, each printed when answered
 *            (the durability test kills the unit meanwhile);
 *   count    prints how many records there are;
 *   abandon  begins a transaction, writes in it and exits without ending
 *            it (the built-in rolls it back when it hears of the end);
 *   after    writes until the database lets it (a transaction of
 *            abandon's holds it), then finds none of abandon's writes;
 *   big      200 records with long titles, then all of them in one
 *            answer, which is over the manifest's max_message_size.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parigot/abi.h"
#include "parigot/guest.h"
#include "shop/v1/shop_queries.pg.h"

static int failures;
static int step;
static int64_t artist_id, record_id, tx_id;
static int count_left;
static void next(void);

static parigot_pb_bytes text(const char *s) {
  return (parigot_pb_bytes){(uint8_t *)s, strlen(s)};
}

static void expect(bool ok, const char *what) {
  if (!ok) {
    printf("UNEXPECTED: %s\n", what);
    failures++;
  }
}

static const char *code_name(uint32_t code) {
#define CODE_NAME(name, value, what)                                           \
  if (code == (value))                                                         \
    return #name;
  PARIGOT_CODE_MAP(CODE_NAME)
#undef CODE_NAME
  return "?";
}

/* A failure that was expected: its code printed; else counted. */
static void failed(void *ctx, const parigot_status *st) {
  const char *want = ctx;
  printf("step %d failed: %s: %s\n", step, code_name(st->code), st->message);
  expect(want != NULL && strcmp(want, code_name(st->code)) == 0, "a failure");
  next();
}

static void added_artist(void *ctx, const shop_v1_AddArtistResponse *r) {
  (void)ctx;
  artist_id = r->last_insert_id;
  printf("step %d: artist %" PRId64 "\n", step, r->last_insert_id);
  next();
}

static void added_record(void *ctx, const shop_v1_AddRecordResponse *r) {
  static int nadded;
  (void)ctx;
  record_id = r->last_insert_id;
  printf("step %d: record %" PRId64 "\n", step, r->last_insert_id);
  if (++nadded % 100 == 0) /* the durability test waits for these */
    parigot_log(PARIGOT_INFO, "%d records acknowledged", nadded);
  next();
}

static void got_record(void *ctx, const shop_v1_GetRecordResponse *r) {
  (void)ctx;
  printf("step %d: %" PRId64 " \"%s\" by %s, year %s%" PRId64 ", %" PRId64
         " cents, %" PRId64 " left, cover %s%zu bytes, rating "
         "%s%.2f, sealed %d\n",
         step, r->id, (const char *)r->title.data, (const char *)r->artist.data,
         r->has_year ? "" : "NULL ", r->year, r->price_cents, r->quantity,
         r->has_cover ? "" : "NULL ", r->cover.len,
         r->has_rating ? "" : "NULL ", r->rating, r->is_sealed);
  next();
}

static void listed(void *ctx, const shop_v1_ListByArtistResponse *r) {
  (void)ctx;
  printf("step %d: %zu rows:", step, r->rows_count);
  for (size_t i = 0; i < r->rows_count; i++)
    printf(" [%" PRId64 " %s %s%" PRId64 "]", r->rows[i].id,
           (const char *)r->rows[i].title.data,
           r->rows[i].has_year ? "" : "NULL ", r->rows[i].year);
  printf("\n");
  next();
}

static void stock(void *ctx, const shop_v1_StockResponse *r) {
  (void)ctx;
  printf("step %d: %" PRId64 " records in stock worth %s%" PRId64
         ", average rating %s%.3f, latest %s%" PRId64 ", %s\n",
         step, r->records, r->has_value_cents ? "" : "NULL ", r->value_cents,
         r->has_avg_rating ? "" : "NULL ", r->avg_rating,
         r->has_latest ? "" : "NULL ", r->latest, (const char *)r->state.data);
  next();
}

static void sold(void *ctx, const shop_v1_SellResponse *r) {
  (void)ctx;
  printf("step %d: sold, %" PRId64 " row(s) changed\n", step, r->rows_affected);
  next();
}

static void deleted(void *ctx, const shop_v1_DeleteRecordResponse *r) {
  (void)ctx, (void)r;
  printf("step %d: deleted\n", step);
  next();
}

static void disco(void *ctx, const shop_v1_DiscographyResponse *r) {
  (void)ctx;
  printf("step %d: %zu rows:", step, r->rows_count);
  for (size_t i = 0; i < r->rows_count; i++)
    printf(" [%s: %s]", (const char *)r->rows[i].name.data,
           r->rows[i].has_title ? (const char *)r->rows[i].title.data
                                : "(none)");
  printf("\n");
  next();
}

static void batched(void *ctx, const shop_v1_BatchResponse *r) {
  (void)ctx;
  printf("step %d: batch of %zu:", step, r->results_count);
  for (size_t i = 0; i < r->results_count; i++)
    printf(" [%" PRId64 " %" PRId64 "]", r->results[i].rows_affected,
           r->results[i].last_insert_id);
  printf("\n");
  next();
}

static void began(void *ctx, const shop_v1_BeginResponse *r) {
  (void)ctx;
  tx_id = (int64_t)r->tx;
  printf("step %d: transaction %" PRIu64 "\n", step, r->tx);
  if (ctx != NULL) /* the timeout scenario: sleep past it, in the handler */
    usleep(300 * 1000);
  next();
}

static void committed(void *ctx, const shop_v1_CommitResponse *r) {
  (void)ctx, (void)r;
  printf("step %d: committed\n", step);
  next();
}

static void rolled_back(void *ctx, const shop_v1_RollbackResponse *r) {
  (void)ctx, (void)r;
  printf("step %d: rolled back\n", step);
  next();
}

static void add_artist(const char *name, const char *fails) {
  shop_v1_AddArtistRequest q;
  shop_v1_AddArtistRequest_init(&q);
  q.name = text(name);
  shop_v1_ShopQueries_AddArtist(&q, added_artist, failed, (void *)fails);
}

static void add_record(const char *title, int64_t year, int64_t cents,
                       uint64_t tx, const char *fails) {
  static uint8_t cover[3] = {0xff, 0x00, 0xd8};
  shop_v1_AddRecordRequest q;
  shop_v1_AddRecordRequest_init(&q);
  q.artist_id = artist_id;
  q.title = text(title);
  q.has_year = year != 0;
  q.year = year;
  q.price_cents = cents;
  q.quantity = 2;
  q.has_cover = year == 1986;
  q.cover = (parigot_pb_bytes){cover, sizeof cover};
  q.has_rating = year != 0;
  q.rating = year != 0 ? 4.5 : 0;
  q.is_sealed = year == 1986;
  q.tx = tx;
  shop_v1_ShopQueries_AddRecord(&q, added_record, failed, (void *)fails);
}

static void get_record(int64_t id, uint64_t tx, const char *fails) {
  shop_v1_GetRecordRequest q;
  shop_v1_GetRecordRequest_init(&q);
  q.id = id;
  q.tx = tx;
  shop_v1_ShopQueries_GetRecord(&q, got_record, failed, (void *)fails);
}

static void list_artist(void) {
  shop_v1_ListByArtistRequest q;
  shop_v1_ListByArtistRequest_init(&q);
  q.artist_id = artist_id;
  q.from_year = 1980;
  q.to_year = 1990;
  q.max = 10;
  shop_v1_ShopQueries_ListByArtist(&q, listed, failed, NULL);
}

static void ask_stock(void) {
  shop_v1_StockRequest q;
  shop_v1_StockRequest_init(&q);
  shop_v1_ShopQueries_Stock(&q, stock, failed, NULL);
}

static void sell(int64_t id, int64_t n) {
  shop_v1_SellRequest q;
  shop_v1_SellRequest_init(&q);
  q.id = id;
  q.n = n;
  shop_v1_ShopQueries_Sell(&q, sold, failed, NULL);
}

static void begin(uint32_t timeout_ms, void *ctx) {
  shop_v1_BeginRequest q;
  shop_v1_BeginRequest_init(&q);
  q.timeout_ms = timeout_ms;
  shop_v1_ShopQueries_Begin(&q, began, failed, ctx);
}

static void commit(const char *fails) {
  shop_v1_CommitRequest q;
  shop_v1_CommitRequest_init(&q);
  q.tx = (uint64_t)tx_id;
  shop_v1_ShopQueries_Commit(&q, committed, failed, (void *)fails);
}

static void rollback(void) {
  shop_v1_RollbackRequest q;
  shop_v1_RollbackRequest_init(&q);
  q.tx = (uint64_t)tx_id;
  shop_v1_ShopQueries_Rollback(&q, rolled_back, failed, NULL);
}

/* Two records and a third for an artist that does not exist: the foreign
 * key fails the third, and the batch leaves nothing behind. */
static void batch(void) {
  shop_v1_AddRecordRequest a, b, c;
  shop_v1_BatchStep steps[3];
  shop_v1_AddRecordRequest *reqs[3] = {&a, &b, &c};
  const char *titles[3] = {"Strangeways", "Louder Than Bombs", "Ghost"};
  for (int i = 0; i < 3; i++) {
    shop_v1_AddRecordRequest_init(reqs[i]);
    reqs[i]->artist_id = i == 2 ? 999 : artist_id;
    reqs[i]->title = text(titles[i]);
    reqs[i]->price_cents = 1000;
    shop_v1_BatchStep_init(&steps[i]);
    steps[i].step_case = shop_v1_BatchStep_add_record_FIELD;
    steps[i].step.add_record = reqs[i];
  }
  shop_v1_BatchRequest q;
  shop_v1_BatchRequest_init(&q);
  q.steps = steps;
  q.steps_count = 3;
  shop_v1_ShopQueries_Batch(&q, batched, failed, "FAILED_PRECONDITION");
}

static void main_steps(void) {
  switch (step) {
  case 1:
    add_artist("The Smiths", NULL);
    return;
  case 2:
    add_record("The Queen Is Dead", 1986, 2499, 0, NULL);
    return;
  case 3:
    add_record("Hatful of Hollow", 0, 1799, 0, NULL);
    return;
  case 4:
    add_artist("The Smiths", "ALREADY_EXISTS");
    return;
  case 5:
    get_record(1, 0, NULL);
    return;
  case 6:
    get_record(2, 0, NULL);
    return;
  case 7:
    get_record(99, 0, "NOT_FOUND");
    return;
  case 8:
    add_record("Meat Is Murder", 1985, -5, 0, "FAILED_PRECONDITION");
    return;
  case 9:
    list_artist();
    return;
  case 10:
    sell(1, 1);
    return;
  case 11:
    sell(1, 5);
    return;
  case 12:
    ask_stock();
    return;
  case 13:
    batch();
    return;
  case 14:
    begin(0, NULL);
    return;
  case 15:
    add_record("Rank", 1988, 1500, (uint64_t)tx_id, NULL);
    return;
  case 16:
    get_record(record_id, (uint64_t)tx_id, NULL);
    return;
  case 17:
    get_record(record_id, 0, "NOT_FOUND");
    return;
  case 18:
    rollback();
    return;
  case 19:
    get_record(record_id, 0, "NOT_FOUND");
    return;
  case 20:
    begin(0, NULL);
    return;
  case 21:
    add_record("Rank", 1988, 1500, (uint64_t)tx_id, NULL);
    return;
  case 22:
    commit(NULL);
    return;
  case 23:
    commit("FAILED_PRECONDITION");
    return;
  case 24:
    get_record(record_id, 0, NULL);
    return;
  case 25:
    get_record(record_id, 12345, "FAILED_PRECONDITION");
    return;
  case 26:
    list_artist();
    return;
  case 27:
    add_artist("Morrissey", NULL);
    return;
  case 28: {
    shop_v1_DiscographyRequest q;
    shop_v1_DiscographyRequest_init(&q);
    q.pattern = text("%");
    shop_v1_ShopQueries_Discography(&q, disco, failed, NULL);
    return;
  }
  case 29: {
    shop_v1_DeleteRecordRequest q;
    shop_v1_DeleteRecordRequest_init(&q);
    q.id = 2;
    shop_v1_ShopQueries_DeleteRecord(&q, deleted, failed, NULL);
    return;
  }
  case 30:
    ask_stock();
    return;
  default:
    printf("%d unexpected answer(s)\n", failures);
    parigot_exit(failures);
  }
}

static void timeout_steps(void) {
  switch (step) {
  case 1:
    add_artist("The Smiths", NULL);
    return;
  case 2:
    begin(50, "sleep");
    return;
  case 3:
    add_record("Rank", 1988, 1500, (uint64_t)tx_id, "FAILED_PRECONDITION");
    return;
  case 4:
    commit("FAILED_PRECONDITION");
    return;
  case 5:
    get_record(1, 0, "NOT_FOUND");
    return;
  default:
    printf("%d unexpected answer(s)\n", failures);
    parigot_exit(failures);
  }
}

static int refusals;

static void after_written(void *ctx, const shop_v1_AddArtistResponse *r) {
  (void)ctx, (void)r;
  printf("wrote after %s refusals\n", refusals > 0 ? "some" : "no");
  next();
}

static void after_refused(void *ctx, const parigot_status *st) {
  (void)ctx;
  if (st->code != PARIGOT_CODE_UNAVAILABLE || ++refusals > 100000) {
    printf("write failed: %s: %s\n", code_name(st->code), st->message);
    parigot_exit(1);
    return;
  }
  step--; /* the same step again */
  next();
}

static void after_steps(void) {
  switch (step) {
  case 1: {
    shop_v1_AddArtistRequest q;
    shop_v1_AddArtistRequest_init(&q);
    q.name = text("After");
    shop_v1_ShopQueries_AddArtist(&q, after_written, after_refused, NULL);
    return;
  }
  case 2: {
    shop_v1_DiscographyRequest q;
    shop_v1_DiscographyRequest_init(&q);
    q.pattern = text("Ghost%");
    shop_v1_ShopQueries_Discography(&q, disco, failed, NULL);
    return;
  }
  default:
    parigot_exit(failures);
  }
}

static void abandon_steps(void) {
  if (step == 1) {
    begin(0, NULL);
  } else if (step == 2) {
    shop_v1_AddArtistRequest q;
    shop_v1_AddArtistRequest_init(&q);
    q.name = text("Ghost");
    q.tx = (uint64_t)tx_id;
    shop_v1_ShopQueries_AddArtist(&q, added_artist, failed, NULL);
  } else {
    parigot_exit(0); /* the transaction left open */
  }
}

static void big_steps(void) {
  static char title[128];
  if (step == 1) {
    add_artist("The Fall", NULL);
  } else if (step <= 201) {
    snprintf(title, sizeof title, "%03d %0100d", step, 0);
    add_record(title, 1990, 100, 0, NULL);
  } else if (step == 202) {
    shop_v1_ListByArtistRequest q;
    shop_v1_ListByArtistRequest_init(&q);
    q.artist_id = artist_id;
    q.from_year = 1900;
    q.to_year = 2100;
    q.max = 1000;
    shop_v1_ShopQueries_ListByArtist(&q, listed, failed, "RESOURCE_EXHAUSTED");
  } else {
    parigot_exit(failures);
  }
}

static void count_answered(void *ctx, const shop_v1_StockResponse *r) {
  (void)ctx;
  printf("records: %" PRId64 "\n", r->records);
  parigot_exit(0);
}

static void fill_steps(void) {
  if (step == 1) {
    add_artist(getenv("ARTIST") ? getenv("ARTIST") : "Fill", NULL);
    return;
  }
  if (count_left-- <= 0) {
    parigot_exit(0);
    return;
  }
  char title[32];
  snprintf(title, sizeof title, "take %d", step - 1);
  add_record(title, 1990, 100, 0, NULL); /* "step N: record ID" acks it */
  fflush(stdout);
}

static void next(void) {
  const char *s = getenv("SCENARIO");
  step++;
  fflush(stdout);
  if (s != NULL && strcmp(s, "timeout") == 0)
    timeout_steps();
  else if (s != NULL && strcmp(s, "fill") == 0)
    fill_steps();
  else if (s != NULL && strcmp(s, "abandon") == 0)
    abandon_steps();
  else if (s != NULL && strcmp(s, "after") == 0)
    after_steps();
  else if (s != NULL && strcmp(s, "big") == 0)
    big_steps();
  else if (s != NULL && strcmp(s, "count") == 0) {
    shop_v1_StockRequest q;
    shop_v1_StockRequest_init(&q);
    shop_v1_ShopQueries_Stock(&q, count_answered, failed, NULL);
  } else
    main_steps();
}

void parigot_guest_declare(void) {
  shop_v1_ShopQueries_require();
}

void parigot_guest_start(void) {
  const char *n = getenv("COUNT");
  count_left = n != NULL ? atoi(n) : 0;
  next();
}
