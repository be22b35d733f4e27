#ifndef GUEST_AGENT_CZLIB_H
#define GUEST_AGENT_CZLIB_H

#include <zlib.h>

/// inflateInit2 is a macro in zlib.h, which Swift cannot call: this wraps it.
/// window_bits 15 + 16 decodes gzip only (no zlib or raw deflate).
int ga_inflate_init_gzip(z_stream *stream);

#endif
