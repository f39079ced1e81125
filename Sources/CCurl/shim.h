#ifndef ACTIVITY_SYNC_CCURL_SHIM_H
#define ACTIVITY_SYNC_CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt/getinfo are variadic: Swift cannot call them, so each argument type gets a typed wrapper. */
static inline CURLcode ccurl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_setopt_str(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_setopt_ptr(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_setopt_write(CURL *h, CURLoption o, curl_write_callback f) { return curl_easy_setopt(h, o, f); }
static inline CURLcode ccurl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_getinfo_long(CURL *h, CURLINFO i, long *out) { return curl_easy_getinfo(h, i, out); }
static inline CURLcode ccurl_getinfo_off(CURL *h, CURLINFO i, curl_off_t *out) { return curl_easy_getinfo(h, i, out); }
static inline CURLcode ccurl_getinfo_ptr(CURL *h, CURLINFO i, void **out) { return curl_easy_getinfo(h, i, out); }
static inline CURLMcode ccurl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

/* Cast macros such as CURLAUTH_NTLM = (((unsigned long)1)<<3) are not imported into Swift. */
static const long ccurl_auth_basic = (long)CURLAUTH_BASIC;
static const long ccurl_auth_ntlm = (long)CURLAUTH_NTLM;
static const long ccurl_auth_negotiate = (long)CURLAUTH_NEGOTIATE;
static const long ccurl_global_all = (long)CURL_GLOBAL_ALL;

/* CURLMsg.data is a union; read the result without touching it from Swift. */
static inline CURLcode ccurl_msg_result(CURLMsg *m) { return m->data.result; }
#endif
