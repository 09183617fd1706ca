/*
 * trawl.h — the whole stable C ABI of trawl. If it is not in this file, it is not API
 * (trawl_experimental.h holds the calls that may still change).
 *
 * Conventions (read these first):
 *  1. Names are trawl_<noun>_<verb>: the noun is the object or document the call works on
 *     (options, rules, db, scratch, stream, package, git, manifest, component, report,
 *     policy, buffer), the verb what it does. A _file suffix reads a path instead of
 *     (data, len). trawl_scan, the hot path, is the one call without a noun.
 *  2. Objects are opaque handles made by trawl_<noun>_new (or _compile, _load) and released
 *     by trawl_<noun>_free. Every _free accepts NULL and does nothing.
 *  3. Fallible functions return trawl_status: TRAWL_OK (0) on success, a negative TRAWL_E_*
 *     code on failure, or the positive TRAWL_STOPPED when a callback asked to stop. Codes
 *     never change meaning. trawl_status_str() names any code.
 *  4. Out-parameters come first and are named `out`; on failure *out is set to NULL.
 *  5. Calls that read definitions, packages or documents take an optional caller-owned
 *     trawl_error* last; pass NULL to ignore details. Nothing is allocated on the error
 *     path.
 *  6. Byte strings are (const char* data, size_t len): no NUL terminator needed, any bytes.
 *     Inputs are borrowed for the duration of the call; trawl copies what it keeps.
 *  7. Pointers returned by value (rule ids, match data) are borrowed: they live until the
 *     object they came from is freed, or (for matches) until the callback returns.
 *     Memory trawl allocates is freed only by trawl_*_free, never by free().
 *  8. Threads: a trawl_db is immutable and may be shared by any number of threads. A
 *     trawl_scratch or trawl_stream belongs to one thread at a time; concurrent use is
 *     detected on a best-effort basis and returns TRAWL_E_BUSY. Calls that take only
 *     const handles and documents are reentrant.
 *  9. Callbacks must not throw, longjmp, or re-enter trawl with the same scratch. A nonzero
 *     return stops the work and the call returns TRAWL_STOPPED. No exception ever leaves
 *     trawl: every function is noexcept, and running out of memory is TRAWL_E_NOMEM.
 * 10. Transparent structs start with `size_t struct_size`; initialise them with their
 *     TRAWL_*_INIT macro. Fields are only ever appended.
 * 11. No global state: there is no init function, and no process-wide setting.
 */
#ifndef TRAWL_H_
#define TRAWL_H_

#include <stddef.h>
#include <stdint.h>

#include "trawl/trawl_version.h"

#if defined(_WIN32)
#define TRAWL_API
#elif defined(TRAWL_BUILDING)
#define TRAWL_API __attribute__((visibility("default")))
#else
#define TRAWL_API
#endif

/* C++ callers see the promise that no exception leaves trawl. */
#ifdef __cplusplus
#define TRAWL_NOEXCEPT noexcept
#else
#define TRAWL_NOEXCEPT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ===================================================================================== */
/* Version                                                                               */
/* ===================================================================================== */

/** @return the runtime library version as MMmmpp; compare with TRAWL_VERSION_NUMBER.
 * Since: 0.1 */
TRAWL_API uint32_t trawl_version_number(void) TRAWL_NOEXCEPT;
/** @return the runtime library version, e.g. "0.3.0" (static storage). Since: 0.1 */
TRAWL_API const char* trawl_version_string(void) TRAWL_NOEXCEPT;
/**
 * Build facts: the pattern engine's name ("hyperscan" or "vectorscan") and version, the
 * SIMD features selected at run time, PCRE2's version, and the engine known-answer test
 * result (docs/matching.md). Thread-safe.
 * @return a JSON object, static storage, NUL-terminated ("{}" if it could not be built).
 * Since: 0.1
 */
TRAWL_API const char* trawl_build_info(void) TRAWL_NOEXCEPT;

/* ===================================================================================== */
/* Errors                                                                                */
/* ===================================================================================== */

typedef int32_t trawl_status;

#define TRAWL_OK 0
/** A callback returned nonzero; work stopped early. Not an error. */
#define TRAWL_STOPPED 1
/** An argument is invalid: NULL where a handle is required, a bad length, a bad value. */
#define TRAWL_E_INVALID (-1)
#define TRAWL_E_NOMEM (-2)
/** A bug in trawl (an unexpected exception or state). Please report it. */
#define TRAWL_E_INTERNAL (-3)
/** An unknown option key or report format, or a feature this build lacks. */
#define TRAWL_E_UNSUPPORTED (-4)
/** A file could not be read or written. */
#define TRAWL_E_IO (-5)
/** Input that should be JSON, definitions or a document could not be parsed. */
#define TRAWL_E_PARSE (-6)
/** Pattern compilation failed as a whole (individual bad patterns are reported, not fatal). */
#define TRAWL_E_COMPILE (-7)
/** A database artifact is truncated, damaged, or not an artifact. */
#define TRAWL_E_CORRUPT (-8)
/** An artifact from another format or engine version: recompile. */
#define TRAWL_E_VERSION (-9)
/** An artifact compiled for CPU features this machine lacks. */
#define TRAWL_E_PLATFORM (-10)
/** The scratch or stream is in use by another call. */
#define TRAWL_E_BUSY (-11)
/** A scratch used with another database, or content that is not the named component's. */
#define TRAWL_E_MISMATCH (-12)
/** A configured safety limit was exceeded and the work could not continue. */
#define TRAWL_E_LIMIT (-13)
/** A call made in the wrong state (e.g. writing to a finished stream). */
#define TRAWL_E_STATE (-14)
/** A named thing (rule, component) does not exist. */
#define TRAWL_E_NOT_FOUND (-15)

/** @return the static, NUL-terminated name of a status code, e.g. "TRAWL_E_CORRUPT"
 * ("TRAWL_E_UNKNOWN" for a value that is not a code). Since: 0.1 */
TRAWL_API const char* trawl_status_str(trawl_status status) TRAWL_NOEXCEPT;

/** Error details. Caller-owned; no free call. Since: 0.1 */
typedef struct trawl_error {
  size_t struct_size;  /**< sizeof(trawl_error): set by TRAWL_ERROR_INIT */
  trawl_status code;   /**< the status the call returned */
  int64_t index;       /**< failing definition / component / result index, or -1 */
  int64_t offset;      /**< byte offset in the input where the problem is, or -1 */
  char message[256];   /**< NUL-terminated, possibly truncated explanation */
} trawl_error;

#define TRAWL_ERROR_INIT {sizeof(trawl_error), 0, -1, -1, {0}}

/* ===================================================================================== */
/* Buffers: bytes that trawl allocated and hands to the caller                           */
/* ===================================================================================== */

typedef struct trawl_buffer trawl_buffer;
/** @return a borrowed pointer to the bytes (NUL-terminated for convenience; the size
 * excludes it), or NULL for a NULL buffer. Since: 0.1 */
TRAWL_API const char* trawl_buffer_data(const trawl_buffer* buffer) TRAWL_NOEXCEPT;
/** @return the number of bytes, 0 for a NULL buffer. Since: 0.1 */
TRAWL_API size_t trawl_buffer_size(const trawl_buffer* buffer) TRAWL_NOEXCEPT;
/** Frees a buffer; NULL is a no-op. Since: 0.1 */
TRAWL_API void trawl_buffer_free(trawl_buffer* buffer) TRAWL_NOEXCEPT;

/* ===================================================================================== */
/* Options                                                                               */
/* ===================================================================================== */

/** Option keys. Values are pinned forever; unknown keys give TRAWL_E_UNSUPPORTED. */
#define TRAWL_OPT_COMPILE_THREADS 1           /**< int, threads to compile, and to analyse
                                                   a package (intake's among them: 1 is one
                                                   thread), 0 = every CPU the process may
                                                   use: its affinity, its cgroup's CPU
                                                   quota (default 0) */
#define TRAWL_OPT_MAX_WINDOW 2                /**< int, span look-back cap in bytes (8192) */
#define TRAWL_OPT_COMPILE_TARGET 3            /**< int, TRAWL_TARGET_* (default HOST) */
#define TRAWL_OPT_REGEXES_PER_PARTITION 4     /**< int, 0 = automatic */
#define TRAWL_OPT_MAX_MATCHES_PER_RULE 10     /**< int, 0 = unlimited (default 10000) */
#define TRAWL_OPT_MAX_MATCHES 11              /**< int, 0 = unlimited (default 1000000) */
#define TRAWL_OPT_MAX_BYTES 12                /**< int, bytes scanned at most, 0 = unlimited */
/** int, 0 = unlimited. Bounds the whole call it is given to: one scan (trawl_scan, a
 * stream), one component with all its decoded layers (trawl_component_analyze), or one
 * package, intake included (trawl_package_analyze_file, trawl_package_analyze; the
 * components it leaves unanalysed are reported with the reason and the report is
 * incomplete). */
#define TRAWL_OPT_TIME_BUDGET_MS 13
#define TRAWL_OPT_CHUNK_BYTES 14              /**< int, bytes per engine call (8 MiB) */
/** int 0/1: findings carry matched values (default 1). 0: no value, and no confidence
 * reason quoting one, in component results and reports; trawl_report_aggregate with 0
 * also redacts results that were kept with values (since 0.2: it used to copy them). */
#define TRAWL_OPT_INCLUDE_VALUES 15
/** int, 1 = scan planner: cost classes, literal gating, isolated hot patterns (default);
 * 0 = one literal partition and regex chunks (the ungated baseline). Since: 0.2 */
#define TRAWL_OPT_SCAN_PLAN 16

/* String options (trawl_options_set_string). Files are read by the call that uses them,
 * which reports a bad file as TRAWL_E_IO or TRAWL_E_PARSE with details. Since: 0.2 */
/** HMAC key of finding fingerprints (docs/scoring.md): the string's bytes. The default key
 * is public, so fingerprints made with it hide no guessable value; a deployment keeping
 * reports without values sets 32 random bytes of its own, e.g. as 64 hex digits
 * (docs/security.md). */
#define TRAWL_OPT_FINGERPRINT_KEY 20
#define TRAWL_OPT_POLICY_FILE 21       /**< scoring policy JSON, trawl.policy/1 (docs/scoring.md) */
#define TRAWL_OPT_SUPPRESSIONS_FILE 22 /**< allow-list JSON, trawl.suppressions/1 */
#define TRAWL_OPT_BASELINE_FILE 23     /**< trawl.baseline/1 or an earlier trawl.report/1 */
/** directory caching compiled partitions by content digest, so a recompile after a small
 * change rebuilds only what changed; "" = no cache (default). */
#define TRAWL_OPT_COMPILE_CACHE_DIR 24

/* Integer options of package intake (the trawl_package_* calls): carving, which opens
 * archives embedded in a file's bytes (zip, gzip, 7z, xz, bzip2, tar at an offset > 0;
 * docs/manifest.md). A signature a limit keeps from being opened is listed in the
 * manifest's carve_skips. Since: 0.2 */
/** int, carved containers on one path chain; 0 turns carving off (default 2) */
#define TRAWL_OPT_MAX_CARVE_DEPTH 25
/** int, embedded signatures tried in one file, opened or not; 0 = no cap (default 16) */
#define TRAWL_OPT_MAX_CARVES_PER_COMPONENT 26
/** int, bytes at the start of each file searched for signatures; 0 = all (256 MiB) */
#define TRAWL_OPT_MAX_CARVE_SCAN_BYTES 27
/* Integer options of package intake: its safety limits (docs/manifest.md, "Limits").
 * A limit that fires is recorded in the manifest (limit_events, stopped_by), never an error.
 * 0 disables a limit, except TRAWL_OPT_MAX_DEPTH; not recommended for untrusted input.
 * Since: 0.2 */
/** int, bytes decompressed at every nesting level together (default 4 GiB) */
#define TRAWL_OPT_MAX_TOTAL_BYTES 28
/** int, expanded bytes / input bytes, checked past the grace bytes (default 200) */
#define TRAWL_OPT_MAX_EXPANSION_RATIO 29
/** int, expanded bytes before the expansion ratio is checked (default 64 MiB) */
#define TRAWL_OPT_RATIO_GRACE_BYTES 30
/** int, archive entries at every nesting level together (default 100000) */
#define TRAWL_OPT_MAX_ENTRIES 31
/** int 0-64, containers at this depth are not opened; 0 opens none (default 8) */
#define TRAWL_OPT_MAX_DEPTH 32
/** int, bytes of one raw entry name (default 4096) */
#define TRAWL_OPT_MAX_PATH_LENGTH 33
/** int, content bytes kept for one entry; the rest still counts toward the totals (1 GiB) */
#define TRAWL_OPT_MAX_COMPONENT_BYTES 34
/** int 0/1, compile option: rules that name a token shape (their "token" field, docs/tokens.md)
 * are found by the SIMD token pass instead of the engine (1, default), or compiled from
 * their regexes like any other rule (0: the reference implementation). Since: 0.2 */
#define TRAWL_OPT_TOKEN_PASS 35
/** string, analysis option: the region national phone numbers (no '+' or international
 * prefix) are read in, two letters as libphonenumber knows them ("US", "GB", "PH"); findings
 * carry E.164 either way. "" = "US" (default). trawl_options_set_string returns
 * TRAWL_E_INVALID for a region libphonenumber does not know. Since: 0.2 */
#define TRAWL_OPT_DEFAULT_REGION 36
/** int, trawl_package_analyze_file and trawl_package_analyze: bytes of component content
 * held for analysis at once (`trawl analyze --memory-limit`). The workers analyse while
 * intake decompresses; intake waits while the next component would pass this bound.
 * Since 0.3, an entry above the streaming threshold derived from it (1/16 of the bound,
 * 1/64 for one that starts like JSON, at least 1 MiB) is analysed window by window while
 * it is decompressed, never held whole; its result's reason says what that limits (a
 * JSON document: no JSON pointers; docs/plan.md). The findings are the same for every
 * bound. 0 = no bound and no streaming (default 512 MiB). Since: 0.2 */
#define TRAWL_OPT_MAX_INFLIGHT_BYTES 37
/** string, the package's display name in path chains: default, the file's base name, or
 * for a package in memory its id. Does not change component ids. Since: 0.3 */
#define TRAWL_OPT_PACKAGE_NAME 38
/** int, what report renderings list: findings below this severity (0 info .. 4 critical)
 * are left out and counted in the report's notes; the package score and its counts by
 * severity stay whole (0).
 * Since: 0.3 */
#define TRAWL_OPT_MIN_SEVERITY 39
/** string, comma-separated categories a report lists (a category or its first segment:
 * "indicator" selects "indicator/malicious"); others are left out and counted. "" = all.
 * Since: 0.3 */
#define TRAWL_OPT_CATEGORIES 40
/** int, 1: the table report lists info-level findings one by one; 0 (default): it counts
 * them by rule. JSON and SARIF always list them. Since: 0.3 */
#define TRAWL_OPT_LIST_ALL 41

/* Options of the trawl_git_* calls (docs/intake.md, "Git history"). Since: 0.3 */
/** string, one revision whose history alone is scanned ("main", "refs/heads/x", a tag, a
 * commit id); "" = every ref and HEAD (default) */
#define TRAWL_OPT_GIT_BRANCH 42
/** string, commits with an earlier committer time are not scanned: "YYYY-MM-DD" (UTC),
 * RFC 3339, or seconds since the epoch; "" = no bound (default). trawl_options_set_string
 * returns TRAWL_E_INVALID for a value that is none of these. */
#define TRAWL_OPT_GIT_SINCE 43
/** int 0/1: 1 scans the blobs staged in the index that HEAD lacks (a pre-commit hook)
 * instead of history (default 0) */
#define TRAWL_OPT_GIT_STAGED 44
/** string, patterns in .gitignore syntax, one a line, that the directory walk of
 * trawl_package_analyze_inputs leaves out (`trawl analyze --exclude`), relative to each
 * directory input, on top of `.trawlignore` files and whatever TRAWL_INPUTS_NO_IGNORE says;
 * what they leave out is counted in the manifest (docs/intake.md). "" = none (default).
 * Since: 0.3 */
#define TRAWL_OPT_EXCLUDE 45
/** int, bytes: a component at least this large is analysed window by window while intake
 * reads it, never held whole, whatever its format (`trawl analyze --stream-threshold`);
 * its result's reason says what that limits (docs/plan.md, "Streamed components").
 * 0 = derived from TRAWL_OPT_MAX_INFLIGHT_BYTES as described there (default). Since: 0.3 */
#define TRAWL_OPT_STREAM_THRESHOLD_BYTES 46

#define TRAWL_TARGET_HOST 0     /**< this CPU's best instructions; may not load elsewhere */
#define TRAWL_TARGET_PORTABLE 1 /**< any CPU the engine supports */
#define TRAWL_TARGET_AVX2 2
#define TRAWL_TARGET_AVX512 3

/** Configuration for compile, scan and the package calls. Not thread-safe to modify;
 * safe to share read-only. Since: 0.1 */
typedef struct trawl_options trawl_options;

/** Progress callback for long work: stage name, done and total units. May be called from
 * several threads at once. The return value is reserved: return 0. Since: 0.1 */
typedef int (*trawl_progress_cb)(const char* stage, uint64_t done, uint64_t total, void* user_data);

/** Makes options with every default.
 * @return TRAWL_OK, TRAWL_E_INVALID (NULL out), TRAWL_E_NOMEM. Since: 0.1 */
TRAWL_API trawl_status trawl_options_new(trawl_options** out) TRAWL_NOEXCEPT;
/** Frees options; NULL is a no-op. Since: 0.1 */
TRAWL_API void trawl_options_free(trawl_options* options) TRAWL_NOEXCEPT;
/** Sets an integer option.
 * @return TRAWL_OK, TRAWL_E_INVALID (NULL options, or out of bounds),
 *         TRAWL_E_UNSUPPORTED (not an integer option). Since: 0.1 */
TRAWL_API trawl_status trawl_options_set_int(trawl_options* options, int32_t key,
                                             int64_t value) TRAWL_NOEXCEPT;
/** The inclusive bounds of an integer option; `min` or `max` may be NULL.
 * @return TRAWL_OK, TRAWL_E_UNSUPPORTED (not an integer option).
 * Since: 0.1; out-parameters first since 0.3 */
TRAWL_API trawl_status trawl_option_bounds(int64_t* min, int64_t* max,
                                           int32_t key) TRAWL_NOEXCEPT;
/**
 * Sets a string option; `value` is copied, NULL or "" restores the default.
 * @return TRAWL_OK, TRAWL_E_INVALID (NULL options), TRAWL_E_UNSUPPORTED (not a string
 *         option), TRAWL_E_NOMEM. Since: 0.2
 */
TRAWL_API trawl_status trawl_options_set_string(trawl_options* options, int32_t key,
                                                const char* value) TRAWL_NOEXCEPT;
/** Progress reporting for compile (stage "compile") and package analysis (stage
 * "analyze": components done of total). `callback` may be NULL to switch it off.
 * @return TRAWL_OK, TRAWL_E_INVALID (NULL options). Since: 0.1 */
TRAWL_API trawl_status trawl_options_set_progress(trawl_options* options,
                                                  trawl_progress_cb callback,
                                                  void* user_data) TRAWL_NOEXCEPT;

/* ===================================================================================== */
/* Rules: pattern definitions (docs/rules.md)                                            */
/* ===================================================================================== */

/** A set of definitions being loaded. Not thread-safe to modify. Since: 0.1 */
typedef struct trawl_rules trawl_rules;

/** An empty definition set. @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_NOMEM. Since: 0.1 */
TRAWL_API trawl_status trawl_rules_new(trawl_rules** out) TRAWL_NOEXCEPT;
/** Frees a definition set; NULL is a no-op. Since: 0.1 */
TRAWL_API void trawl_rules_free(trawl_rules* rules) TRAWL_NOEXCEPT;
/**
 * Adds the definitions of a JSON, NDJSON or corpus TSV file (optionally .gz). Every
 * problem in the file is recorded (trawl_rules_issue); good definitions are still added.
 * @return TRAWL_OK; TRAWL_E_PARSE if any definition had a problem (err: the first, with
 *         its index and offset), or, with no issue recorded and nothing added, if the file
 *         as a whole does not parse (err: the file and the byte position); TRAWL_E_IO if
 *         the file cannot be read; TRAWL_E_INVALID.
 * Since: 0.1
 */
TRAWL_API trawl_status trawl_rules_add_file(trawl_rules* rules, const char* path,
                                            trawl_error* err) TRAWL_NOEXCEPT;
/** As trawl_rules_add_file, from memory (JSON array or NDJSON). `name` labels issues.
 * @return TRAWL_OK, TRAWL_E_PARSE, TRAWL_E_INVALID. Since: 0.1 */
TRAWL_API trawl_status trawl_rules_add_json(trawl_rules* rules, const char* data, size_t len,
                                            const char* name, trawl_error* err) TRAWL_NOEXCEPT;
/** @return the number of definitions added (0 for NULL). Since: 0.1 */
TRAWL_API size_t trawl_rules_count(const trawl_rules* rules) TRAWL_NOEXCEPT;
/** @return the number of problems recorded (0 for NULL). Since: 0.1 */
TRAWL_API size_t trawl_rules_issue_count(const trawl_rules* rules) TRAWL_NOEXCEPT;
/** Details of the i-th problem into `out`: TRAWL_E_PARSE, index, offset and
 * "file: definition N (id): reason".
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_NOT_FOUND (i out of range).
 * Since: 0.1; out-parameter first since 0.3 */
TRAWL_API trawl_status trawl_rules_issue(trawl_error* out, const trawl_rules* rules,
                                         size_t i) TRAWL_NOEXCEPT;

/**
 * As trawl_rules_add_file, in a named format: "auto" (detected from the content, as
 * trawl_rules_add_file does), "json", "tsv", "gitleaks", "noseyparker", "kingfisher",
 * "yara" or "suricata" ("snort"). Rules in another tool's format are imported
 * (docs/rules.md, "Importing"): each is imported exactly, imported with a stated
 * approximation (trawl_rules_note), or rejected with a reason (an issue with the file,
 * line and rule id); the file's counts are one trawl_import_account. An unrecognized
 * file is one TRAWL_E_PARSE error whose message names the formats trawl reads.
 * `path` and `format` are borrowed. Not thread-safe on one `rules`.
 * @return TRAWL_OK; TRAWL_E_PARSE when some rule was rejected or had a problem (err: the
 *         first; good rules are still added) or the file is in no known format;
 *         TRAWL_E_IO when it cannot be read; TRAWL_E_UNSUPPORTED for an unknown format
 *         name; TRAWL_E_INVALID for NULL arguments. Since: 0.3
 */
TRAWL_API trawl_status trawl_rules_add_file_as(trawl_rules* rules, const char* path,
                                               const char* format,
                                               trawl_error* err) TRAWL_NOEXCEPT;

/** What became of one imported file's rules. Strings are borrowed from the rules and
 * live until they are freed. Since: 0.3 */
typedef struct trawl_import_account {
  size_t struct_size;
  const char* file;
  const char* format;    /**< "gitleaks", "noseyparker", "kingfisher", "yara", "suricata" */
  uint64_t rules;        /**< rules in the file: exact + approximated + rejected */
  uint64_t exact;        /**< imported with the source format's meaning */
  uint64_t approximated; /**< imported with a stated approximation (trawl_rules_note) */
  uint64_t rejected;     /**< not imported; the reason is an issue (trawl_rules_issue) */
  const char* note;      /**< about the file as a whole, or "" */
} trawl_import_account;

#define TRAWL_IMPORT_ACCOUNT_INIT {sizeof(trawl_import_account), 0, 0, 0, 0, 0, 0, 0}

/** Number of imported files (trawl JSON and TSV files have no account). Since: 0.3 */
TRAWL_API size_t trawl_rules_account_count(const trawl_rules* rules) TRAWL_NOEXCEPT;
/**
 * The i-th imported file's account.
 * @return TRAWL_OK, TRAWL_E_INVALID (NULL or a bad struct_size), TRAWL_E_NOT_FOUND (i out
 *         of range). Since: 0.3
 */
TRAWL_API trawl_status trawl_rules_account(trawl_import_account* out, const trawl_rules* rules,
                                           size_t i) TRAWL_NOEXCEPT;
/** Number of approximation notes: one per rule imported with an approximation, and one
 * per id kept under a new name because it repeated. Since: 0.3 */
TRAWL_API size_t trawl_rules_note_count(const trawl_rules* rules) TRAWL_NOEXCEPT;
/**
 * The i-th note, as "file:line: definition N (id): what differs", in out->message
 * (code TRAWL_OK, index and offset as for issues).
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_NOT_FOUND. Since: 0.3
 */
TRAWL_API trawl_status trawl_rules_note(trawl_error* out, const trawl_rules* rules,
                                        size_t i) TRAWL_NOEXCEPT;
/**
 * The rules as a trawl JSON array (docs/rules.md), one definition per line: what
 * `trawl rules import -o` writes; loading it gives the same rules.
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_NOMEM. Since: 0.3
 */
TRAWL_API trawl_status trawl_rules_export_json(trawl_buffer** out,
                                               const trawl_rules* rules) TRAWL_NOEXCEPT;

/* ===================================================================================== */
/* Database: compiled, immutable, shareable across threads                               */
/* ===================================================================================== */

/** A compiled database. Immutable: any number of threads may use one at once. Since: 0.1 */
typedef struct trawl_db trawl_db;

/**
 * Compiles the rules. Bad patterns never fail the compile: each is recorded as rejected
 * with a reason (trawl_db_rule). `options` may be NULL.
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_COMPILE, TRAWL_E_NOMEM, TRAWL_E_IO (the
 *         compile cache directory). Since: 0.1
 */
TRAWL_API trawl_status trawl_db_compile(trawl_db** out, const trawl_rules* rules,
                                        const trawl_options* options,
                                        trawl_error* err) TRAWL_NOEXCEPT;
/**
 * Loads an artifact from memory. Checks magic, format and engine versions, checksum and CPU.
 * @return TRAWL_OK, TRAWL_E_CORRUPT, TRAWL_E_VERSION, TRAWL_E_PLATFORM, TRAWL_E_INVALID,
 *         TRAWL_E_NOMEM. Since: 0.1
 */
TRAWL_API trawl_status trawl_db_load(trawl_db** out, const char* data, size_t len,
                                     trawl_error* err) TRAWL_NOEXCEPT;
/**
 * As trawl_db_load, from a file. The database maps the file read-only and scans from the
 * mapping for its whole life, so loading copies nothing. Replace a loaded artifact by
 * writing a new file and renaming it over the old one, as trawl_db_save_file does;
 * truncating or rewriting it in place is undefined.
 * @return as trawl_db_load, and TRAWL_E_IO when the file cannot be read. Since: 0.1
 */
TRAWL_API trawl_status trawl_db_load_file(trawl_db** out, const char* path,
                                          trawl_error* err) TRAWL_NOEXCEPT;
/** Serializes the database into a new buffer (free with trawl_buffer_free).
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_NOMEM. Since: 0.1 */
TRAWL_API trawl_status trawl_db_serialize(trawl_buffer** out, const trawl_db* db,
                                          trawl_error* err) TRAWL_NOEXCEPT;
/** Writes the artifact to a file atomically (temporary file + rename).
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_IO, TRAWL_E_NOMEM. Since: 0.1 */
TRAWL_API trawl_status trawl_db_save_file(const trawl_db* db, const char* path,
                                          trawl_error* err) TRAWL_NOEXCEPT;
/** Frees a database; NULL is a no-op. Scratches and streams made from it must be freed
 * first. Since: 0.1 */
TRAWL_API void trawl_db_free(trawl_db* db) TRAWL_NOEXCEPT;

/* ===================================================================================== */
/* Threat-indicator feeds (docs/indicators.md)                                           */
/* ===================================================================================== */

/**
 * How a feed file is read when it does not say itself. Transparent and append-only:
 * initialise with TRAWL_FEED_OPTIONS_INIT; NULL pointers and negative numbers mean the
 * defaults. Strings are borrowed for the call. Since: 0.3
 */
typedef struct trawl_feed_options {
  size_t struct_size;
  const char* feed;        /**< feed name; NULL: the feed's own (#feed) or the file name */
  const char* format;      /**< "auto" (NULL), "trawl-tsv", "text", "csv", "stix", "misp" */
  const char* family;      /**< family of entries that name none; NULL: none */
  const char* category;    /**< NULL: "indicator/malicious" */
  int32_t severity;        /**< TRAWL_SEVERITY_*; -1: high */
  double confidence;       /**< 0..1; negative: 0.7 */
  const char* csv_column;  /**< CSV value column, by header name or index; NULL: guessed */
} trawl_feed_options;

#define TRAWL_FEED_OPTIONS_INIT {sizeof(trawl_feed_options), 0, 0, 0, 0, -1, -1.0, 0}

/**
 * Adds a threat-indicator feed (plain text, CSV, STIX 2.1 bundle, MISP JSON or trawl's
 * indicator TSV; optionally .gz or .xz) to the rule set: trawl_db_compile stores its
 * indicators in the database's indicator set, looked up from entity candidates, never in
 * the engine. (trawl_rules_add_file also takes indicator TSV packs.) Entries that are not
 * indicators are recorded as issues (trawl_rules_issue: index = line); good ones are kept.
 * `options` may be NULL. Not thread-safe for one `rules`.
 * @param rules the set to add to (borrowed)
 * @param path the feed file (borrowed)
 * @return TRAWL_OK; TRAWL_E_PARSE when some entries were unsupported (err: the first) or
 *         the feed as a whole cannot be read; TRAWL_E_IO when the file cannot be read;
 *         TRAWL_E_INVALID for NULL arguments or a bad option; TRAWL_E_NOMEM.
 * Since: 0.3
 */
TRAWL_API trawl_status trawl_rules_add_indicator_feed(trawl_rules* rules, const char* path,
                                                      const trawl_feed_options* options,
                                                      trawl_error* err) TRAWL_NOEXCEPT;

/** @return the number of threat indicators the feeds added to `rules` hold (each feed's
 *  distinct values, summed; 0 for NULL). Since: 0.3 */
TRAWL_API uint64_t trawl_rules_indicator_count(const trawl_rules* rules) TRAWL_NOEXCEPT;

/** trawl_db_update_indicators: the feeds join the set. Since: 0.3 */
#define TRAWL_INDICATORS_ADD 0
/** trawl_db_update_indicators: each feed replaces the feed of the same name. Since: 0.3 */
#define TRAWL_INDICATORS_REPLACE 1

/**
 * A new database with `db`'s rules and engine databases and an updated indicator set:
 * seconds for millions of indicators, no rule compilation. Save it with
 * trawl_db_save_file. Thread-safe: `db` is only read.
 * @param out receives the new database (free with trawl_db_free); NULL on failure
 * @param report receives (when not NULL) a JSON document saying what became of every
 *        entry of every feed (loaded, duplicate, unsupported with line and reason) and the
 *        set's feeds afterwards (docs/indicators.md); free with trawl_buffer_free
 * @param db the database to start from (borrowed)
 * @param paths `count` feed files (borrowed)
 * @param mode TRAWL_INDICATORS_ADD or TRAWL_INDICATORS_REPLACE
 * @param options read options for every feed; NULL for the defaults
 * @return TRAWL_OK (some entries may still be unsupported: see the report);
 *         TRAWL_E_IO (a feed cannot be read), TRAWL_E_PARSE (a feed as a whole cannot be
 *         read), TRAWL_E_INVALID (NULL arguments, unknown mode or option), TRAWL_E_NOMEM.
 * Since: 0.3
 */
TRAWL_API trawl_status trawl_db_update_indicators(trawl_db** out, trawl_buffer** report,
                                                  const trawl_db* db, const char* const* paths,
                                                  size_t count, int32_t mode,
                                                  const trawl_feed_options* options,
                                                  trawl_error* err) TRAWL_NOEXCEPT;

/** Number of threat indicators in the database's indicator set (0 when it has none).
 * Since: 0.3 */
TRAWL_API uint64_t trawl_db_indicator_count(const trawl_db* db) TRAWL_NOEXCEPT;

/** Rule status after compilation. */
#define TRAWL_RULE_COMPILED 0    /**< matched by the engine; spans recovered exactly */
#define TRAWL_RULE_PREFILTERED 1 /**< engine finds candidates; PCRE2 confirms each */
#define TRAWL_RULE_REJECTED 2    /**< not scanned; see status_reason */
/** found by the token pass, not the engine (TRAWL_OPT_TOKEN_PASS). Since: 0.2 */
#define TRAWL_RULE_TOKEN 3
/** a composite rule: its patterns' condition is evaluated after the scan. Since: 0.3 */
#define TRAWL_RULE_COMPOSITE 4
/** a composite rule's pattern that is not scanned, only searched where its rule's other
 * patterns matched. Since: 0.3 */
#define TRAWL_RULE_CONFIRM_ONLY 5

#define TRAWL_SEVERITY_INFO 0
#define TRAWL_SEVERITY_LOW 1
#define TRAWL_SEVERITY_MEDIUM 2
#define TRAWL_SEVERITY_HIGH 3
#define TRAWL_SEVERITY_CRITICAL 4

/** One rule's metadata. All strings are borrowed from the database, NUL-terminated.
 * Since: 0.1 */
typedef struct trawl_rule_info {
  size_t struct_size;
  const char* id;
  const char* category;
  const char* description;
  const char* entity;     /**< "" when the rule names no entity type */
  const char* validator;  /**< "" when the rule names no validator */
  const char* status_reason;
  int32_t severity;       /**< TRAWL_SEVERITY_* */
  int32_t status;         /**< TRAWL_RULE_* */
  double confidence;
  uint8_t is_literal;
} trawl_rule_info;

#define TRAWL_RULE_INFO_INIT {sizeof(trawl_rule_info), 0, 0, 0, 0, 0, 0, 0, 0, 0.0, 0}

/** @return the number of rules (0 for NULL); rule indexes are 0 .. count-1. Since: 0.1 */
TRAWL_API size_t trawl_db_rule_count(const trawl_db* db) TRAWL_NOEXCEPT;
/** One rule's metadata into `out` (its struct_size set).
 * @return TRAWL_OK, TRAWL_E_INVALID (NULL), TRAWL_E_NOT_FOUND (index out of range),
 *         TRAWL_E_NOMEM (rules are decoded on first use). Since: 0.1; out-parameter first
 *         since 0.3 */
TRAWL_API trawl_status trawl_db_rule(trawl_rule_info* out, const trawl_db* db,
                                     size_t index) TRAWL_NOEXCEPT;
/**
 * The name of pattern `pattern` of composite rule `rule` (as trawl_match_part.pattern
 * numbers them; "a" for YARA's $a), borrowed from the database.
 * @return the name, or NULL when the rule has no such pattern (or decoding it ran out of
 *         memory). Thread-safe. Since: 0.3
 */
TRAWL_API const char* trawl_db_rule_pattern_name(const trawl_db* db, size_t rule,
                                                 uint32_t pattern) TRAWL_NOEXCEPT;

/* ===================================================================================== */
/* Scratch: per-thread scanning state                                                    */
/* ===================================================================================== */

/** Scanning state for one thread at a time. Since: 0.1 */
typedef struct trawl_scratch trawl_scratch;

/** Scratch for scanning `db` on one thread. The db must outlive the scratch.
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_NOMEM. Since: 0.1 */
TRAWL_API trawl_status trawl_scratch_new(trawl_scratch** out, const trawl_db* db) TRAWL_NOEXCEPT;
/** A new scratch for the same database, for another thread.
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_NOMEM. Since: 0.1 */
TRAWL_API trawl_status trawl_scratch_clone(trawl_scratch** out,
                                           const trawl_scratch* scratch) TRAWL_NOEXCEPT;
/** Frees a scratch; NULL is a no-op. Since: 0.1 */
TRAWL_API void trawl_scratch_free(trawl_scratch* scratch) TRAWL_NOEXCEPT;

/* ===================================================================================== */
/* Scan                                                                                  */
/* ===================================================================================== */

/** One occurrence of a composite rule's pattern that belongs to its match. Since: 0.3 */
typedef struct trawl_match_part {
  uint32_t pattern;  /**< the pattern's number in its rule (trawl_db_rule_pattern_name) */
  uint32_t reserved; /**< 0 */
  uint64_t start;    /**< absolute byte offsets in the input, [start, end) */
  uint64_t end;
} trawl_match_part;

/** trawl_match.flags: PCRE2 hit its backtracking limit recovering this span, and RE2
 * (linear time) recovered it instead. Since: 0.3 */
#define TRAWL_MATCH_SPAN_RE2 0x1u

/** One match. Callee-owned; valid only during the callback. Fields are only appended.
 * Since: 0.1 */
typedef struct trawl_match {
  size_t struct_size;
  uint32_t rule_index;      /**< index for trawl_db_rule */
  uint32_t flags;           /**< TRAWL_MATCH_* bits (0 before 0.3) */
  /** absolute byte offsets in the input, [start, end): the span the rule reports (for a
   * rule imported from gitleaks, the secret; for a composite rule, the occurrences that
   * made it hold, or its report pattern's occurrence) */
  uint64_t start;
  uint64_t end;
  /** the matched bytes (end - start of them); NULL for a composite match a stream no
   * longer holds the bytes of */
  const char* data;
  uint32_t capture_count;   /**< capture groups 1..n */
  const int64_t* captures;  /**< 2 * capture_count absolute offsets; -1 for unset groups */
  /** composite rules: the occurrences of its patterns in the match (at most 64 per
   * pattern); 0 and NULL otherwise. Since: 0.3 */
  uint32_t part_count;
  const trawl_match_part* parts;
} trawl_match;

/** Called once per match; nonzero stops the scan (TRAWL_STOPPED). Since: 0.1 */
typedef int (*trawl_match_cb)(const trawl_match* match, void* user_data);

/** Why a scan's results are incomplete (bits of trawl_scan_result.truncation). */
#define TRAWL_TRUNC_RULE_MATCH_CAP 0x1u /**< some rule hit its cap; others continued */
#define TRAWL_TRUNC_MATCH_CAP 0x2u      /**< the total cap was reached; the scan stopped */
#define TRAWL_TRUNC_BYTE_BUDGET 0x4u    /**< the byte budget was reached */
#define TRAWL_TRUNC_TIME_BUDGET 0x8u    /**< the time budget was spent */
/** PCRE2 hit its backtracking limit on a candidate; after 16 such candidates a rule is
 * given up for the rest of the scan (docs/matching.md) */
#define TRAWL_TRUNC_CONFIRM_LIMIT 0x10u
#define TRAWL_TRUNC_STOPPED 0x20u       /**< the callback asked to stop */
/** The engine found a match PCRE2 could not place (its start lies before the context a
 * stream keeps, or the two disagree on the pattern), or a composite rule needed bytes a
 * stream let go (a confirm-only pattern's search, a line's start, a filter's bytes);
 * never silently dropped. */
#define TRAWL_TRUNC_UNPLACED 0x40u
/** A component analysed in windows had its composite rules evaluated within each window
 * and its context only: a rule whose patterns lie further apart was not looked for.
 * Since: 0.3 */
#define TRAWL_TRUNC_WINDOWED_COMPOSITES 0x80u

/** What a scan did. Since: 0.1 */
typedef struct trawl_scan_result {
  size_t struct_size;
  uint64_t bytes_scanned;
  uint64_t matches;
  uint64_t confirm_errors;  /**< candidates PCRE2 could not decide within its limits */
  uint32_t truncation;      /**< TRAWL_TRUNC_* bits; 0 when complete */
  uint32_t reserved;
} trawl_scan_result;

#define TRAWL_SCAN_RESULT_INIT {sizeof(trawl_scan_result), 0, 0, 0, 0, 0}

/**
 * Scans one buffer of any size. Matches arrive in order of start offset within each
 * internal chunk (docs/matching.md). `options` (limits) and `result` may be NULL;
 * `callback` may be NULL to only count.
 * @return TRAWL_OK, TRAWL_STOPPED, TRAWL_E_INVALID, TRAWL_E_MISMATCH, TRAWL_E_BUSY,
 *         TRAWL_E_NOMEM. Since: 0.1
 */
TRAWL_API trawl_status trawl_scan(const trawl_db* db, trawl_scratch* scratch, const char* data,
                                  size_t len, const trawl_options* options,
                                  trawl_match_cb callback, void* user_data,
                                  trawl_scan_result* result) TRAWL_NOEXCEPT;

/** A streaming scan: constant memory, matches across write boundaries are found. One
 * thread at a time. Since: 0.1 */
typedef struct trawl_stream trawl_stream;

/** Opens a stream over `db` (which must outlive it). `options` may be NULL.
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_NOMEM. Since: 0.1 */
TRAWL_API trawl_status trawl_stream_new(trawl_stream** out, const trawl_db* db,
                                        const trawl_options* options) TRAWL_NOEXCEPT;
/** Feeds bytes; matches whose context is complete are delivered now. `data` is borrowed
 * for the call only. Any write sizes give the same matches in the same order. Windows
 * (TRAWL_OPT_CHUNK_BYTES) that lie inside one write are scanned in place, those that span
 * writes are copied first: writing a whole mapped file at once copies only its last one.
 * @return TRAWL_OK, TRAWL_STOPPED, TRAWL_E_INVALID, TRAWL_E_STATE (finished),
 *         TRAWL_E_BUSY, TRAWL_E_NOMEM. Since: 0.1 */
TRAWL_API trawl_status trawl_stream_write(trawl_stream* stream, const char* data, size_t len,
                                          trawl_match_cb callback,
                                          void* user_data) TRAWL_NOEXCEPT;
/** Ends the input, delivers the remaining matches. Further writes give TRAWL_E_STATE.
 * @return as trawl_stream_write. Since: 0.1 */
TRAWL_API trawl_status trawl_stream_finish(trawl_stream* stream, trawl_match_cb callback,
                                           void* user_data,
                                           trawl_scan_result* result) TRAWL_NOEXCEPT;
/** Frees a stream; NULL is a no-op. Since: 0.1 */
TRAWL_API void trawl_stream_free(trawl_stream* stream) TRAWL_NOEXCEPT;

/* ===================================================================================== */
/* Packages: decomposition, classification and the whole pipeline in one call            */
/* ===================================================================================== */

/*
 * Each call exists twice: for a package in memory (data, len) and for a package file
 * (_file: streamed from disk, never held in memory whole). The same bytes give the same
 * package id, component ids and documents either way; only the package's display name
 * differs (TRAWL_OPT_PACKAGE_NAME, by default the file's base name or the package id).
 */

/**
 * Decomposes a package into components (nested archives opened, safety limits applied)
 * and returns the manifest as JSON (docs/manifest.md). Every entry is accounted for;
 * malformed, encrypted or oversized entries are recorded with a status, not an error.
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_NOMEM. Since: 0.3
 */
TRAWL_API trawl_status trawl_package_decompose(trawl_buffer** out, const char* data, size_t len,
                                               const trawl_options* options,
                                               trawl_error* err) TRAWL_NOEXCEPT;
/** As trawl_package_decompose, for a package file.
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_IO (the file cannot be read), TRAWL_E_NOMEM.
 * Since: 0.3 (0.1 as trawl_decompose_file) */
TRAWL_API trawl_status trawl_package_decompose_file(trawl_buffer** out, const char* path,
                                                    const trawl_options* options,
                                                    trawl_error* err) TRAWL_NOEXCEPT;
/**
 * As trawl_package_decompose_file, and also writes each unique component's content to
 * `directory`/<component id> and the manifest to `directory`/manifest.json. Entry names
 * from the archive are never used as file names. The directory must exist.
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_IO, TRAWL_E_NOMEM.
 * Since: 0.3 (0.1 as trawl_decompose_to_directory)
 */
TRAWL_API trawl_status trawl_package_decompose_to_directory(trawl_buffer** out,
                                                            const char* path,
                                                            const char* directory,
                                                            const trawl_options* options,
                                                            trawl_error* err) TRAWL_NOEXCEPT;

/**
 * Decomposes a package and plans every component: analysis steps, light/heavy tier and
 * the cost estimate behind it (docs/plan.md). `db` may be NULL (plans then name only the
 * default chain). Returns JSON {"schema":"trawl.plans/1", "package":…, "plans":[…]}.
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_NOMEM. Since: 0.3
 */
TRAWL_API trawl_status trawl_package_classify(trawl_buffer** out, const trawl_db* db,
                                              const char* data, size_t len,
                                              const trawl_options* options,
                                              trawl_error* err) TRAWL_NOEXCEPT;
/** As trawl_package_classify, for a package file; TRAWL_E_IO when it cannot be read.
 * Since: 0.3 (0.1 as trawl_classify_file) */
TRAWL_API trawl_status trawl_package_classify_file(trawl_buffer** out, const trawl_db* db,
                                                   const char* path,
                                                   const trawl_options* options,
                                                   trawl_error* err) TRAWL_NOEXCEPT;

#define TRAWL_REPORT_JSON 0  /**< the package report as JSON (schema trawl.report/1) */
#define TRAWL_REPORT_TABLE 1 /**< a readable table */
#define TRAWL_REPORT_SARIF 2 /**< SARIF 2.1.0, for code-scanning tools. Since: 0.2 */

/**
 * Analyses a whole package: decomposition, per-component analysis on all cores (the steps
 * of each component's plan: patterns, entity validation, structural locations),
 * correlation of identical findings across components, scoring under the policy,
 * suppression, ranking. `format` is TRAWL_REPORT_*. `options` may be NULL; its progress
 * callback hears stage "analyze".
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_IO (an option file cannot be read),
 *         TRAWL_E_PARSE (an option file), TRAWL_E_UNSUPPORTED (format), TRAWL_E_NOMEM.
 * Since: 0.3
 */
TRAWL_API trawl_status trawl_package_analyze(trawl_buffer** out, const trawl_db* db,
                                             const char* data, size_t len,
                                             const trawl_options* options, int32_t format,
                                             trawl_error* err) TRAWL_NOEXCEPT;
/** As trawl_package_analyze, for a package file; TRAWL_E_IO also when it cannot be read.
 * Since: 0.3 (0.1 as trawl_analyze_package_file) */
TRAWL_API trawl_status trawl_package_analyze_file(trawl_buffer** out, const trawl_db* db,
                                                  const char* path,
                                                  const trawl_options* options, int32_t format,
                                                  trawl_error* err) TRAWL_NOEXCEPT;

/* ===================================================================================== */
/* Git repositories: the history as a package, one component per blob                    */
/* ===================================================================================== */

/*
 * A git repository's history is a package like any other: its manifest lists one
 * component per blob reachable from the refs (read once however many commits hold it),
 * each with the commits that introduced it ("git" in the manifest: commit, path, author,
 * date; the first is the earliest), and the stage calls below take its manifest and
 * components as they take an archive's. `repository` is a work tree or a bare repository,
 * opened as given (never searched upward); it is only read. TRAWL_OPT_GIT_BRANCH,
 * TRAWL_OPT_GIT_SINCE and TRAWL_OPT_GIT_STAGED choose what is scanned; the intake limits
 * (TRAWL_OPT_MAX_ENTRIES: blobs, TRAWL_OPT_MAX_TOTAL_BYTES, TRAWL_OPT_MAX_COMPONENT_BYTES)
 * bound it, and what they leave unread is listed with status limit_exceeded.
 * Errors common to these calls: TRAWL_E_IO (not a repository, or it cannot be opened),
 * TRAWL_E_NOT_FOUND (TRAWL_OPT_GIT_BRANCH names no commit), TRAWL_E_STATE (staged on a
 * bare repository), TRAWL_E_CORRUPT (a commit or tree cannot be read; a blob that cannot be
 * read is a corrupt component instead). Reentrant.
 */

/**
 * Decomposes a repository's history (or its index) into a manifest, as JSON.
 * @param out receives the manifest (trawl.manifest/1); owned, free with trawl_buffer_free.
 * @param repository the repository's path, NUL-terminated; borrowed.
 * @param options may be NULL.
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_IO, TRAWL_E_NOT_FOUND, TRAWL_E_STATE,
 *         TRAWL_E_CORRUPT, TRAWL_E_NOMEM. Since: 0.3
 */
TRAWL_API trawl_status trawl_git_decompose(trawl_buffer** out, const char* repository,
                                           const trawl_options* options,
                                           trawl_error* err) TRAWL_NOEXCEPT;
/**
 * As trawl_git_decompose, and also writes each blob's content to `directory`/<component
 * id> and the manifest to `directory`/manifest.json: stage 1 of a distributed pipeline.
 * The directory must exist.
 * @return as trawl_git_decompose. Since: 0.3
 */
TRAWL_API trawl_status trawl_git_decompose_to_directory(trawl_buffer** out,
                                                        const char* repository,
                                                        const char* directory,
                                                        const trawl_options* options,
                                                        trawl_error* err) TRAWL_NOEXCEPT;
/**
 * As trawl_package_classify_file, for a repository's history. `db` may be NULL.
 * @return as trawl_git_decompose. Since: 0.3
 */
TRAWL_API trawl_status trawl_git_classify(trawl_buffer** out, const trawl_db* db,
                                          const char* repository, const trawl_options* options,
                                          trawl_error* err) TRAWL_NOEXCEPT;
/**
 * As trawl_package_analyze_file, for a repository's history: each finding's locations
 * name the blob's component, and the report gives the commit, author, date and path that
 * introduced it (JSON "git"; SARIF the path relative to %SRCROOT% and the commit in the
 * result's properties).
 * @return as trawl_git_decompose, and TRAWL_E_UNSUPPORTED (format), TRAWL_E_PARSE (an
 *         option file). Since: 0.3
 */
TRAWL_API trawl_status trawl_git_analyze(trawl_buffer** out, const trawl_db* db,
                                         const char* repository, const trawl_options* options,
                                         int32_t format, trawl_error* err) TRAWL_NOEXCEPT;

/* ===================================================================================== */
/* Stage by stage: each call is one stage of a distributed pipeline (docs/stages.md)     */
/* ===================================================================================== */

/*
 * Stage 1 is trawl_package_decompose_to_directory (the manifest plus one file per
 * component). Every document below is versioned JSON; the report that
 * trawl_report_aggregate builds from the stages' outputs is byte-identical to
 * trawl_package_analyze_file's for the same package, database and options.
 */

/**
 * The components of a manifest that need a component result for the package to be
 * complete: {"schema":"trawl.work/1","package_id":…,"components":[{"id","path","size",
 * "sha256"},…]}.
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_PARSE (not a trawl.manifest/1 document),
 *         TRAWL_E_NOMEM. Since: 0.2
 */
TRAWL_API trawl_status trawl_manifest_work(trawl_buffer** out, const char* manifest,
                                           size_t manifest_len, trawl_error* err) TRAWL_NOEXCEPT;

/**
 * Stage 2: plans one component (trawl.plan/1: steps, "light" or "heavy" tier, cost
 * estimate). Stage 3 runs exactly these steps (docs/plan.md). `content` must be the
 * component's bytes: its size and SHA-256 are checked against the manifest. `db` may be
 * NULL.
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_PARSE (manifest), TRAWL_E_NOT_FOUND (no such
 *         component), TRAWL_E_STATE (the component needs no analysis: a container,
 *         duplicate or unread entry), TRAWL_E_MISMATCH (content differs from the
 *         manifest), TRAWL_E_NOMEM. Since: 0.3 (0.2 as trawl_plan_component)
 */
TRAWL_API trawl_status trawl_component_plan(trawl_buffer** out, const trawl_db* db,
                                            const char* manifest, size_t manifest_len,
                                            const char* component_id, const char* content,
                                            size_t content_len, const trawl_options* options,
                                            trawl_error* err) TRAWL_NOEXCEPT;

/**
 * Stage 3: analyses one component: runs the steps of its plan (made as stage 2 makes it)
 * and returns trawl.component_result/1 with its findings, exact locations, the steps that
 * ran, and accounting. A failure inside the analysis is a "skipped" result with the
 * reason, not an error.
 * @return as trawl_component_plan. Since: 0.3 (0.2 as trawl_analyze_component)
 */
TRAWL_API trawl_status trawl_component_analyze(trawl_buffer** out, const trawl_db* db,
                                               const char* manifest, size_t manifest_len,
                                               const char* component_id, const char* content,
                                               size_t content_len, const trawl_options* options,
                                               trawl_error* err) TRAWL_NOEXCEPT;

/**
 * Stage 4: the package report from the manifest and the component results, in any order
 * and with duplicates (an at-least-once queue may deliver twice). A component whose
 * result is absent is reported "missing" and the report says incomplete; results of
 * another package or for unknown components are ignored and noted. `results[i]` holds
 * `result_lens[i]` bytes. `format` is TRAWL_REPORT_*.
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_UNSUPPORTED (format), TRAWL_E_PARSE (the
 *         manifest, a result, or an option file; err->index names the result),
 *         TRAWL_E_IO (an option file cannot be read), TRAWL_E_NOMEM.
 * Since: 0.3 (0.2 as trawl_aggregate)
 */
TRAWL_API trawl_status trawl_report_aggregate(trawl_buffer** out, const char* manifest,
                                              size_t manifest_len, const char* const* results,
                                              const size_t* result_lens, size_t result_count,
                                              const trawl_options* options, int32_t format,
                                              trawl_error* err) TRAWL_NOEXCEPT;

/** The default scoring policy as JSON (trawl.policy/1, docs/scoring.md): a starting point
 * for a policy file.
 * @return TRAWL_OK, TRAWL_E_INVALID, TRAWL_E_NOMEM. Since: 0.3 (0.2 as
 *         trawl_default_policy) */
TRAWL_API trawl_status trawl_policy_default(trawl_buffer** out) TRAWL_NOEXCEPT;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TRAWL_H_ */
