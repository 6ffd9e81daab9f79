#ifndef CHIREDIS_SHIM_H
#define CHIREDIS_SHIM_H

#include <stdlib.h>
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

/* hiredis allocates an array's element table as soon as it reads the count,
 * so "*2147483647\r\n" alone asks for 16 GiB. The capped reader refuses
 * counts above its limit, which fails the read (hiredis reports "Out of
 * memory"); refused_elements says why. */
typedef struct cgw_capped_functions {
    redisReplyObjectFunctions capped;
    redisReplyObjectFunctions original;
    long long max_elements;
    long long refused_elements;
} cgw_capped_functions;

static inline void *cgw_create_array_capped(const redisReadTask *task, int elements) {
    cgw_capped_functions *functions = (cgw_capped_functions *)task->privdata;
    if ((long long)elements > functions->max_elements) {
        functions->refused_elements = elements;
        return NULL;
    }
    return functions->original.createArray(task, elements);
}

/* A reader whose arrays hold at most max_elements elements; NULL when out of memory. */
static inline redisReader *cgw_redis_reader_create_capped(long long max_elements) {
    redisReader *reader = redisReaderCreate();
    if (reader == NULL) return NULL;
    cgw_capped_functions *functions = (cgw_capped_functions *)calloc(1, sizeof *functions);
    if (functions == NULL) {
        redisReaderFree(reader);
        return NULL;
    }
    functions->original = *reader->fn;
    functions->capped = *reader->fn;
    functions->capped.createArray = cgw_create_array_capped;
    functions->max_elements = max_elements;
    reader->fn = &functions->capped;
    reader->privdata = functions;
    return reader;
}

/* The count of the array the capped reader refused, or 0. */
static inline long long cgw_redis_reader_refused_elements(const redisReader *reader) {
    return ((const cgw_capped_functions *)reader->privdata)->refused_elements;
}

static inline void cgw_redis_reader_free_capped(redisReader *reader) {
    void *functions = reader->privdata;
    redisReaderFree(reader);
    free(functions);
}

#endif
