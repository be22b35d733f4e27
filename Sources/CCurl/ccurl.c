#include "ccurl.h"
#include <string.h>

int ga_curl_global_init(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

#define SET(option, value) do { CURLcode rc = curl_easy_setopt(handle, option, value); if (rc != CURLE_OK) return rc; } while (0)

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
    while ((message = curl_multi_info_read(multi, &remaining)) != NULL) {
        if (message->msg == CURLMSG_DONE) return message->data.result;
    }
    return CURLE_RECV_ERROR;
}

long ga_curl_status(CURL *handle) {
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    return status;
}
