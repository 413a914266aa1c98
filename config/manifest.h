/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config/manifest.h: loads an app manifest, the TOML file that lists an
 * app's services and programs, into a checked, self-contained struct.
 *
 * A loaded pg_manifest owns every string and array in it; the TOML tree it
 * came from is gone by then. Calls the TOML parser, the units module, the
 * allocator it is given and the file system (open, read, realpath, stat).
 * Any thread; a load shares no state with other loads. docs/manifest.md is
 * the user's description of the same format.
 *
 * | key                  | type         | default | rule                   |
 * |----------------------|--------------|---------|------------------------|
 * | app.name             | string       | -       | [a-z][a-z0-9_-]{0,63}  |
 * | app.deadline         | duration     | "5s"    | > 0                    |
 * | app.max_message_size | size         | "4M"    | 1 .. 1G                |
 * | app.pulse            | duration     | "1ms"   | > 0                    |
 * | app.startup_timeout  | duration     | "30s"   | > 0                    |
 * | app.request_timeout  | duration     | "30s"   | > 0                    |
 * | app.drain_timeout    | duration     | "5s"    | > 0                    |
 * | service.name         | string       | -       | as app.name; unique    |
 * | service.wasm         | string       | -       | existing regular file  |
 * | service.native       | string       | -       | a kind the host has;   |
 * |                      |              |         | instead of wasm        |
 * | service.args         | string array | []      | no NUL                 |
 * | service.env          | string table | {}      | key non-empty, no '='  |
 * | service.max_memory   | size         | "256M"  | 64K .. 4G              |
 * | service.max_handler_time | duration | "1s"    | > 0                    |
 * | service.restart      | string       | "never" | "never", "on-failure"  |
 * | service.max_restarts | integer      | 5       | 1 .. 1000000; only with|
 * |                      |              |         | restart = "on-failure" |
 * | service.restart_backoff | duration  | "100ms" | >= 0; only with        |
 * |                      |              |         | restart = "on-failure" |
 * | service.dirs         | array of     | []      | host: an existing      |
 * |                      | { host,      |         | directory; guest: a    |
 * |                      | guest,       |         | path without "..",     |
 * |                      | read_only }  |         | unique; read_only      |
 * |                      |              |         | false by default       |
 * | service.write_quota  | size         | none    | bytes a guest may      |
 * |                      |              |         | write to its dirs      |
 * | service.config       | table        | {}      | native only: strings,  |
 * |                      |              |         | integers, booleans;    |
 * |                      |              |         | the kind's keys        |
 * | program.*            | as service.* |         | max_handler_time: none |
 * |                      |              |         | unless given; no       |
 * |                      |              |         | restart keys           |
 * | program.test         | boolean      | false   |                        |
 * | unit.name            | string       | -       | as app.name; unique    |
 * |                      |              |         | among units            |
 * | unit.services        | string array | -       | names of services and  |
 * |                      |              |         | programs; at least one |
 * | service.public       | boolean      | false   | outside clients may    |
 * |                      |              |         | call it                |
 * | service.login        | boolean      | false   | calls need a user      |
 * | service.roles        | string array | []      | one of them; login     |
 * | service.authenticates| boolean      | false   | may call as another    |
 * |                      |              |         | user                   |
 * | app.secret_env       | string       | none    | an environment name    |
 * | app.secret_file      | string       | none    | a path; not with       |
 * |                      |              |         | secret_env             |
 * | auth.users           | string       | none    | an htpasswd file path  |
 * | auth.groups          | string       | none    | a group file path      |
 * | auth.realm           | string       | app.name| printable, no '"'      |
 * | route.path           | string       | -       | "/" then segments      |
 * | route.methods        | string array | any     | HTTP method tokens     |
 * | route.call           | string       | -       | "pkg.Service/Method";  |
 * |                      |              |         | or dir                 |
 * | route.dir            | string       | -       | an existing directory  |
 * | route.index          | string       | "index.html" | a file name; dir  |
 * | route.login, .roles  | as service   |         |                        |
 * | route.unit           | string       | the one | a unit with listen     |
 * |                      |              | unit    |                        |
 * |                      |              | listening |                      |
 * | unit.listen          | string       | none    | "HOST:PORT"; HOST an   |
 * |                      |              |         | IPv4 address,          |
 * |                      |              |         | localhost or [IPv6];   |
 * |                      |              |         | PORT 0 .. 65535 (0:    |
 * |                      |              |         | any free port);        |
 * |                      |              |         | unique among units     |
 *
 * Each service is one [[service]] table, each program one [[program]] and
 * each unit one [[unit]]. Durations and sizes are strings read by units.h
 * ("500ms", "64M").
 *
 * Names are unique among all services and programs together, and among
 * units. Relative wasm and dirs.host paths are relative to the manifest's
 * directory. Any other key is an error, and so is an app with no service and no
 * program.
 *
 * A unit is the group of guests that one OS process runs. Once a manifest
 * has a [[unit]], every service and program is in exactly one unit; with
 * none, the loader makes a default unit named after the app that runs every
 * guest and listens nowhere.
 */
#ifndef PG_CONFIG_MANIFEST_H
#define PG_CONFIG_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mem.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PG_MANIFEST_NAME_MAX 64 /**< longest service, program or app name */
#define PG_MANIFEST_DEFAULT_DEADLINE_NS 5000000000ull         /**< 5s */
#define PG_MANIFEST_DEFAULT_PULSE_NS 1000000ull               /**< 1ms */
#define PG_MANIFEST_DEFAULT_STARTUP_TIMEOUT_NS 30000000000ull /**< 30s */
#define PG_MANIFEST_DEFAULT_DRAIN_TIMEOUT_NS 5000000000ull    /**< 5s */
#define PG_MANIFEST_DEFAULT_REQUEST_TIMEOUT_NS 30000000000ull /**< 30s */
#define PG_MANIFEST_DEFAULT_MAX_RESTARTS 5u
#define PG_MANIFEST_MAX_MAX_RESTARTS 1000000u
#define PG_MANIFEST_DEFAULT_RESTART_BACKOFF_NS 100000000ull /**< 100ms */
#define PG_MANIFEST_DEFAULT_MAX_MESSAGE_SIZE (4ull << 20)   /**< 4 MiB */
#define PG_MANIFEST_MAX_MAX_MESSAGE_SIZE (1ull << 30)       /**< 1 GiB */
#define PG_MANIFEST_DEFAULT_MAX_MEMORY (256ull << 20)       /**< 256 MiB */
/** A service's default max_handler_time; a program has none by default. */
#define PG_MANIFEST_DEFAULT_MAX_HANDLER_TIME_NS 1000000000ull /**< 1s */
#define PG_MANIFEST_MIN_MAX_MEMORY (64ull << 10) /**< one wasm page */
#define PG_MANIFEST_MAX_MAX_MEMORY (4ull << 30)  /**< all of wasm32 */
#define PG_MANIFEST_MAX_BYTES (16u << 20) /**< largest manifest file read */

/** @brief What the kernel does when a service dies. */
typedef enum pg_restart_policy {
  PG_RESTART_NEVER = 0,  /**< it stays dead (the default) */
  PG_RESTART_ON_FAILURE, /**< started again, up to max_restarts times */
} pg_restart_policy;

/** @brief A host directory a guest opens files under (service.dirs). */
typedef struct pg_manifest_dir {
  char *host;        /**< absolute, normalized (realpath); a directory */
  char *guest;       /**< the path the guest names it by: "/data", "." */
  bool is_read_only; /**< the guest may not create, write or delete */
  int line;          /**< the line of its entry */
} pg_manifest_dir;

/** @brief One setting of a native service (service.config), as text. */
typedef struct pg_manifest_setting {
  char *key;   /**< [a-z][a-z0-9_]*, unique in its table */
  char *value; /**< a string as written; an integer in decimal; a boolean
                    as "true" or "false" */
  int line;    /**< the line of the setting */
} pg_manifest_setting;

/** @brief One service or program of an app. */
typedef struct pg_manifest_guest {
  char *name;            /**< unique among all guests of the app */
  char *wasm;            /**< absolute path, normalized (realpath); NULL for
                              a native service */
  char *native;          /**< a native service's kind (include/parigot/
                              native.h), or NULL: a guest */
  char **args;           /**< nargs strings, in the order written */
  size_t nargs;          /**< 0 when the key is absent or empty */
  char **env;            /**< nenv "KEY=VALUE" strings, in the order written */
  size_t nenv;           /**< 0 when the key is absent or empty */
  pg_manifest_dir *dirs; /**< ndirs directories, in the order written */
  size_t ndirs;          /**< 0 when the key is absent or empty */
  uint64_t write_quota;  /**< bytes it may write under dirs; 0: no limit */
  pg_manifest_setting *config; /**< nconfig settings of a native service */
  size_t nconfig;              /**< 0 for a guest */
  uint64_t max_memory; /**< bytes of linear memory the guest may grow to */
  /** how long one event (a handler, the start hook) may run before the
   * kernel kills the guest; 0: no limit */
  uint64_t max_handler_time_ns;
  pg_restart_policy restart; /**< always PG_RESTART_NEVER for a program */
  uint32_t max_restarts;     /**< restarts allowed over the app's life */
  /** the wait before the first restart; it doubles for each one after */
  uint64_t restart_backoff_ns;
  bool is_program; /**< from [[program]], not [[service]] */
  bool is_test;    /**< a test program, run by `parigot test` */
  /** a test's `mocks`: the services of the app it stands in for, which
   * are not run with it (its own exports answer in their place) */
  char **mocks;
  size_t nmocks;
  int mocks_line; /**< line of its mocks key */
  int line;       /**< line of its [[service]] or [[program]] header */
  uint32_t unit;  /**< index into pg_manifest.units: the unit it is in */
  /** clients outside the app (not a unit of it) may call its exports */
  bool is_public;
  /** every call to its exports must be for a logged-in user */
  bool needs_login;
  /** the user needs one of these roles (needs_login is then true) */
  char **roles;
  size_t nroles;
  /** it may start calls for another user than the one it serves */
  bool authenticates;
} pg_manifest_guest;

/** @brief A path of a unit's port that answers plain HTTP ([[route]]). */
typedef struct pg_manifest_route {
  char *path;     /**< "/shop": takes "/shop" and "/shop/..." */
  char **methods; /**< upper case, "GET"; none: any method */
  size_t nmethods;
  char *service;    /**< call's service, "shop.v1.Pages"; NULL: a dir */
  char *method;     /**< call's method, "Handle"; NULL: a dir */
  char *dir;        /**< absolute, normalized; NULL: a call */
  char *index;      /**< the file a directory's path serves */
  bool needs_login; /**< only a logged-in user gets it */
  char **roles;     /**< the user needs one of them */
  size_t nroles;
  uint32_t unit; /**< index into pg_manifest.units: the port it is on */
  int line;      /**< line of its [[route]] header */
} pg_manifest_route;

/**
 * @brief A deployment unit: guests that run together in one OS process and
 * reach the guests of other units over the network.
 */
typedef struct pg_manifest_unit {
  char *name;       /**< unique among units; may be a guest's name */
  uint32_t *guests; /**< indices into pg_manifest.guests, as listed */
  size_t nguests;   /**< at least 1, but 0 for a unit outside parigot */
  /** a unit outside parigot (unit.serves): a gRPC server at its listen
   * address, reached as a unit is, that serves these services (full
   * names); NULL for a unit of parigot's */
  char **serves;
  size_t nserves;
  /** the host of unit.listen as written, IPv6 without its brackets; NULL:
   * the unit listens nowhere */
  char *listen_host;
  uint16_t listen_port; /**< 0: a free port the system picks */
  int line;             /**< line of its [[unit]] header; 0 for the default */
  bool is_default;      /**< made by the loader: the manifest has no [[unit]] */
} pg_manifest_unit;

/**
 * @brief A loaded app manifest. Every pointer in it is owned by the struct
 * and freed by pg_manifest_free().
 */
typedef struct pg_manifest {
  char *path;                  /**< the path given to pg_manifest_load() */
  char *name;                  /**< app.name */
  uint64_t deadline_ns;        /**< default deadline of a call */
  uint64_t pulse_ns;           /**< the timing pulse's interval */
  uint64_t startup_timeout_ns; /**< every service started within it */
  /** how long a client of a unit's port may take to send one request */
  uint64_t request_timeout_ns;
  uint64_t drain_timeout_ns; /**< how long stopping the services may take */
  uint64_t max_message_size; /**< bytes; largest request or response */
  pg_manifest_guest *guests; /**< services, then programs, each in file order */
  size_t nguests;            /**< at least 1 */
  size_t nservices;          /**< guests[0 .. nservices) are services */
  /** the [[unit]] tables in file order, or the one default unit */
  pg_manifest_unit *units;
  size_t nunits; /**< at least 1 */
  /** app.secret_env: the environment variable holding the app's secret,
   * which its units sign their calls to each other with */
  char *secret_env;
  char *secret_file; /**< app.secret_file: absolute; or NULL */
  char *users;       /**< auth.users: htpasswd file, absolute; or NULL */
  char *groups;      /**< auth.groups: group file, absolute; or NULL */
  char *realm;       /**< auth.realm; the app's name by default */
  pg_manifest_route *routes; /**< [[route]] tables, in file order */
  size_t nroutes;
} pg_manifest;

/** The environment variable that holds the app's secret when the
 * manifest names none. */
#define PG_MANIFEST_DEFAULT_SECRET_ENV "PARIGOT_APP_SECRET"

/**
 * @brief Is @p s (@p len bytes) a name the manifest takes for an app, a
 * service, a program or a unit: a lowercase letter, then lowercase
 * letters, digits, '_' or '-', at most PG_MANIFEST_NAME_MAX bytes?
 */
bool pg_manifest_is_valid_name(const char *s, size_t len);

/**
 * @brief Read, parse and check the app manifest at @p path.
 *
 * Stops at the first error it finds and describes it in @p err as one line,
 * "PATH:LINE: KEY: what is wrong", for instance
 * "app.toml:9: service.wasm: no such file: /abs/dir/greting.wasm". LINE is
 * the line of the offending value, or of the table that lacks a required
 * key; it is left out ("PATH: KEY: ...") when there is no line to point at,
 * as for a missing [app] table. A guest that no [[unit]] lists is reported
 * at its own header, without KEY: "PATH:LINE: service \"x\" is in no ...".
 * A TOML syntax error keeps the parser's line and column:
 * "PATH:LINE:COLUMN: message".
 *
 * Borrows @p path and @p mem for the duration of the call; the result holds
 * memory from @p mem, so the same allocator must be given to
 * pg_manifest_free(). Any thread.
 * @param[in]  path     the manifest file.
 * @param[in]  mem      allocator, or NULL for libc.
 * @param[out] out      receives the complete manifest on success; untouched
 *                      on failure, when nothing stays allocated.
 * @param[out] err      receives the message on failure (truncated to fit),
 *                      and "" on success; may be NULL when @p err_len is 0.
 * @param[in]  err_len  size of @p err in bytes.
 * @return 0, or one of:
 *   PARIGOT_ENOENT   the manifest or a wasm file does not exist;
 *   PARIGOT_EIO      the manifest or a wasm file cannot be read or resolved;
 *   PARIGOT_ESYNTAX  the manifest is not valid TOML;
 *   PARIGOT_EINVAL   a key is unknown, missing, of the wrong type or has a
 *                    malformed value; a wasm path is not a regular file; no
 *                    service or program; a unit names no such guest; a
 *                    guest is in two units, twice in one, or (once there
 *                    are units) in none; or @p path or @p out is NULL;
 *   PARIGOT_ERANGE   a size, duration or listen port is out of its range,
 *                    or the file is larger than #PG_MANIFEST_MAX_BYTES;
 *   PARIGOT_EEXIST   two services or programs share a name, or two units
 *                    share a name or a listen address;
 *   PARIGOT_ENOMEM   an allocation failed.
 */
int pg_manifest_load(const char *path, const pg_mem *mem, pg_manifest *out,
                     char *err, size_t err_len);

/** pg_manifest_load_flags(): a wasm file that does not exist is no
 * error; its guest's wasm is then the path as written, under the
 * manifest's folder (`parigot up --bin`: the units carry their wasm). */
#define PG_MANIFEST_WASM_MAY_BE_MISSING 1u

/**
 * @brief pg_manifest_load(), with @p flags (PG_MANIFEST_*) changing what
 * it checks.
 */
int pg_manifest_load_flags(const char *path, const pg_mem *mem, unsigned flags,
                           pg_manifest *out, char *err, size_t err_len);

/**
 * @brief Free everything a successful pg_manifest_load() put in @p m and
 * zero it. NULL is a no-op, and so is a zeroed struct.
 * @param[in] m    the manifest; its storage stays the caller's.
 * @param[in] mem  the allocator given to pg_manifest_load(), or NULL if it
 *                 was NULL.
 */
void pg_manifest_free(pg_manifest *m, const pg_mem *mem);

/**
 * @brief Write @p m back as a manifest that pg_manifest_load() reads into
 * the same values, with every key spelled out (defaults too).
 * @param[in] m     a loaded manifest.
 * @param[in] wasm  the path to write for each guest's wasm (m->nguests of
 *                  them), or NULL to keep m's.
 * @param[in] out   where to write.
 * @return 0, or PARIGOT_EIO when @p out fails.
 */
int pg_manifest_write(const pg_manifest *m, const char *const *wasm, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* PG_CONFIG_MANIFEST_H */
