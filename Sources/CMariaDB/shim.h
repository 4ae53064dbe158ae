#ifndef C_MARIADB_SHIM_H
#define C_MARIADB_SHIM_H
// Debian's libmariadb-dev puts the headers in /usr/include/mariadb (`pkg-config --cflags libmariadb`).
#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>
#endif
