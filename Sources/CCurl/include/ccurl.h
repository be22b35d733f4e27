#ifndef GUEST_AGENT_CCURL_H
#define GUEST_AGENT_CCURL_H

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

/// curl_global_init once per process (not thread-safe itself: called from a Swift `static let`).
int ga_curl_global_init(void);

/// Applies `request` to `handle`. Returns CURLE_OK or the first option libcurl refused.
CURLcode ga_curl_prepare(CURL *handle, const ga_curl_request *request);

/// The result of the finished transfer on a multi handle holding one easy handle.
CURLcode ga_curl_multi_result(CURLM *multi);

/// The HTTP status of the last response (0 when none arrived).
long ga_curl_status(CURL *handle);

#endif
