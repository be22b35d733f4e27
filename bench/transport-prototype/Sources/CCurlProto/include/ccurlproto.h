#include <curl/curl.h>
#include <stddef.h>
/// One GET with libcurl's easy interface; returns the HTTP status (or -1) and the body size.
long proto_get(const char *url, size_t *body_bytes);
