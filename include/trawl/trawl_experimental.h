/*
 * trawl_experimental.h — calls for rule authors and tooling (the trawl CLI's `rules check`,
 * `rules profile` and `db info`) that may change in any minor version. They follow the
 * conventions of trawl.h but are not covered by its compatibility promise (docs/abi.md).
 *
 * The declarations compile only with `#define TRAWL_EXPERIMENTAL` before this header. A
 * packager who wants a library without them builds with -DTRAWL_EXPORT_EXPERIMENTAL=OFF:
 * TRAWL_EXPERIMENTAL_API then leaves them hidden.
 */
#ifndef TRAWL_EXPERIMENTAL_H_
#define TRAWL_EXPERIMENTAL_H_

#include "trawl/trawl.h"

#ifdef TRAWL_EXPERIMENTAL

#if defined(_WIN32) || defined(TRAWL_HIDE_EXPERIMENTAL)
#define TRAWL_EXPERIMENTAL_API
#elif defined(TRAWL_BUILDING)
#define TRAWL_EXPERIMENTAL_API __attribute__((visibility("default")))
#else
#define TRAWL_EXPERIMENTAL_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A JSON description of the database: header facts, engine, counts by status, partitions,
 * and (when include_rules is nonzero) every rule with its status and reason.
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_NOMEM. Since: 0.1 (trawl.h until 0.2)
 */
TRAWL_EXPERIMENTAL_API trawl_status trawl_db_describe(trawl_buffer** out, const trawl_db* db,
                                                      int32_t include_rules) TRAWL_NOEXCEPT;

/**
 * Runs every rule's `examples` and `negative_examples` through the real scan path and
 * writes a JSON report. `*failures` (may be NULL) receives the number of examples that
 * did not behave.
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_NOMEM. Since: 0.1 (trawl.h until 0.2);
 *         out-parameters first since 0.3
 */
TRAWL_EXPERIMENTAL_API trawl_status trawl_db_check_examples(trawl_buffer** out,
                                                            uint64_t* failures,
                                                            const trawl_db* db) TRAWL_NOEXCEPT;

/**
 * Scans `data` once with profiling on and writes JSON saying where the time went: engine
 * time per partition, and the rules whose span recovery costs most (candidates,
 * confirmations, window), with the planner's explanation of each. For rule authors:
 * `trawl rules profile`.
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_NOMEM. Since: 0.2 (trawl.h until 0.2)
 */
TRAWL_EXPERIMENTAL_API trawl_status trawl_db_profile(trawl_buffer** out, const trawl_db* db,
                                                     const char* data, size_t len,
                                                     uint32_t top_rules) TRAWL_NOEXCEPT;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TRAWL_EXPERIMENTAL */

#endif /* TRAWL_EXPERIMENTAL_H_ */
