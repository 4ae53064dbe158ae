// Declarations only (see include/CSQLite.h); SwiftPM needs a source file in a C target.
#include "CSQLite.h"
