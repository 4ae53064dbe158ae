// The SQLite that sqlite-nio compiles into every binary that uses it (its `VaporCSQLite` target,
// whose functions carry an `sqlite_nio_` prefix), declared here so the engine can call it directly:
// that target is not a product of sqlite-nio, so it cannot be imported. Using this copy, rather than
// the system's, keeps one SQLite in the process, as SQLite's file locks require.
//
// The prefix and these prototypes are those of sqlite-nio 1.13.2 (SQLite 3.54.1), pinned `exact:` in
// Package.swift. Tests/CSQLiteDeclarationCheck compiles this header beside sqlite-nio's own
// sqlite_nio_sqlite3.h, so a prototype, constant or structure that drifts from it fails the build;
// a function that is gone fails the link. The engine checks the running library's version at open.
#ifndef CSQLITE_H
#define CSQLITE_H

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
/// sqlite3.h's `sqlite3_int64` and `sqlite3_uint64`.
typedef long long int csqlite_int64;
typedef unsigned long long int csqlite_uint64;

// MARK: - The library

/// The SQLite version (SQLITE_VERSION_NUMBER) of sqlite-nio 1.13.2, the only one these declarations
/// were checked against.
#define CSQLITE_EXPECTED_VERSION_NUMBER 3054001

int sqlite_nio_sqlite3_initialize(void);
int sqlite_nio_sqlite3_libversion_number(void);
const char *sqlite_nio_sqlite3_libversion(void);
int sqlite_nio_sqlite3_compileoption_used(const char *option);

// MARK: - Result codes

#define CSQLITE_OK 0
#define CSQLITE_BUSY 5
#define CSQLITE_LOCKED 6
#define CSQLITE_CONSTRAINT 19
#define CSQLITE_MISUSE 21
#define CSQLITE_ROW 100
#define CSQLITE_DONE 101
/// Extended result codes: the primary code in the low byte, the detail above it.
#define CSQLITE_CONSTRAINT_FOREIGNKEY 787
#define CSQLITE_CONSTRAINT_PRIMARYKEY 1555
#define CSQLITE_CONSTRAINT_UNIQUE 2067
/// The mask that keeps an extended result code's primary code.
#define CSQLITE_PRIMARY_CODE_MASK 0xFF

// MARK: - Connections

#define CSQLITE_OPEN_READWRITE 0x00000002
#define CSQLITE_OPEN_CREATE 0x00000004
#define CSQLITE_OPEN_URI 0x00000040
#define CSQLITE_OPEN_NOMUTEX 0x00008000
#define CSQLITE_OPEN_EXRESCODE 0x02000000

int sqlite_nio_sqlite3_open_v2(const char *filename, sqlite3 **db, int flags, const char *vfs);
int sqlite_nio_sqlite3_close_v2(sqlite3 *db);
int sqlite_nio_sqlite3_extended_errcode(sqlite3 *db);
const char *sqlite_nio_sqlite3_errmsg(sqlite3 *db);

#define CSQLITE_DBCONFIG_ENABLE_QPSG 1007

int sqlite_nio_sqlite3_db_config(sqlite3 *db, int option, ...);

/// Turns on the query planner stability guarantee (SQLITE_DBCONFIG_ENABLE_QPSG): a statement keeps
/// its plan whatever values are bound, so a cached statement is never prepared again for new values.
static inline int csqlite_enable_stable_plans(sqlite3 *db) {
    int enabled = 0;
    return sqlite_nio_sqlite3_db_config(db, CSQLITE_DBCONFIG_ENABLE_QPSG, 1, &enabled);
}

// MARK: - Statements

#define CSQLITE_PREPARE_PERSISTENT 0x01
#define CSQLITE_STMTSTATUS_REPREPARE 5
#define CSQLITE_UTF8 1
/// Column types; the one left is NULL.
#define CSQLITE_INTEGER 1
#define CSQLITE_FLOAT 2
#define CSQLITE_TEXT 3
#define CSQLITE_BLOB 4

int sqlite_nio_sqlite3_prepare_v3(sqlite3 *db, const char *sql, int bytes, unsigned int flags,
                                  sqlite3_stmt **statement, const char **tail);
int sqlite_nio_sqlite3_step(sqlite3_stmt *statement);
int sqlite_nio_sqlite3_reset(sqlite3_stmt *statement);
int sqlite_nio_sqlite3_clear_bindings(sqlite3_stmt *statement);
int sqlite_nio_sqlite3_finalize(sqlite3_stmt *statement);
int sqlite_nio_sqlite3_stmt_status(sqlite3_stmt *statement, int counter, int reset);

int sqlite_nio_sqlite3_bind_int64(sqlite3_stmt *statement, int index, csqlite_int64 value);
int sqlite_nio_sqlite3_bind_double(sqlite3_stmt *statement, int index, double value);
int sqlite_nio_sqlite3_bind_null(sqlite3_stmt *statement, int index);
int sqlite_nio_sqlite3_bind_text64(sqlite3_stmt *statement, int index, const char *text, csqlite_uint64 bytes,
                                   void (*destructor)(void *), unsigned char encoding);
int sqlite_nio_sqlite3_bind_blob64(sqlite3_stmt *statement, int index, const void *bytes, csqlite_uint64 count,
                                   void (*destructor)(void *));

/// SQLITE_TRANSIENT: SQLite copies a value bound with this destructor before the bind call returns.
#define CSQLITE_TRANSIENT ((void (*)(void *))-1)
/// For Swift, which cannot import a macro that casts to a function pointer.
static inline void (*csqlite_transient(void))(void *) { return CSQLITE_TRANSIENT; }

int sqlite_nio_sqlite3_column_count(sqlite3_stmt *statement);
const char *sqlite_nio_sqlite3_column_name(sqlite3_stmt *statement, int column);
int sqlite_nio_sqlite3_column_type(sqlite3_stmt *statement, int column);
csqlite_int64 sqlite_nio_sqlite3_column_int64(sqlite3_stmt *statement, int column);
double sqlite_nio_sqlite3_column_double(sqlite3_stmt *statement, int column);
const unsigned char *sqlite_nio_sqlite3_column_text(sqlite3_stmt *statement, int column);
const void *sqlite_nio_sqlite3_column_blob(sqlite3_stmt *statement, int column);
int sqlite_nio_sqlite3_column_bytes(sqlite3_stmt *statement, int column);

// MARK: - The database file

#define CSQLITE_FCNTL_FILE_POINTER 7
#define CSQLITE_SYNC_NORMAL 0x00002

int sqlite_nio_sqlite3_file_control(sqlite3 *db, const char *database, int operation, void *argument);

/// The start of sqlite3.h's `sqlite3_file` and `sqlite3_io_methods`, as far as `xSync`.
typedef struct csqlite_file csqlite_file;
typedef struct csqlite_io_methods {
    int version;
    int (*close)(csqlite_file *);
    int (*read)(csqlite_file *, void *, int, csqlite_int64);
    int (*write)(csqlite_file *, const void *, int, csqlite_int64);
    int (*truncate)(csqlite_file *, csqlite_int64);
    int (*sync)(csqlite_file *, int flags);
} csqlite_io_methods;
struct csqlite_file {
    const csqlite_io_methods *methods;
};

/// Syncs the main database file through SQLite's own handle of it (its VFS's xSync). Opening and
/// closing another descriptor on the file instead would drop every POSIX lock this process holds
/// on it (SQLite's "How To Corrupt An SQLite Database File", 2.2).
static inline int csqlite_sync_database_file(sqlite3 *db) {
    csqlite_file *file = 0;
    int status = sqlite_nio_sqlite3_file_control(db, "main", CSQLITE_FCNTL_FILE_POINTER, &file);
    if (status != CSQLITE_OK) return status;
    if (file == 0 || file->methods == 0) return CSQLITE_MISUSE;
    return file->methods->sync(file, CSQLITE_SYNC_NORMAL);
}

#endif
