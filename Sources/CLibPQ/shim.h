#ifndef RAVNAQ_CLIBPQ_SHIM_H
#define RAVNAQ_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
