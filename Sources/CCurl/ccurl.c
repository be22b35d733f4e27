#include "ccurl.h"
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* libcurl's entry points, resolved by ga_curl_load. */
static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    const char *(*easy_strerror)(CURLcode);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_cleanup)(CURLM *);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
    CURLMcode (*multi_wakeup)(CURLM *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    const char *(*multi_strerror)(CURLMcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} curl;

static char load_error[512] = "libcurl was not loaded";

#define RESOLVE(field, symbol) do { \
        *(void **)(&curl.field) = dlsym(library, symbol); \
        if (curl.field == NULL) { snprintf(load_error, sizeof load_error, "libcurl has no %s", symbol); return -1; } \
    } while (0)

int ga_curl_load(void) {
    /* RTLD_LOCAL: libcurl's dependencies (OpenSSL, ...) stay out of the global namespace. */
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "%s (https needs libcurl4 installed)", why ? why : "dlopen failed");
        return -1;
    }
    RESOLVE(global_init, "curl_global_init");
    RESOLVE(easy_init, "curl_easy_init");
    RESOLVE(easy_cleanup, "curl_easy_cleanup");
    RESOLVE(easy_setopt, "curl_easy_setopt");
    RESOLVE(easy_getinfo, "curl_easy_getinfo");
    RESOLVE(easy_strerror, "curl_easy_strerror");
    RESOLVE(multi_init, "curl_multi_init");
    RESOLVE(multi_cleanup, "curl_multi_cleanup");
    RESOLVE(multi_add_handle, "curl_multi_add_handle");
    RESOLVE(multi_remove_handle, "curl_multi_remove_handle");
    RESOLVE(multi_perform, "curl_multi_perform");
    RESOLVE(multi_poll, "curl_multi_poll");
    RESOLVE(multi_wakeup, "curl_multi_wakeup");
    RESOLVE(multi_info_read, "curl_multi_info_read");
    RESOLVE(multi_strerror, "curl_multi_strerror");
    RESOLVE(slist_append, "curl_slist_append");
    RESOLVE(slist_free_all, "curl_slist_free_all");
    if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(load_error, sizeof load_error, "curl_global_init failed");
        return -1;
    }
    return 0;
}

const char *ga_curl_load_error(void) { return load_error; }

#define SET(option, value) do { CURLcode rc = curl.easy_setopt(handle, option, value); if (rc != CURLE_OK) return rc; } while (0)

CURLcode ga_curl_prepare(CURL *handle, const ga_curl_request *r) {
    SET(CURLOPT_URL, r->url);
    /* Metadata services are link-local: never through a proxy from the environment. */
    SET(CURLOPT_PROXY, "");
    SET(CURLOPT_NOPROXY, "*");
    /* Redirects are the caller's decision (same origin only, at most once, never a POST). */
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    /* No Accept-Encoding and no decoding: the body cap counts the bytes we hold. */
    SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_CONNECTTIMEOUT_MS, r->connect_timeout_ms);
    SET(CURLOPT_TIMEOUT_MS, r->total_timeout_ms);
    SET(CURLOPT_MAXFILESIZE_LARGE, r->max_bytes);
    SET(CURLOPT_WRITEFUNCTION, r->on_body);
    SET(CURLOPT_WRITEDATA, r->context);
    SET(CURLOPT_HEADERFUNCTION, r->on_header);
    SET(CURLOPT_HEADERDATA, r->context);
    SET(CURLOPT_ERRORBUFFER, r->error_buffer);
    SET(CURLOPT_USERAGENT, "guest-agent");
    SET(CURLOPT_HTTPHEADER, r->headers);
    if (strcmp(r->method, "HEAD") == 0) {
        SET(CURLOPT_NOBODY, 1L);
    } else if (strcmp(r->method, "GET") != 0) {
        /* Always a body, so a bodiless PUT (the IMDSv2 token) still says Content-Length: 0. */
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_length);
        SET(CURLOPT_COPYPOSTFIELDS, r->body ? r->body : "");
        if (strcmp(r->method, "POST") != 0) SET(CURLOPT_CUSTOMREQUEST, r->method);
    }
    return CURLE_OK;
}

CURLcode ga_curl_multi_result(CURLM *multi) {
    int remaining = 0;
    CURLMsg *message;
    while ((message = curl.multi_info_read(multi, &remaining)) != NULL) {
        if (message->msg == CURLMSG_DONE) return message->data.result;
    }
    return CURLE_RECV_ERROR;
}

long ga_curl_status(CURL *handle) {
    long status = 0;
    curl.easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

CURL *ga_curl_easy_init(void) { return curl.easy_init(); }
void ga_curl_easy_cleanup(CURL *handle) { curl.easy_cleanup(handle); }
const char *ga_curl_easy_strerror(CURLcode code) { return curl.easy_strerror(code); }
CURLM *ga_curl_multi_init(void) { return curl.multi_init(); }
CURLMcode ga_curl_multi_cleanup(CURLM *multi) { return curl.multi_cleanup(multi); }
CURLMcode ga_curl_multi_add_handle(CURLM *multi, CURL *handle) { return curl.multi_add_handle(multi, handle); }
CURLMcode ga_curl_multi_remove_handle(CURLM *multi, CURL *handle) { return curl.multi_remove_handle(multi, handle); }
CURLMcode ga_curl_multi_perform(CURLM *multi, int *running) { return curl.multi_perform(multi, running); }
CURLMcode ga_curl_multi_poll(CURLM *multi, int timeout_ms) { return curl.multi_poll(multi, NULL, 0, timeout_ms, NULL); }
CURLMcode ga_curl_multi_wakeup(CURLM *multi) { return curl.multi_wakeup(multi); }
const char *ga_curl_multi_strerror(CURLMcode code) { return curl.multi_strerror(code); }
struct curl_slist *ga_curl_slist_append(struct curl_slist *list, const char *text) { return curl.slist_append(list, text); }
void ga_curl_slist_free_all(struct curl_slist *list) { curl.slist_free_all(list); }
