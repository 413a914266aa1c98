/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/parigot-sqlc/main.c: parigot-sqlc, typed database access from SQL.
 *
 *   parigot-sqlc --schema db/migrations --package shop.db.v1 \
 *       --service ShopQueries --proto out/shop_queries.proto \
 *       --table out/shop_queries.toml db/queries.sql ...
 *
 * Brings a fresh in-memory database up to the schema (the migrations code
 * of the built-in itself), types every query against it, and writes the
 * .proto (for protoc and protoc-gen-parigot: every guest language's stubs)
 * and the query table (for the parigot.db built-in). Every query it cannot
 * prepare or type is reported as "file:line: Name: why"; then nothing is
 * written. Files are written whole or not at all (a temporary file
 * renamed). Exit 0, 1 for errors in the inputs, 2 for a usage error.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze.h"
#include "emit_proto.h"
#include "migrate.h"
#include "model.h"
#include "parigot/error.h"
#include "protofile.h"
#include "query_table.h"
#include "strbuf.h"

typedef struct options {
  const char *schema, *package, *service, *proto, *proto_name, *table;
  const char *descriptor_set;
  const char **queries;
  int nqueries;
} options;

static const char usage[] =
    "usage: parigot-sqlc --schema PATH --package PKG --service NAME\n"
    "                    --proto OUT.proto --table OUT.toml\n"
    "                    [--proto-name NAME] [--descriptor-set OUT.pb]\n"
    "                    QUERIES.sql...\n"
    "  --schema      a schema.sql, or a directory of numbered migrations\n"
    "  --package     the protobuf package, e.g. shop.db.v1\n"
    "  --service     the service's name, e.g. ShopQueries\n"
    "  --proto       where to write the .proto\n"
    "  --proto-name  the .proto's name as guests import it (default: the\n"
    "                file name of --proto)\n"
    "  --table       where to write the query table the parigot.db built-in\n"
    "                loads (its `queries` setting)\n"
    "  --descriptor-set  also write the service's FileDescriptorSet, the\n"
    "                bytes the built-in serves (as protoc\n"
    "                --descriptor_set_out would; for grpcurl -protoset)\n";

static int bad_usage(const char *what) {
  fprintf(stderr, "parigot-sqlc: %s\n%s", what, usage);
  return 2;
}

static bool is_dotted_name(const char *s, bool may_dot) {
  if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
    return false;
  for (size_t i = 1; s[i] != '\0'; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
          (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
          (may_dot && s[i] == '.' && s[i - 1] != '.' && s[i + 1] != '\0')))
      return false;
  return true;
}

static int parse_args(int argc, char **argv, options *o) {
  static const char *const keys[] = {
      "--schema",     "--package", "--service",       "--proto",
      "--proto-name", "--table",   "--descriptor-set"};
  const char **slots[] = {&o->schema,        &o->package,    &o->service,
                          &o->proto,         &o->proto_name, &o->table,
                          &o->descriptor_set};
  const size_t nkeys = sizeof keys / sizeof *keys;
  char msg[256];
  o->queries = calloc((size_t)argc, sizeof *o->queries);
  for (int i = 1; i < argc && o->queries != NULL; i++) {
    size_t k = 0;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(usage, stdout);
      exit(0);
    }
    while (k < nkeys && strcmp(argv[i], keys[k]) != 0)
      k++;
    if (k == nkeys && argv[i][0] == '-') {
      snprintf(msg, sizeof msg, "unknown option %s", argv[i]);
      return bad_usage(msg);
    }
    if (k == nkeys) {
      o->queries[o->nqueries++] = argv[i];
      continue;
    }
    if (i + 1 == argc) {
      snprintf(msg, sizeof msg, "%s needs a value", argv[i]);
      return bad_usage(msg);
    }
    *slots[k] = argv[++i];
  }
  for (size_t k = 0; k < 6; k++) /* the required ones */
    if (*slots[k] == NULL && k != 4) {
      snprintf(msg, sizeof msg, "%s is missing", keys[k]);
      return bad_usage(msg);
    }
  if (o->nqueries == 0)
    return bad_usage("no query file");
  if (!is_dotted_name(o->package, true))
    return bad_usage("--package: expected a protobuf package (shop.db.v1)");
  if (!is_dotted_name(o->service, false) || o->service[0] < 'A' ||
      o->service[0] > 'Z')
    return bad_usage("--service: expected a CamelCase name (ShopQueries)");
  if (o->proto_name == NULL) {
    const char *slash = strrchr(o->proto, '/');
    o->proto_name = slash != NULL ? slash + 1 : o->proto;
  }
  return 0;
}

/* @p len bytes to @p path, whole or not at all. */
static int write_whole(const char *path, const void *data, size_t len) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    fprintf(stderr, "parigot-sqlc: %s: %s\n", path, strerror(errno));
    return 1;
  }
  FILE *f = fdopen(fd, "wb");
  bool ok = f != NULL && fwrite(data, 1, len, f) == len && fflush(f) == 0 &&
            fsync(fd) == 0;
  ok &= f != NULL ? fclose(f) == 0 : close(fd) == 0;
  ok = ok && chmod(tmp, 0644) == 0 && rename(tmp, path) == 0;
  if (!ok) {
    fprintf(stderr, "parigot-sqlc: %s: %s\n", path, strerror(errno));
    unlink(tmp);
    return 1;
  }
  return 0;
}

/* The model's outputs: the .proto and the table. */
static int write_outputs(const options *o, const pg_db_model *m) {
  pg_db_pfile f;
  char err[512];
  if (pg_db_pfile_build(m, pg_mem_default(), &f, err, sizeof err) != 0) {
    fprintf(stderr, "parigot-sqlc: %s\n", err);
    return 1;
  }
  pg_strbuf proto;
  uint8_t *fds = NULL;
  size_t fds_len = 0;
  pg_strbuf_init(&proto);
  pg_sqlc_emit_proto(m, &f, &proto);
  int fds_rc = o->descriptor_set != NULL
                   ? pg_db_pfile_encode(&f, pg_mem_default(), &fds, &fds_len)
                   : 0;
  pg_db_pfile_free(&f);
  char *table = NULL;
  size_t table_len = 0;
  FILE *mf = open_memstream(&table, &table_len);
  int rc = fds_rc != 0 || mf == NULL || pg_db_query_table_write(m, mf) != 0;
  if (mf != NULL)
    rc |= fclose(mf) != 0;
  if (rc != 0)
    fprintf(stderr, "parigot-sqlc: out of memory\n");
  else
    rc = write_whole(o->proto, proto.data, proto.len) ||
         write_whole(o->table, table, table_len) ||
         (o->descriptor_set != NULL &&
          write_whole(o->descriptor_set, fds, fds_len));
  free(table);
  free(fds);
  pg_strbuf_free(&proto);
  return rc;
}

static sqlite3 *migrated(const char *schema) {
  sqlite3 *db = NULL;
  pg_db_migrated mig;
  char err[1024];
  if (sqlite3_open_v2(":memory:", &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      NULL) != SQLITE_OK) {
    fprintf(stderr, "parigot-sqlc: cannot open an in-memory database\n");
    sqlite3_close(db);
    return NULL;
  }
  if (pg_db_migrate(db, schema, pg_mem_default(), &mig, err, sizeof err) != 0) {
    fprintf(stderr, "%s\n", err);
    sqlite3_close(db);
    return NULL;
  }
  return db;
}

int main(int argc, char **argv) {
  options o = {0};
  int rc = parse_args(argc, argv, &o);
  if (rc != 0)
    return rc;
  sqlite3 *db = migrated(o.schema);
  if (db == NULL)
    return 1;
  pg_db_model m = {
      .package = o.package, .service = o.service, .proto_file = o.proto_name};
  pg_arena_init(&m.arena, pg_mem_default(), 1 << 16, 1 << 20);
  m.queries = pg_arena_calloc(&m.arena, PG_DB_MAX_QUERIES, sizeof *m.queries);
  int nerrors = m.queries == NULL;
  for (int i = 0; i < o.nqueries && m.queries != NULL; i++) {
    int n = pg_sqlc_analyze_file(db, o.queries[i], o.queries[i], &m, stderr);
    nerrors += n < 0 ? 1 : n;
  }
  if (nerrors > 0)
    fprintf(stderr, "parigot-sqlc: %d error%s; nothing written\n", nerrors,
            nerrors == 1 ? "" : "s");
  else
    rc = write_outputs(&o, &m);
  sqlite3_close(db);
  pg_db_model_free(&m);
  free(o.queries);
  return nerrors > 0 ? 1 : rc;
}
