#ifndef CHIREDIS_SHIM_H
#define CHIREDIS_SHIM_H

#include <hiredis/hiredis.h>
#include <hiredis/read.h>

/* redisReaderGetReply hands the reply back through a void**; a typed
 * out-parameter keeps the cast in C instead of in every Swift caller. */
static inline int cgw_redis_reader_get_reply(redisReader *reader, redisReply **reply) {
    return redisReaderGetReply(reader, (void **)reply);
}

/* The reader's error string is a fixed char array, which Swift imports as a
 * tuple; a pointer to its first byte reads as a C string. */
static inline const char *cgw_redis_reader_error(const redisReader *reader) {
    return reader->errstr;
}

#endif
