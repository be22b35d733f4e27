#ifndef GUEST_AGENT_CCURL_H
#define GUEST_AGENT_CCURL_H

/* Only libcurl's types and constants: the agent does not link libcurl. It is loaded with
   dlopen the first time an https:// URL is fetched (ga_curl_load), so the 33 libraries
   Debian's libcurl brings are not mapped into every boot. Every call goes through the
   ga_curl_* functions below. */
#include <curl/curl.h>

/// Callback type for response bytes and header lines (libcurl's write/header function).
typedef size_t (*ga_curl_data_callback)(char *data, size_t size, size_t count, void *context);

/// Everything one metadata request needs from libcurl. Swift cannot call the variadic
/// curl_easy_setopt, so the options are set here, in one place, and documented.
typedef struct {
    const char *url;
    const char *method;            /* "GET", "HEAD", "POST", "PUT", ... */
    const char *body;              /* sent for every method but GET/HEAD; NULL means empty */
    long body_length;
    struct curl_slist *headers;
    long connect_timeout_ms;
    long total_timeout_ms;
    curl_off_t max_bytes;          /* a declared Content-Length above this fails at once */
    ga_curl_data_callback on_body;
    ga_curl_data_callback on_header;
    void *context;
    char *error_buffer;            /* CURL_ERROR_SIZE bytes */
} ga_curl_request;

/// Loads libcurl.so.4 and runs curl_global_init, once per process (call it from a Swift
/// `static let`: it is not thread-safe itself). 0 on success; otherwise -1 and
/// ga_curl_load_error() says why (the dynamic loader's message).
int ga_curl_load(void);
const char *ga_curl_load_error(void);

/// Applies `request` to `handle`. Returns CURLE_OK or the first option libcurl refused.
CURLcode ga_curl_prepare(CURL *handle, const ga_curl_request *request);

/// The result of the finished transfer on a multi handle holding one easy handle.
CURLcode ga_curl_multi_result(CURLM *multi);

/// The HTTP status of the last response (0 when none arrived).
long ga_curl_status(CURL *handle);

/* libcurl's own functions, called through the loaded library (only after ga_curl_load). */
CURL *ga_curl_easy_init(void);
void ga_curl_easy_cleanup(CURL *handle);
const char *ga_curl_easy_strerror(CURLcode code);
CURLM *ga_curl_multi_init(void);
CURLMcode ga_curl_multi_cleanup(CURLM *multi);
CURLMcode ga_curl_multi_add_handle(CURLM *multi, CURL *handle);
CURLMcode ga_curl_multi_remove_handle(CURLM *multi, CURL *handle);
CURLMcode ga_curl_multi_perform(CURLM *multi, int *running);
CURLMcode ga_curl_multi_poll(CURLM *multi, int timeout_ms);
CURLMcode ga_curl_multi_wakeup(CURLM *multi);
const char *ga_curl_multi_strerror(CURLMcode code);
struct curl_slist *ga_curl_slist_append(struct curl_slist *list, const char *text);
void ga_curl_slist_free_all(struct curl_slist *list);

#endif
