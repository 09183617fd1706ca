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

/** How trawl_db_bench measures. Since: 0.3 */
typedef struct trawl_bench_options {
  size_t struct_size;     /**< sizeof(trawl_bench_options) */
  uint32_t threads;       /**< threads of the second measurement (<= 1024); 0: hardware */
  uint32_t repetitions;   /**< loads and timed scans per thread count (median); 0: 5 */
  uint32_t top_rules;     /**< costliest rules listed in the profile */
  double compile_seconds; /**< reported as given (the caller timed the compile) */
} trawl_bench_options;
#define TRAWL_BENCH_OPTIONS_INIT {sizeof(trawl_bench_options), 0, 0, 20, 0.0}

/**
 * What a rule set costs on one input, as JSON (schema `trawl.bench/1`, docs/cli.md,
 * `trawl rules profile`): the database serialized (artifact bytes) and loaded back from
 * memory `repetitions` times (best and median milliseconds); scan throughput with 1
 * thread and with `threads` threads, each thread scanning all of `data` with its own
 * scratch on the shared database, no match caps, median of `repetitions` rounds after a
 * warm-up (aggregate MB/s over wall time, and MB per CPU second per thread); and the
 * profile of one scan (trawl_db_profile's report) under `profile`. `options` may be NULL
 * (TRAWL_BENCH_OPTIONS_INIT).
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_NOMEM. Thread-safety: starts and joins its
 *         own threads; `db` may be shared with other threads meanwhile. Since: 0.3
 */
TRAWL_EXPERIMENTAL_API trawl_status trawl_db_bench(trawl_buffer** out, const trawl_db* db,
                                                   const char* data, size_t len,
                                                   const trawl_bench_options* options)
    TRAWL_NOEXCEPT;

/* ===================================================================================== */
/* Packages made of several inputs (`trawl analyze PATH...`)                             */
/* ===================================================================================== */

/** One input of trawl_package_analyze_inputs: a file or directory on disk, or bytes in
 * memory (stdin). Borrowed for the duration of the call. Since: 0.3 */
typedef struct trawl_input {
  size_t struct_size; /**< sizeof(trawl_input) */
  const char* path;   /**< a file or a directory; NULL: data/len is the input */
  const char* data;   /**< the input's bytes when path is NULL */
  size_t len;
  const char* name; /**< display name; NULL: the path ("stdin" for bytes) */
} trawl_input;
#define TRAWL_INPUT_INIT {sizeof(trawl_input), NULL, NULL, 0, NULL}

/** trawl_package_analyze_inputs flags. */
#define TRAWL_INPUTS_NO_IGNORE 1u /**< walk directories without git's ignore rules */

/** What a report says, for a caller that decides an exit status (a CI gate) without
 * parsing the rendered report. Since: 0.3 */
typedef struct trawl_report_summary {
  size_t struct_size; /**< sizeof(trawl_report_summary) */
  int32_t complete;   /**< 1 when every component was analysed in full */
  /** Active (not suppressed) findings by severity: [0] info ... [4] critical. */
  uint64_t active_by_severity[5];
  uint64_t suppressed; /**< findings suppressed (allow-list, baseline, policy, inline) */
  uint64_t components; /**< components in the manifest, the package root included */
} trawl_report_summary;
#define TRAWL_REPORT_SUMMARY_INIT {sizeof(trawl_report_summary), 0, {0, 0, 0, 0, 0}, 0, 0}

/**
 * Analyses one package made of `count` inputs (`inputs[i]` points at one; an array of
 * pointers, so a newer, longer trawl_input stays compatible), as trawl_package_analyze_file does one
 * file. One input that is a file is exactly trawl_package_analyze_file (the same report
 * bytes). Otherwise the package is a container of format "inputs" whose children are the
 * inputs (docs/manifest.md): directories are walked without following symbolic links
 * (a link is recorded, never read), inside a git work tree the paths git ignores are left
 * out and counted (unless TRAWL_INPUTS_NO_IGNORE), and archives among the inputs are
 * opened as any archive is. `summary` (may be NULL; struct_size set by the caller) receives
 * the report's counts.
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_IO (an input cannot be examined; the message
 *         carries the OS error), TRAWL_E_PARSE (an option file), TRAWL_E_UNSUPPORTED
 *         (format), TRAWL_E_NOMEM.
 * Thread-safety: as trawl_package_analyze_file. Since: 0.3
 */
TRAWL_EXPERIMENTAL_API trawl_status trawl_package_analyze_inputs(
    trawl_buffer** out, trawl_report_summary* summary, const trawl_db* db,
    const trawl_input* const* inputs, size_t count, uint32_t flags, const trawl_options* options,
    int32_t format, trawl_error* err) TRAWL_NOEXCEPT;

/**
 * trawl_git_analyze (trawl.h) with the report's counts in `summary` (may be NULL;
 * struct_size set by the caller), for a CI gate or pre-commit hook on a repository.
 * @return as trawl_git_analyze. Thread-safety: as trawl_git_analyze. Since: 0.3
 */
TRAWL_EXPERIMENTAL_API trawl_status trawl_git_analyze_summary(
    trawl_buffer** out, trawl_report_summary* summary, const trawl_db* db,
    const char* repository, const trawl_options* options, int32_t format,
    trawl_error* err) TRAWL_NOEXCEPT;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TRAWL_EXPERIMENTAL */

#endif /* TRAWL_EXPERIMENTAL_H_ */
