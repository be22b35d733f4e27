#include "ccurlproto.h"

static size_t count_body(char *data, size_t size, size_t count, void *user) {
    (void)data;
    *(size_t *)user += size * count;
    return size * count;
}

long proto_get(const char *url, size_t *body_bytes) {
    CURL *curl = curl_easy_init();
    if (!curl) return -1;
    long status = -1;
    *body_bytes = 0;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, count_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, body_bytes);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
    if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    return status;
}
