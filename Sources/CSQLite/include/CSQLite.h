// The SQLite that sqlite-nio compiles into every binary that uses it (its `VaporCSQLite` target,
// whose functions carry an `sqlite_nio_` prefix), declared here so the store can call it directly:
// that target is not a product of sqlite-nio, so it cannot be imported. Using this copy, rather than
// the system's, keeps one SQLite in the process, as SQLite's file locks require.
// The prototypes are those of sqlite3.h for the SQLite version sqlite-nio vendors.
#ifndef CSQLITE_H
#define CSQLITE_H

#include <stdint.h>

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;

int sqlite_nio_sqlite3_initialize(void);
int sqlite_nio_sqlite3_open_v2(const char *filename, sqlite3 **db, int flags, const char *vfs);
int sqlite_nio_sqlite3_close_v2(sqlite3 *db);
int sqlite_nio_sqlite3_extended_errcode(sqlite3 *db);
const char *sqlite_nio_sqlite3_errmsg(sqlite3 *db);

int sqlite_nio_sqlite3_prepare_v3(sqlite3 *db, const char *sql, int bytes, unsigned int flags,
                                  sqlite3_stmt **statement, const char **tail);
int sqlite_nio_sqlite3_step(sqlite3_stmt *statement);
int sqlite_nio_sqlite3_reset(sqlite3_stmt *statement);
int sqlite_nio_sqlite3_clear_bindings(sqlite3_stmt *statement);
int sqlite_nio_sqlite3_finalize(sqlite3_stmt *statement);

int sqlite_nio_sqlite3_bind_int64(sqlite3_stmt *statement, int index, int64_t value);
int sqlite_nio_sqlite3_bind_double(sqlite3_stmt *statement, int index, double value);
int sqlite_nio_sqlite3_bind_null(sqlite3_stmt *statement, int index);
int sqlite_nio_sqlite3_bind_text64(sqlite3_stmt *statement, int index, const char *text, uint64_t bytes,
                                   void (*destructor)(void *), unsigned char encoding);
int sqlite_nio_sqlite3_bind_blob64(sqlite3_stmt *statement, int index, const void *bytes, uint64_t count,
                                   void (*destructor)(void *));

int sqlite_nio_sqlite3_column_count(sqlite3_stmt *statement);
const char *sqlite_nio_sqlite3_column_name(sqlite3_stmt *statement, int column);
int sqlite_nio_sqlite3_column_type(sqlite3_stmt *statement, int column);
int64_t sqlite_nio_sqlite3_column_int64(sqlite3_stmt *statement, int column);
double sqlite_nio_sqlite3_column_double(sqlite3_stmt *statement, int column);
const unsigned char *sqlite_nio_sqlite3_column_text(sqlite3_stmt *statement, int column);
const void *sqlite_nio_sqlite3_column_blob(sqlite3_stmt *statement, int column);
int sqlite_nio_sqlite3_column_bytes(sqlite3_stmt *statement, int column);

int sqlite_nio_sqlite3_stmt_status(sqlite3_stmt *statement, int counter, int reset);
int sqlite_nio_sqlite3_file_control(sqlite3 *db, const char *database, int operation, void *argument);
int sqlite_nio_sqlite3_db_config(sqlite3 *db, int option, ...);

/// Turns on the query planner stability guarantee (SQLITE_DBCONFIG_ENABLE_QPSG): a statement keeps
/// its plan whatever values are bound, so a cached statement is never prepared again for new values.
static inline int csqlite_enable_stable_plans(sqlite3 *db) {
    int enabled = 0;
    return sqlite_nio_sqlite3_db_config(db, 1007, 1, &enabled);
}

/// The start of sqlite3.h's `sqlite3_file` and `sqlite3_io_methods`, as far as `xSync`.
typedef struct csqlite_file csqlite_file;
typedef struct csqlite_io_methods {
    int version;
    int (*close)(csqlite_file *);
    int (*read)(csqlite_file *, void *, int, int64_t);
    int (*write)(csqlite_file *, const void *, int, int64_t);
    int (*truncate)(csqlite_file *, int64_t);
    int (*sync)(csqlite_file *, int flags);
} csqlite_io_methods;
struct csqlite_file {
    const csqlite_io_methods *methods;
};

enum {
    CSQLITE_FCNTL_FILE_POINTER = 7,
    CSQLITE_SYNC_NORMAL = 0x00002,
    CSQLITE_MISUSE = 21,
};

/// Syncs the main database file through SQLite's own handle of it (its VFS's xSync). Opening and
/// closing another descriptor on the file instead would drop every POSIX lock this process holds
/// on it (SQLite's "How To Corrupt An SQLite Database File", 2.2).
static inline int csqlite_sync_database_file(sqlite3 *db) {
    csqlite_file *file = 0;
    int status = sqlite_nio_sqlite3_file_control(db, "main", CSQLITE_FCNTL_FILE_POINTER, &file);
    if (status != 0) return status;
    if (file == 0 || file->methods == 0) return CSQLITE_MISUSE;
    return file->methods->sync(file, CSQLITE_SYNC_NORMAL);
}

/// SQLite copies a value bound with this destructor before the bind call returns.
static inline void (*csqlite_transient(void))(void *) { return (void (*)(void *))-1; }

#endif
