#ifndef ACTIVITY_SYNC_CLIBXML2_SHIM_H
#define ACTIVITY_SYNC_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
/* Debian builds libxml2 with ICU; its <unicode/ucnv.h> clashes with Foundation's ICU in Swift modules. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlerror.h>
#include <string.h>

/* xmlFree is a mutable C global, which Swift 6 refuses to touch. */
static inline void cxml_free(void *p) { xmlFree(p); }

/* Silences libxml2's generic error printer (it writes to stderr); errors are read from the reader instead. */
static inline void cxml_silent_handler(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }
static inline void cxml_silence_generic_errors(void) { xmlSetGenericErrorFunc(NULL, cxml_silent_handler); }

static const int cxml_safe_options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
#endif
