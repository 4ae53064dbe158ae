// Compiles our hand-written declarations of sqlite-nio's SQLite (Sources/CSQLite/include/CSQLite.h)
// beside sqlite-nio's own header. A prototype that drifts is a "conflicting types" error; a
// constant, integer type or structure layout that drifts fails one of the assertions below. Nothing
// here runs: building the tests is the check.
#include <stddef.h>
#include "sqlite_nio_sqlite3.h"
#include "CSQLite.h"

#define SAME(ours, theirs) _Static_assert((ours) == (theirs), #ours " differs from sqlite-nio's " #theirs)
#define SAME_TYPE(ours, theirs) \
    _Static_assert(__builtin_types_compatible_p(ours, theirs), #ours " differs from sqlite-nio's " #theirs)

SAME(CSQLITE_EXPECTED_VERSION_NUMBER, SQLITE_VERSION_NUMBER);

SAME(CSQLITE_OK, SQLITE_OK);
SAME(CSQLITE_BUSY, SQLITE_BUSY);
SAME(CSQLITE_LOCKED, SQLITE_LOCKED);
SAME(CSQLITE_CONSTRAINT, SQLITE_CONSTRAINT);
SAME(CSQLITE_MISUSE, SQLITE_MISUSE);
SAME(CSQLITE_ROW, SQLITE_ROW);
SAME(CSQLITE_DONE, SQLITE_DONE);
SAME(CSQLITE_CONSTRAINT_FOREIGNKEY, SQLITE_CONSTRAINT_FOREIGNKEY);
SAME(CSQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_PRIMARYKEY);
SAME(CSQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_UNIQUE);
// Extended codes keep their primary code in the low byte.
SAME(CSQLITE_CONSTRAINT_UNIQUE & CSQLITE_PRIMARY_CODE_MASK, SQLITE_CONSTRAINT);

SAME(CSQLITE_OPEN_READWRITE, SQLITE_OPEN_READWRITE);
SAME(CSQLITE_OPEN_CREATE, SQLITE_OPEN_CREATE);
SAME(CSQLITE_OPEN_URI, SQLITE_OPEN_URI);
SAME(CSQLITE_OPEN_NOMUTEX, SQLITE_OPEN_NOMUTEX);
SAME(CSQLITE_OPEN_EXRESCODE, SQLITE_OPEN_EXRESCODE);
SAME(CSQLITE_DBCONFIG_ENABLE_QPSG, SQLITE_DBCONFIG_ENABLE_QPSG);

SAME(CSQLITE_PREPARE_PERSISTENT, SQLITE_PREPARE_PERSISTENT);
SAME(CSQLITE_STMTSTATUS_REPREPARE, SQLITE_STMTSTATUS_REPREPARE);
SAME(CSQLITE_UTF8, SQLITE_UTF8);
SAME(CSQLITE_INTEGER, SQLITE_INTEGER);
SAME(CSQLITE_FLOAT, SQLITE_FLOAT);
SAME(CSQLITE_TEXT, SQLITE_TEXT);
SAME(CSQLITE_BLOB, SQLITE_BLOB);
SAME_TYPE(__typeof__(CSQLITE_TRANSIENT), sqlite3_destructor_type);

SAME(CSQLITE_FCNTL_FILE_POINTER, SQLITE_FCNTL_FILE_POINTER);
SAME(CSQLITE_SYNC_NORMAL, SQLITE_SYNC_NORMAL);

SAME_TYPE(csqlite_int64, sqlite3_int64);
SAME_TYPE(csqlite_uint64, sqlite3_uint64);

// The part of sqlite3_file and sqlite3_io_methods that csqlite_sync_database_file reads.
SAME(offsetof(csqlite_file, methods), offsetof(sqlite3_file, pMethods));
SAME(offsetof(csqlite_io_methods, version), offsetof(sqlite3_io_methods, iVersion));
SAME(offsetof(csqlite_io_methods, sync), offsetof(sqlite3_io_methods, xSync));
SAME_TYPE(__typeof__(((csqlite_io_methods *)0)->version), __typeof__(((sqlite3_io_methods *)0)->iVersion));
SAME_TYPE(__typeof__(((csqlite_io_methods *)0)->sync(0, 0)), __typeof__(((sqlite3_io_methods *)0)->xSync(0, 0)));
