/* Walks every lifecycle and error path of the C API, compiled as C. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trawl/trawl.h"
#define TRAWL_EXPERIMENTAL
#include "trawl/trawl_experimental.h"

static int g_passed = 0;
static int g_failed = 0;

#define CHECK(cond)                                                      \
  do {                                                                   \
    if (cond) {                                                          \
      g_passed++;                                                        \
    } else {                                                             \
      g_failed++;                                                        \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                    \
  } while (0)

static const char kRules[] =
    "[{\"id\": \"kv\", \"regex\": \"key=([a-z]+)\", \"severity\": \"high\","
    "  \"examples\": [\"key=abc\"], \"negative_examples\": [\"key=123\"]},"
    " {\"id\": \"lit\", \"literal\": \"needle\"},"
    " {\"id\": \"bad\", \"regex\": \"a*\"}]";

struct collected {
  int count;
  uint64_t starts[16];
  int64_t capture_start;
  int stop_after;
};

static int collect(const trawl_match* m, void* user_data) {
  struct collected* c = (struct collected*)user_data;
  if (c->count < 16) c->starts[c->count] = m->start;
  if (m->capture_count == 1) c->capture_start = m->captures[0];
  c->count++;
  return c->stop_after > 0 && c->count >= c->stop_after;
}

static trawl_db* compile_sample(void) {
  trawl_rules* rules = NULL;
  trawl_db* db = NULL;
  trawl_error err = TRAWL_ERROR_INIT;
  CHECK(trawl_rules_new(&rules) == TRAWL_OK);
  CHECK(trawl_rules_add_json(rules, kRules, strlen(kRules), "inline", &err) == TRAWL_OK);
  CHECK(trawl_rules_count(rules) == 3);
  CHECK(trawl_db_compile(&db, rules, NULL, &err) == TRAWL_OK);
  trawl_rules_free(rules);
  return db;
}

static void test_version_and_status(void) {
  CHECK(trawl_version_number() == TRAWL_VERSION_NUMBER);
  CHECK(strcmp(trawl_version_string(), TRAWL_VERSION_STRING) == 0);
  CHECK(strstr(trawl_build_info(), "\"engine\"") != NULL);
  CHECK(strstr(trawl_build_info(), "\"known_answer_test\"") != NULL);
  CHECK(strcmp(trawl_status_str(TRAWL_E_CORRUPT), "TRAWL_E_CORRUPT") == 0);
  CHECK(strcmp(trawl_status_str(12345), "TRAWL_E_UNKNOWN") == 0);
  CHECK(TRAWL_VERSION_CHECK(0, 0, 1));
}

static void test_null_handles(void) {
  trawl_db* db = (trawl_db*)1;
  trawl_rules* rules = NULL;
  trawl_scratch* scratch = (trawl_scratch*)1;
  trawl_error err = TRAWL_ERROR_INIT;
  /* _free(NULL) is a no-op everywhere. */
  trawl_db_free(NULL);
  trawl_rules_free(NULL);
  trawl_scratch_free(NULL);
  trawl_options_free(NULL);
  trawl_buffer_free(NULL);
  trawl_stream_free(NULL);
  CHECK(trawl_rules_new(NULL) == TRAWL_E_INVALID);
  CHECK(trawl_db_compile(&db, NULL, NULL, &err) == TRAWL_E_INVALID);
  CHECK(db == NULL);
  CHECK(err.code == TRAWL_E_INVALID);
  CHECK(trawl_db_compile(NULL, rules, NULL, NULL) == TRAWL_E_INVALID);
  CHECK(trawl_scratch_new(&scratch, NULL) == TRAWL_E_INVALID);
  CHECK(scratch == NULL);
  CHECK(trawl_scan(NULL, NULL, "x", 1, NULL, NULL, NULL, NULL) == TRAWL_E_INVALID);
  CHECK(trawl_db_rule_count(NULL) == 0);
  CHECK(trawl_rules_count(NULL) == 0);
  CHECK(trawl_rules_add_file(NULL, "x", NULL) == TRAWL_E_INVALID);
  CHECK(trawl_db_load(&db, NULL, 5, NULL) == TRAWL_E_INVALID);
  CHECK(trawl_buffer_data(NULL) == NULL);
  CHECK(trawl_stream_write(NULL, "x", 1, NULL, NULL) == TRAWL_E_INVALID);
  {
    trawl_buffer* buffer = (trawl_buffer*)1;
    CHECK(trawl_package_decompose_file(NULL, "x", NULL, NULL) == TRAWL_E_INVALID);
    CHECK(trawl_package_decompose_to_directory(&buffer, "x", NULL, NULL, &err) == TRAWL_E_INVALID);
    CHECK(buffer == NULL);
    CHECK(trawl_package_decompose_file(&buffer, "/nonexistent/package.tar.gz", NULL, &err) ==
          TRAWL_E_IO);
    CHECK(trawl_package_decompose(&buffer, NULL, 3, NULL, &err) == TRAWL_E_INVALID);
    CHECK(trawl_package_classify(&buffer, NULL, NULL, 3, NULL, &err) == TRAWL_E_INVALID);
    CHECK(trawl_package_analyze(&buffer, NULL, "x", 1, NULL, TRAWL_REPORT_JSON, &err) ==
          TRAWL_E_INVALID);
    CHECK(buffer == NULL);
    CHECK(trawl_package_analyze_file(&buffer, NULL, "x", NULL, TRAWL_REPORT_JSON, &err) ==
          TRAWL_E_INVALID);
  }
}

static void test_rules_errors(void) {
  trawl_rules* rules = NULL;
  trawl_error err = TRAWL_ERROR_INIT;
  static const char bad[] = "[{\"id\":\"a\",\"regex\":\"x\"},{\"id\":\"a\",\"regex\":\"y\"},"
                            "{\"id\":\"b\"}]";
  CHECK(trawl_rules_new(&rules) == TRAWL_OK);
  CHECK(trawl_rules_add_json(rules, bad, strlen(bad), "bad.json", &err) == TRAWL_E_PARSE);
  CHECK(err.code == TRAWL_E_PARSE);
  CHECK(err.index == 2);
  CHECK(strstr(err.message, "bad.json") != NULL);
  CHECK(trawl_rules_count(rules) == 1);
  CHECK(trawl_rules_issue_count(rules) == 2);
  trawl_error issue = TRAWL_ERROR_INIT;
  CHECK(trawl_rules_issue(&issue, rules, 1) == TRAWL_OK);
  CHECK(strstr(issue.message, "duplicate id") != NULL);
  CHECK(issue.index == 1); /* the repeat's position in bad.json */
  CHECK(trawl_rules_issue(&issue, rules, 2) == TRAWL_E_NOT_FOUND);
  {
    /* Entity fields are checked after parsing; the issue still has the position. */
    static const char unknown[] = "[{\"id\":\"c\",\"regex\":\"x\"},"
                                  "{\"id\":\"d\",\"regex\":\"y\",\"validator\":\"nope\"}]";
    CHECK(trawl_rules_add_json(rules, unknown, strlen(unknown), "v.json", &err) == TRAWL_E_PARSE);
    CHECK(err.index == 1);
    CHECK(strstr(err.message, "v.json") != NULL);
  }
  CHECK(trawl_rules_add_json(rules, "[{", 2, "broken.json", &err) == TRAWL_E_PARSE);
  CHECK(trawl_rules_add_file(rules, "/nonexistent/rules.json", &err) == TRAWL_E_IO);
  /* A NULL error pointer is fine. */
  CHECK(trawl_rules_add_json(rules, "[{", 2, "broken.json", NULL) == TRAWL_E_PARSE);
  trawl_rules_free(rules);
}

static void test_options(void) {
  trawl_options* options = NULL;
  int64_t lo = 0, hi = 0;
  CHECK(trawl_options_new(&options) == TRAWL_OK);
  CHECK(trawl_options_set_int(options, TRAWL_OPT_MAX_MATCHES, 5) == TRAWL_OK);
  CHECK(trawl_options_set_int(options, 999, 1) == TRAWL_E_UNSUPPORTED);
  CHECK(trawl_options_set_int(options, TRAWL_OPT_COMPILE_TARGET, 42) == TRAWL_E_INVALID);
  CHECK(trawl_options_set_int(NULL, TRAWL_OPT_MAX_MATCHES, 1) == TRAWL_E_INVALID);
  CHECK(trawl_option_bounds(&lo, &hi, TRAWL_OPT_COMPILE_TARGET) == TRAWL_OK);
  CHECK(lo == 0 && hi == TRAWL_TARGET_AVX512);
  CHECK(trawl_option_bounds(&lo, &hi, -7) == TRAWL_E_UNSUPPORTED);
  trawl_options_free(options);
}

/* A rule with a token shape: found by the token pass by default, by its regex with
 * TRAWL_OPT_TOKEN_PASS = 0; the same matches either way. The default region is checked. */
static void test_token_pass_options(void) {
  static const char kTokenRules[] =
      "[{\"id\":\"md5\",\"regex\":\"\\\\b([0-9a-f]{32})\\\\b\","
      "\"token\":{\"shape\":\"hex\",\"lengths\":[32]}}]";
  const char text[] = "sum a4c4e72348111e01485652fe8a810b90 ok";
  int32_t want_status[2] = {TRAWL_RULE_TOKEN, TRAWL_RULE_COMPILED};
  for (int token_pass = 1; token_pass >= 0; --token_pass) {
    trawl_rules* rules = NULL;
    trawl_db* db = NULL;
    trawl_options* options = NULL;
    trawl_scratch* scratch = NULL;
    trawl_rule_info info = TRAWL_RULE_INFO_INIT;
    struct collected c;
    CHECK(trawl_rules_new(&rules) == TRAWL_OK);
    CHECK(trawl_rules_add_json(rules, kTokenRules, strlen(kTokenRules), "inline", NULL) ==
          TRAWL_OK);
    CHECK(trawl_options_new(&options) == TRAWL_OK);
    CHECK(trawl_options_set_int(options, TRAWL_OPT_TOKEN_PASS, token_pass) == TRAWL_OK);
    CHECK(trawl_db_compile(&db, rules, options, NULL) == TRAWL_OK);
    if (db != NULL) {
      CHECK(trawl_db_rule(&info, db, 0) == TRAWL_OK);
      CHECK(info.status == want_status[1 - token_pass]);
      CHECK(trawl_scratch_new(&scratch, db) == TRAWL_OK);
      memset(&c, 0, sizeof c);
      CHECK(trawl_scan(db, scratch, text, strlen(text), NULL, collect, &c, NULL) == TRAWL_OK);
      CHECK(c.count == 1 && c.starts[0] == 4);
    }
    trawl_scratch_free(scratch);
    trawl_db_free(db);
    trawl_options_free(options);
    trawl_rules_free(rules);
  }
  trawl_options* options = NULL;
  CHECK(trawl_options_new(&options) == TRAWL_OK);
  CHECK(trawl_options_set_int(options, TRAWL_OPT_TOKEN_PASS, 2) == TRAWL_E_INVALID);
  CHECK(trawl_options_set_string(options, TRAWL_OPT_DEFAULT_REGION, "GB") == TRAWL_OK);
  CHECK(trawl_options_set_string(options, TRAWL_OPT_DEFAULT_REGION, "") == TRAWL_OK);
  CHECK(trawl_options_set_string(options, TRAWL_OPT_DEFAULT_REGION, "XX") == TRAWL_E_INVALID);
  CHECK(strstr(trawl_build_info(), "\"token_kernel\"") != NULL);
  trawl_options_free(options);
}

static void test_compile_scan_and_rule_info(void) {
  trawl_db* db = compile_sample();
  trawl_scratch* scratch = NULL;
  trawl_scratch* clone = NULL;
  trawl_rule_info info = TRAWL_RULE_INFO_INIT;
  struct collected c;
  trawl_scan_result result = TRAWL_SCAN_RESULT_INIT;
  const char text[] = "needle key=abc needle";
  if (db == NULL) return;
  CHECK(trawl_db_rule_count(db) == 3);
  CHECK(trawl_db_rule(&info, db, 0) == TRAWL_OK);
  CHECK(strcmp(info.id, "kv") == 0);
  CHECK(info.severity == TRAWL_SEVERITY_HIGH);
  CHECK(info.status == TRAWL_RULE_COMPILED);
  CHECK(trawl_db_rule(&info, db, 2) == TRAWL_OK);
  CHECK(info.status == TRAWL_RULE_REJECTED);
  CHECK(strstr(info.status_reason, "empty") != NULL);
  CHECK(trawl_db_rule(&info, db, 3) == TRAWL_E_NOT_FOUND);

  CHECK(trawl_scratch_new(&scratch, db) == TRAWL_OK);
  CHECK(trawl_scratch_clone(&clone, scratch) == TRAWL_OK);
  memset(&c, 0, sizeof c);
  CHECK(trawl_scan(db, scratch, text, strlen(text), NULL, collect, &c, &result) == TRAWL_OK);
  CHECK(c.count == 3);
  CHECK(c.starts[0] == 0 && c.starts[1] == 7 && c.starts[2] == 15);
  CHECK(c.capture_start == 11);
  CHECK(result.matches == 3);
  CHECK(result.bytes_scanned == strlen(text));
  CHECK(result.truncation == 0);
  /* The clone scans the same database independently. */
  memset(&c, 0, sizeof c);
  CHECK(trawl_scan(db, clone, text, strlen(text), NULL, collect, &c, NULL) == TRAWL_OK);
  CHECK(c.count == 3);
  /* Stopping from the callback. */
  memset(&c, 0, sizeof c);
  c.stop_after = 1;
  CHECK(trawl_scan(db, scratch, text, strlen(text), NULL, collect, &c, &result) == TRAWL_STOPPED);
  CHECK(c.count == 1);
  CHECK(result.truncation & TRAWL_TRUNC_STOPPED);
  /* Zero-length input, NULL callback. */
  CHECK(trawl_scan(db, scratch, NULL, 0, NULL, NULL, NULL, NULL) == TRAWL_OK);
  CHECK(trawl_scan(db, scratch, text, strlen(text), NULL, NULL, NULL, &result) == TRAWL_OK);
  CHECK(result.matches == 3);

  /* A scratch used with another database. */
  trawl_db* other = compile_sample();
  CHECK(trawl_scan(other, scratch, text, strlen(text), NULL, NULL, NULL, NULL) ==
        TRAWL_E_MISMATCH);
  trawl_db_free(other);

  /* Limits through options. */
  trawl_options* options = NULL;
  trawl_options_new(&options);
  trawl_options_set_int(options, TRAWL_OPT_MAX_MATCHES, 2);
  CHECK(trawl_scan(db, scratch, text, strlen(text), options, NULL, NULL, &result) == TRAWL_OK);
  CHECK(result.matches == 2);
  CHECK(result.truncation & TRAWL_TRUNC_MATCH_CAP);
  trawl_options_free(options);

  /* Examples check and description. */
  trawl_buffer* report = NULL;
  uint64_t failures = 99;
  CHECK(trawl_db_check_examples(&report, &failures, db) == TRAWL_OK);
  CHECK(failures == 0);
  CHECK(strstr(trawl_buffer_data(report), "\"failure_count\":0") != NULL);
  trawl_buffer_free(report);
  trawl_buffer* description = NULL;
  CHECK(trawl_db_describe(&description, db, 1) == TRAWL_OK);
  CHECK(strstr(trawl_buffer_data(description), "\"rejected\": 1") != NULL);
  trawl_buffer_free(description);
  /* The benchmark: the default options, then the arguments it refuses. */
  const char bench_input[] = "password=hunter2 password=letmein";
  trawl_buffer* bench = NULL;
  CHECK(trawl_db_bench(&bench, db, bench_input, sizeof bench_input - 1, NULL) == TRAWL_OK);
  CHECK(strstr(trawl_buffer_data(bench), "\"schema\": \"trawl.bench/1\"") != NULL);
  trawl_buffer_free(bench);
  trawl_bench_options bench_options = TRAWL_BENCH_OPTIONS_INIT;
  bench_options.threads = 1025;
  CHECK(trawl_db_bench(&bench, db, bench_input, 4, &bench_options) == TRAWL_E_INVALID);
  CHECK(bench == NULL);
  bench_options.threads = 1;
  bench_options.compile_seconds = -1;
  CHECK(trawl_db_bench(&bench, db, bench_input, 4, &bench_options) == TRAWL_E_INVALID);
  bench_options.compile_seconds = 0;
  bench_options.struct_size = sizeof(size_t);
  CHECK(trawl_db_bench(&bench, db, bench_input, 4, &bench_options) == TRAWL_E_INVALID);
  CHECK(trawl_db_bench(&bench, NULL, bench_input, 4, NULL) == TRAWL_E_INVALID);

  trawl_scratch_free(clone);
  trawl_scratch_free(scratch);
  trawl_db_free(db);
}

static void test_streaming(void) {
  trawl_db* db = compile_sample();
  trawl_stream* stream = NULL;
  struct collected c;
  trawl_scan_result result = TRAWL_SCAN_RESULT_INIT;
  if (db == NULL) return;
  memset(&c, 0, sizeof c);
  CHECK(trawl_stream_new(&stream, db, NULL) == TRAWL_OK);
  CHECK(trawl_stream_write(stream, "nee", 3, collect, &c) == TRAWL_OK);
  CHECK(trawl_stream_write(stream, "dle ke", 6, collect, &c) == TRAWL_OK);
  CHECK(trawl_stream_write(stream, "y=xyz", 5, collect, &c) == TRAWL_OK);
  CHECK(trawl_stream_finish(stream, collect, &c, &result) == TRAWL_OK);
  CHECK(c.count == 2);
  CHECK(result.bytes_scanned == 14);
  CHECK(trawl_stream_write(stream, "x", 1, collect, &c) == TRAWL_E_STATE);
  CHECK(trawl_stream_finish(stream, collect, &c, &result) == TRAWL_E_STATE);
  trawl_stream_free(stream);
  /* A callback that stops the stream: the write that delivered the match says so. */
  {
    trawl_options* small_chunks = NULL;
    char big[200000];
    memset(big, '.', sizeof big);
    memcpy(big + 10, "needle", 6);
    memcpy(big + 150000, "needle", 6);
    trawl_options_new(&small_chunks);
    trawl_options_set_int(small_chunks, TRAWL_OPT_CHUNK_BYTES, 65536);
    memset(&c, 0, sizeof c);
    c.stop_after = 1;
    stream = NULL;
    CHECK(trawl_stream_new(&stream, db, small_chunks) == TRAWL_OK);
    CHECK(trawl_stream_write(stream, big, sizeof big, collect, &c) == TRAWL_STOPPED);
    CHECK(c.count == 1);
    trawl_options_free(small_chunks);
  }
  trawl_stream_free(stream);
  trawl_db_free(db);
}

static void test_artifacts(void) {
  trawl_db* db = compile_sample();
  trawl_buffer* bytes = NULL;
  trawl_db* loaded = NULL;
  trawl_error err = TRAWL_ERROR_INIT;
  char* damaged;
  size_t size;
  if (db == NULL) return;
  CHECK(trawl_db_serialize(&bytes, db, &err) == TRAWL_OK);
  size = trawl_buffer_size(bytes);
  CHECK(size > 64);
  CHECK(trawl_db_load(&loaded, trawl_buffer_data(bytes), size, &err) == TRAWL_OK);
  CHECK(trawl_db_rule_count(loaded) == 3);
  trawl_db_free(loaded);
  loaded = (trawl_db*)1;
  CHECK(trawl_db_load(&loaded, trawl_buffer_data(bytes), size / 2, &err) == TRAWL_E_CORRUPT);
  CHECK(loaded == NULL);
  CHECK(err.code == TRAWL_E_CORRUPT);
  damaged = (char*)malloc(size);
  memcpy(damaged, trawl_buffer_data(bytes), size);
  damaged[size - 3] ^= 1;
  CHECK(trawl_db_load(&loaded, damaged, size, &err) == TRAWL_E_CORRUPT);
  CHECK(strstr(err.message, "checksum") != NULL);
  damaged[8] = 99; /* format version */
  CHECK(trawl_db_load(&loaded, damaged, size, &err) == TRAWL_E_VERSION);
  CHECK(trawl_db_load(&loaded, "junk", 4, &err) == TRAWL_E_CORRUPT);
  CHECK(trawl_db_load(&loaded, "", 0, &err) == TRAWL_E_CORRUPT);
  CHECK(trawl_db_load_file(&loaded, "/nonexistent/db.tdb", &err) == TRAWL_E_IO);
  CHECK(trawl_db_save_file(db, "/nonexistent-dir/x.tdb", &err) == TRAWL_E_IO);
  free(damaged);
  trawl_buffer_free(bytes);
  trawl_db_free(db);
}

static void test_old_struct_sizes(void) {
  /* An error struct from an older, smaller layout gets only the fields it has. */
  trawl_error small;
  trawl_rules* rules = NULL;
  memset(&small, 0x7f, sizeof small);
  small.struct_size = offsetof(trawl_error, message);
  trawl_rules_new(&rules);
  CHECK(trawl_rules_add_json(rules, "[{", 2, "x", &small) == TRAWL_E_PARSE);
  CHECK(small.code == TRAWL_E_PARSE);
  CHECK(small.message[0] == 0x7f); /* untouched */
  trawl_rules_free(rules);
}

static char* read_file(const char* path, size_t* len) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* data = malloc((size_t)size + 1);
  *len = fread(data, 1, (size_t)size, f);
  data[*len] = '\0';
  fclose(f);
  return data;
}

/* Appends a one-member ustar archive (header, content padded to 512, two zero blocks) at
 * out; returns its size. out must have room for 512 + len rounded up to 512 + 1024. */
static size_t put_tar(char* out, const char* name, const char* data) {
  const size_t len = strlen(data);
  const size_t size = 512 + (len + 511) / 512 * 512 + 1024;
  unsigned sum = 0;
  size_t i;
  memset(out, 0, size);
  memcpy(out, name, strlen(name));
  memcpy(out + 100, "0000644", 7);
  memcpy(out + 108, "0000000", 7);
  memcpy(out + 116, "0000000", 7);
  snprintf(out + 124, 12, "%011o", (unsigned)len);
  memcpy(out + 136, "00000000000", 11);
  out[156] = '0';
  memcpy(out + 257, "ustar", 6); /* with its NUL: POSIX magic, then version "00" */
  memcpy(out + 263, "00", 2);
  memset(out + 148, ' ', 8); /* the checksum counts its own field as spaces */
  for (i = 0; i < 512; ++i) sum += (unsigned char)out[i];
  snprintf(out + 148, 8, "%06o", sum);
  out[155] = ' ';
  memcpy(out + 512, data, len);
  return size;
}

/* Creates the directory `dir` (a mkdtemp template) with file `name` holding `data`; its
 * path goes to `path`. */
static void write_temp_file(char* dir, const char* name, const char* data, size_t n, char* path,
                            size_t path_size) {
  CHECK(mkdtemp(dir) != NULL);
  snprintf(path, path_size, "%s/%s", dir, name);
  FILE* f = fopen(path, "wb");
  CHECK(f != NULL && fwrite(data, 1, n, f) == n);
  if (f != NULL) fclose(f);
}

/* Decomposes `path` with one intake limit set (key < 0: defaults); returns the manifest. */
static trawl_buffer* decompose_with(const char* path, int32_t key, int64_t value) {
  trawl_options* options = NULL;
  trawl_buffer* manifest = NULL;
  trawl_error err = TRAWL_ERROR_INIT;
  CHECK(trawl_options_new(&options) == TRAWL_OK);
  if (key >= 0) CHECK(trawl_options_set_int(options, key, value) == TRAWL_OK);
  CHECK(trawl_package_decompose_file(&manifest, path, options, &err) == TRAWL_OK);
  trawl_options_free(options);
  return manifest;
}

/* Whether the manifest contains `needle`. */
static int manifest_has(const trawl_buffer* m, const char* needle) {
  return m != NULL && strstr(trawl_buffer_data(m), needle) != NULL;
}

/* The other intake limits: a tar of three files, each limit set low enough to fire. */
static void test_intake_limit_options(void) {
  char tar[3 * 1024 + 1024];
  size_t n = 0;
  int64_t lo = -1, hi = 0;
  n += put_tar(tar + n, "a.txt", "alpha alpha alpha\n") - 1024; /* next member replaces */
  n += put_tar(tar + n, "b.txt", "bravo bravo bravo\n") - 1024; /* the end-of-archive */
  n += put_tar(tar + n, "c.txt", "charlie charlie\n");

  char dir[] = "/tmp/trawl-capi-limits-XXXXXX";
  char path[64];
  write_temp_file(dir, "three.tar", tar, n, path, sizeof path);

  trawl_buffer* m = decompose_with(path, -1, 0);
  CHECK(manifest_has(m, "three.tar!/c.txt") && manifest_has(m, "\"stopped_by\": \"\""));
  trawl_buffer_free(m);
  m = decompose_with(path, TRAWL_OPT_MAX_ENTRIES, 2);
  CHECK(manifest_has(m, "\"stopped_by\": \"max_entries\"") && manifest_has(m, "\"observed\": 3"));
  trawl_buffer_free(m);
  m = decompose_with(path, TRAWL_OPT_MAX_TOTAL_BYTES, 20);
  CHECK(manifest_has(m, "\"stopped_by\": \"max_total_bytes\""));
  CHECK(manifest_has(m, "\"max_total_bytes\": 20"));
  trawl_buffer_free(m);
  m = decompose_with(path, TRAWL_OPT_MAX_DEPTH, 0); /* the tar itself is not opened */
  CHECK(manifest_has(m, "\"max_depth\": 0") && !manifest_has(m, "three.tar!/"));
  trawl_buffer_free(m);
  m = decompose_with(path, TRAWL_OPT_MAX_COMPONENT_BYTES, 5);
  CHECK(manifest_has(m, "\"limit\": \"max_component_bytes\""));
  CHECK(manifest_has(m, "three.tar!/c.txt"));
  trawl_buffer_free(m);
  m = decompose_with(path, TRAWL_OPT_MAX_PATH_LENGTH, 3);
  CHECK(manifest_has(m, "\"limit\": \"max_path_length\""));
  trawl_buffer_free(m);
  m = decompose_with(path, TRAWL_OPT_MAX_EXPANSION_RATIO, 7);
  CHECK(manifest_has(m, "\"max_expansion_ratio\": 7"));
  trawl_buffer_free(m);
  m = decompose_with(path, TRAWL_OPT_RATIO_GRACE_BYTES, 5);
  CHECK(manifest_has(m, "\"ratio_grace_bytes\": 5"));
  trawl_buffer_free(m);

  trawl_options* options = NULL;
  CHECK(trawl_options_new(&options) == TRAWL_OK);
  CHECK(trawl_options_set_int(options, TRAWL_OPT_MAX_DEPTH, 65) == TRAWL_E_INVALID);
  CHECK(trawl_options_set_int(options, TRAWL_OPT_MAX_ENTRIES, -1) == TRAWL_E_INVALID);
  CHECK(trawl_option_bounds(&lo, &hi, TRAWL_OPT_MAX_DEPTH) == TRAWL_OK && lo == 0 && hi == 64);
  trawl_options_free(options);
  unlink(path);
  rmdir(dir);
}

/* Carving limits: a binary with a false zip signature at 200 and a tar at 1000. */
static void test_carving_options(void) {
  static const char kCarved[] = "\"path\": \"firmware.bin!@1000.tar!/etc/app.conf\"";
  static const char kNotTried[] = "not tried: max_carves_per_component";
  char blob[1000 + 2048 + 100];
  size_t n = 0, i;
  int64_t lo = -1, hi = 0;
  for (i = 0; i < 1000; ++i) blob[i] = (char)(i % 251); /* no signature in here */
  memcpy(blob + 200, "PK\x03\x04", 4);
  n = 1000 + put_tar(blob + 1000, "etc/app.conf", "key=carved\n");
  for (i = 0; i < 100; ++i) blob[n++] = (char)i;

  char dir[] = "/tmp/trawl-capi-carve-XXXXXX";
  char path[64];
  write_temp_file(dir, "firmware.bin", blob, n, path, sizeof path);

  /* Defaults: the zip signature is a recorded skip, the tar a carved container. */
  trawl_buffer* m = decompose_with(path, -1, 0);
  CHECK(m != NULL && strstr(trawl_buffer_data(m), kCarved) != NULL);
  CHECK(m != NULL && strstr(trawl_buffer_data(m), "\"carved_offset\": 1000") != NULL);
  CHECK(m != NULL && strstr(trawl_buffer_data(m), "\"max_carve_depth\": 2") != NULL);
  trawl_buffer_free(m);
  /* Depth 0 turns carving off: nothing carved, nothing skipped. */
  m = decompose_with(path, TRAWL_OPT_MAX_CARVE_DEPTH, 0);
  CHECK(m != NULL && strstr(trawl_buffer_data(m), kCarved) == NULL);
  CHECK(m != NULL && strstr(trawl_buffer_data(m), "\"carve_skips\"") == NULL);
  trawl_buffer_free(m);
  /* One signature tried: the false zip uses it up and the tar is a skip. */
  m = decompose_with(path, TRAWL_OPT_MAX_CARVES_PER_COMPONENT, 1);
  CHECK(m != NULL && strstr(trawl_buffer_data(m), kCarved) == NULL);
  CHECK(m != NULL && strstr(trawl_buffer_data(m), kNotTried) != NULL);
  trawl_buffer_free(m);
  /* The tar's "ustar" magic (at 1257) lies past the searched prefix. */
  m = decompose_with(path, TRAWL_OPT_MAX_CARVE_SCAN_BYTES, 1000);
  CHECK(m != NULL && strstr(trawl_buffer_data(m), kCarved) == NULL);
  CHECK(m != NULL && strstr(trawl_buffer_data(m), "\"max_carve_scan_bytes\": 1000") != NULL);
  trawl_buffer_free(m);

  trawl_options* options = NULL;
  CHECK(trawl_options_new(&options) == TRAWL_OK);
  CHECK(trawl_options_set_int(options, TRAWL_OPT_MAX_CARVE_DEPTH, -1) == TRAWL_E_INVALID);
  CHECK(trawl_options_set_int(options, TRAWL_OPT_MAX_CARVES_PER_COMPONENT,
                              (int64_t)UINT32_MAX + 1) == TRAWL_E_INVALID);
  CHECK(trawl_option_bounds(&lo, &hi, TRAWL_OPT_MAX_CARVE_SCAN_BYTES) == TRAWL_OK);
  CHECK(lo == 0 && hi == INT64_MAX);
  trawl_options_free(options);
  unlink(path);
  rmdir(dir);
}

/* The four stages through the C API give the one-call report, byte for byte. */
static void test_stages(void) {
  trawl_rules* rules = NULL;
  trawl_db* db = NULL;
  trawl_error err = TRAWL_ERROR_INIT;
  CHECK(trawl_rules_new(&rules) == TRAWL_OK);
  CHECK(trawl_rules_add_file(rules, TRAWL_SOURCE_DIR "/rules/secrets.json", &err) == TRAWL_OK);
  CHECK(trawl_db_compile(&db, rules, NULL, &err) == TRAWL_OK);
  trawl_rules_free(rules);
  const char* package = TRAWL_SOURCE_DIR "/examples/sample/sample-package.tar.gz";

  trawl_buffer* one_call = NULL;
  CHECK(trawl_package_analyze_file(&one_call, db, package, NULL, TRAWL_REPORT_JSON, &err) ==
        TRAWL_OK);

  char dir[] = "/tmp/trawl-capi-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  trawl_buffer* manifest = NULL;
  CHECK(trawl_package_decompose_to_directory(&manifest, package, dir, NULL, &err) == TRAWL_OK);
  const char* m = trawl_buffer_data(manifest);
  const size_t m_len = trawl_buffer_size(manifest);
  trawl_buffer* work = NULL;
  CHECK(trawl_manifest_work(&work, m, m_len, &err) == TRAWL_OK);

  trawl_buffer* results[32];
  const char* result_data[32];
  size_t result_lens[32];
  size_t count = 0;
  char first_id[33] = {0};
  char path[256];
  for (const char* at = strstr(trawl_buffer_data(work), "\"id\": \""); at != NULL && count < 32;
       at = strstr(at + 1, "\"id\": \"")) {
    char id[33];
    memcpy(id, at + 7, 32);
    id[32] = '\0';
    if (count == 0) memcpy(first_id, id, 33);
    snprintf(path, sizeof path, "%s/%s", dir, id);
    size_t len = 0;
    char* content = read_file(path, &len);
    CHECK(content != NULL);
    trawl_buffer* plan = NULL;
    CHECK(trawl_component_plan(&plan, db, m, m_len, id, content, len, NULL, &err) == TRAWL_OK);
    CHECK(plan != NULL && strstr(trawl_buffer_data(plan), "\"tier\": \"light\"") != NULL);
    trawl_buffer_free(plan);
    results[count] = NULL;
    CHECK(trawl_component_analyze(&results[count], db, m, m_len, id, content, len, NULL, &err) ==
          TRAWL_OK);
    result_data[count] = trawl_buffer_data(results[count]);
    result_lens[count] = trawl_buffer_size(results[count]);
    count++;
    unlink(path);
    free(content);
  }
  CHECK(count == 8);

  trawl_buffer* report = NULL;
  CHECK(trawl_report_aggregate(&report, m, m_len, result_data, result_lens, count, NULL,
                        TRAWL_REPORT_JSON, &err) == TRAWL_OK);
  CHECK(report != NULL && trawl_buffer_size(report) == trawl_buffer_size(one_call) &&
        memcmp(trawl_buffer_data(report), trawl_buffer_data(one_call),
               trawl_buffer_size(one_call)) == 0);
  trawl_buffer_free(report);

  /* A missing result: the report says incomplete. */
  report = NULL;
  CHECK(trawl_report_aggregate(&report, m, m_len, result_data + 1, result_lens + 1, count - 1, NULL,
                        TRAWL_REPORT_TABLE, &err) == TRAWL_OK);
  CHECK(report != NULL && strstr(trawl_buffer_data(report), "INCOMPLETE") != NULL);
  trawl_buffer_free(report);

  /* Errors: a bad result names its index; bad format; wrong bytes; unknown ids. */
  const char* broken[2] = {result_data[0], "{\"schema\":\"trawl.component_result/1\"}"};
  const size_t broken_lens[2] = {result_lens[0], strlen(broken[1])};
  report = (trawl_buffer*)&err; /* must be reset to NULL on failure */
  CHECK(trawl_report_aggregate(&report, m, m_len, broken, broken_lens, 2, NULL,
                               TRAWL_REPORT_JSON, &err) == TRAWL_E_PARSE);
  CHECK(report == NULL && err.index == 1);
  CHECK(trawl_report_aggregate(&report, m, m_len, result_data, result_lens, count, NULL, 99,
                               &err) == TRAWL_E_UNSUPPORTED);
  CHECK(trawl_report_aggregate(&report, m, m_len, NULL, NULL, 3, NULL, TRAWL_REPORT_JSON, &err) ==
        TRAWL_E_INVALID);
  CHECK(trawl_report_aggregate(&report, "{}", 2, NULL, NULL, 0, NULL, TRAWL_REPORT_JSON, &err) ==
        TRAWL_E_PARSE);
  trawl_buffer* doc = NULL;
  CHECK(trawl_component_analyze(&doc, db, m, m_len, first_id, "other bytes", 11, NULL, &err) ==
        TRAWL_E_MISMATCH);
  CHECK(doc == NULL);
  CHECK(trawl_component_analyze(&doc, db, m, m_len, "nope", "", 0, NULL, &err) ==
        TRAWL_E_NOT_FOUND);
  CHECK(trawl_component_analyze(&doc, NULL, m, m_len, first_id, "", 0, NULL, &err) ==
        TRAWL_E_INVALID);
  CHECK(trawl_component_plan(&doc, db, "[]", 2, first_id, "", 0, NULL, &err) == TRAWL_E_PARSE);
  CHECK(trawl_manifest_work(NULL, m, m_len, &err) == TRAWL_E_INVALID);
  CHECK(trawl_manifest_work(&doc, "{", 1, &err) == TRAWL_E_PARSE);

  /* String options: files are read by the call that uses them. */
  trawl_options* options = NULL;
  CHECK(trawl_options_new(&options) == TRAWL_OK);
  CHECK(trawl_options_set_string(options, 9999, "x") == TRAWL_E_UNSUPPORTED);
  CHECK(trawl_options_set_string(NULL, TRAWL_OPT_POLICY_FILE, "x") == TRAWL_E_INVALID);
  CHECK(trawl_options_set_string(options, TRAWL_OPT_POLICY_FILE, "/nonexistent/policy.json") ==
        TRAWL_OK);
  CHECK(trawl_report_aggregate(&report, m, m_len, result_data, result_lens, count, options,
                        TRAWL_REPORT_JSON, &err) == TRAWL_E_IO);
  CHECK(strstr(err.message, "policy") != NULL);
  CHECK(trawl_options_set_string(options, TRAWL_OPT_POLICY_FILE, NULL) == TRAWL_OK);
  CHECK(trawl_options_set_string(options, TRAWL_OPT_BASELINE_FILE, TRAWL_SOURCE_DIR "/rules/pii.json") ==
        TRAWL_OK);
  CHECK(trawl_report_aggregate(&report, m, m_len, result_data, result_lens, count, options,
                        TRAWL_REPORT_JSON, &err) == TRAWL_E_PARSE);
  CHECK(trawl_options_set_string(options, TRAWL_OPT_BASELINE_FILE, "") == TRAWL_OK);
  CHECK(trawl_report_aggregate(&report, m, m_len, result_data, result_lens, count, options,
                        TRAWL_REPORT_SARIF, &err) == TRAWL_OK);
  CHECK(report != NULL && strstr(trawl_buffer_data(report), "\"version\": \"2.1.0\"") != NULL);
  trawl_buffer_free(report);
  trawl_options_free(options);
  CHECK(trawl_policy_default(&doc) == TRAWL_OK);
  CHECK(doc != NULL && strstr(trawl_buffer_data(doc), "trawl.policy/1") != NULL);
  trawl_buffer_free(doc);
  CHECK(trawl_policy_default(NULL) == TRAWL_E_INVALID);

  for (size_t i = 0; i < count; ++i) trawl_buffer_free(results[i]);
  snprintf(path, sizeof path, "%s/manifest.json", dir);
  unlink(path);
  rmdir(dir);
  trawl_buffer_free(work);
  trawl_buffer_free(manifest);
  trawl_buffer_free(one_call);
  trawl_db_free(db);
}

struct parts_seen {
  int matches;
  uint32_t part_count;
  const char* first_part_name;
  const trawl_db* db;
};

static int collect_parts(const trawl_match* m, void* user_data) {
  struct parts_seen* p = (struct parts_seen*)user_data;
  p->matches++;
  p->part_count += m->part_count;
  if (m->part_count > 0 && p->first_part_name == NULL) {
    p->first_part_name = trawl_db_rule_pattern_name(p->db, m->rule_index, m->parts[0].pattern);
  }
  return 0;
}

/* Rules in other tools' formats: detected, accounted for, exported as trawl JSON; a file
 * in no known format is one error naming the formats. */
static void test_imported_rules(void) {
  const char* fixtures = TRAWL_SOURCE_DIR "/tests/rules/importers/";
  char path[4096];
  trawl_rules* rules = NULL;
  trawl_error err = TRAWL_ERROR_INIT;
  trawl_import_account account = TRAWL_IMPORT_ACCOUNT_INIT;
  CHECK(trawl_rules_new(&rules) == TRAWL_OK);
  snprintf(path, sizeof path, "%sgitleaks.toml", fixtures);
  /* two of its five rules are rejected: TRAWL_E_PARSE, the good ones still added */
  CHECK(trawl_rules_add_file(rules, path, &err) == TRAWL_E_PARSE);
  CHECK(strstr(err.message, "gitleaks.toml:28") != NULL);
  CHECK(trawl_rules_count(rules) == 3);
  CHECK(trawl_rules_account_count(rules) == 1);
  CHECK(trawl_rules_account(&account, rules, 0) == TRAWL_OK);
  CHECK(strcmp(account.format, "gitleaks") == 0);
  CHECK(account.rules == 5 && account.exact == 3 && account.approximated == 0 &&
        account.rejected == 2);
  CHECK(trawl_rules_account(&account, rules, 1) == TRAWL_E_NOT_FOUND);
  snprintf(path, sizeof path, "%sfixture.rules", fixtures);
  CHECK(trawl_rules_add_file_as(rules, path, "snort", &err) == TRAWL_E_PARSE);
  CHECK(trawl_rules_account_count(rules) == 2);
  CHECK(trawl_rules_note_count(rules) == 3);
  trawl_error note = TRAWL_ERROR_INIT;
  CHECK(trawl_rules_note(&note, rules, 1) == TRAWL_OK);
  CHECK(strstr(note.message, "fixture.rules:3") != NULL);
  CHECK(strstr(note.message, "http_uri approximated") != NULL);
  CHECK(trawl_rules_note(&note, rules, 3) == TRAWL_E_NOT_FOUND);
  CHECK(trawl_rules_add_file_as(rules, path, "xml", &err) == TRAWL_E_UNSUPPORTED);
  CHECK(strstr(err.message, "YARA") != NULL);
  /* exported, the rules load back as the same number of rules */
  trawl_buffer* json = NULL;
  CHECK(trawl_rules_export_json(&json, rules) == TRAWL_OK);
  trawl_rules* again = NULL;
  CHECK(trawl_rules_new(&again) == TRAWL_OK);
  CHECK(trawl_rules_add_json(again, trawl_buffer_data(json), trawl_buffer_size(json), "export",
                             &err) == TRAWL_OK);
  CHECK(trawl_rules_count(again) == trawl_rules_count(rules));
  CHECK(trawl_rules_account_count(again) == 0);
  trawl_buffer_free(json);
  trawl_rules_free(again);
  trawl_rules_free(rules);

  /* not a rule file: one error that names the formats, not a JSON parse error */
  char dir[] = "/tmp/trawl_capi_import_XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  snprintf(path, sizeof path, "%s/notes.txt", dir);
  FILE* f = fopen(path, "w");
  CHECK(f != NULL);
  if (f) {
    fputs("just some words\n", f);
    fclose(f);
  }
  CHECK(trawl_rules_new(&rules) == TRAWL_OK);
  CHECK(trawl_rules_add_file(rules, path, &err) == TRAWL_E_PARSE);
  CHECK(strstr(err.message, "not a rule file") != NULL);
  CHECK(strstr(err.message, "Suricata") != NULL);
  CHECK(trawl_rules_issue_count(rules) == 1);
  trawl_rules_free(rules);
  unlink(path);
  rmdir(dir);

  /* a YARA rule's match names the strings that made it hold */
  CHECK(trawl_rules_new(&rules) == TRAWL_OK);
  snprintf(path, sizeof path, "%sfixture.yar", fixtures);
  CHECK(trawl_rules_add_file_as(rules, path, "yara", &err) == TRAWL_E_PARSE);
  trawl_db* db = NULL;
  CHECK(trawl_db_compile(&db, rules, NULL, &err) == TRAWL_OK);
  trawl_scratch* scratch = NULL;
  CHECK(trawl_scratch_new(&scratch, db) == TRAWL_OK);
  struct parts_seen seen = {0, 0, NULL, db};
  const char text[] = "ALPHA bexa";
  CHECK(trawl_scan(db, scratch, text, strlen(text), NULL, collect_parts, &seen, NULL) == TRAWL_OK);
  CHECK(seen.matches == 1);
  CHECK(seen.part_count == 2);
  CHECK(seen.first_part_name != NULL && strcmp(seen.first_part_name, "a") == 0);
  CHECK(trawl_db_rule_pattern_name(db, 0, 99) == NULL);
  trawl_scratch_free(scratch);
  trawl_db_free(db);
  trawl_rules_free(rules);
}

/* Threat-indicator feeds: add to rules, compile, update without recompiling; every error
   path of the new calls. */
static void test_indicator_feeds(void) {
  char dir[] = "/tmp/trawl-capi-ioc-XXXXXX";
  char feed[128], update[128];
  trawl_rules* rules = NULL;
  trawl_db* db = NULL;
  trawl_db* updated = NULL;
  trawl_buffer* report = NULL;
  trawl_error err = TRAWL_ERROR_INIT;
  trawl_feed_options options = TRAWL_FEED_OPTIONS_INIT;
  const char* paths[1];
  FILE* f;
  CHECK(mkdtemp(dir) != NULL);
  snprintf(feed, sizeof feed, "%s/feed.txt", dir);
  snprintf(update, sizeof update, "%s/update.csv", dir);
  f = fopen(feed, "wb");
  CHECK(f != NULL);
  fputs("nanopc.linkpc.net\n178.16.53.180:18041\nnot a value\n", f);
  fclose(f);
  f = fopen(update, "wb");
  CHECK(f != NULL);
  fputs("value,family\nnew.evil.com,qbot\nnanopc.linkpc.net,x\n", f);
  fclose(f);

  CHECK(trawl_rules_new(&rules) == TRAWL_OK);
  CHECK(trawl_rules_add_indicator_feed(NULL, feed, NULL, &err) == TRAWL_E_INVALID);
  options.format = "yaml";
  CHECK(trawl_rules_add_indicator_feed(rules, feed, &options, &err) == TRAWL_E_INVALID);
  options.format = NULL;
  options.severity = 9;
  CHECK(trawl_rules_add_indicator_feed(rules, feed, &options, &err) == TRAWL_E_INVALID);
  options.severity = TRAWL_SEVERITY_CRITICAL;
  options.family = "agenttesla";
  CHECK(trawl_rules_add_indicator_feed(rules, "/nonexistent/feed.txt", &options, &err) ==
        TRAWL_E_IO);
  /* One unsupported line: TRAWL_E_PARSE naming it; the good lines are kept. */
  CHECK(trawl_rules_add_indicator_feed(rules, feed, &options, &err) == TRAWL_E_PARSE);
  CHECK(err.index == 3);
  CHECK(trawl_rules_issue_count(rules) == 1);
  CHECK(trawl_rules_indicator_count(rules) == 2);
  CHECK(trawl_rules_indicator_count(NULL) == 0);
  CHECK(trawl_db_compile(&db, rules, NULL, &err) == TRAWL_OK);
  CHECK(trawl_db_indicator_count(db) == 2);
  CHECK(trawl_db_indicator_count(NULL) == 0);

  paths[0] = update;
  CHECK(trawl_db_update_indicators(NULL, NULL, db, paths, 1, TRAWL_INDICATORS_ADD, NULL, &err) ==
        TRAWL_E_INVALID);
  CHECK(trawl_db_update_indicators(&updated, NULL, db, paths, 1, 7, NULL, &err) ==
        TRAWL_E_INVALID);
  CHECK(updated == NULL);
  CHECK(trawl_db_update_indicators(&updated, NULL, db, NULL, 1, TRAWL_INDICATORS_ADD, NULL,
                                   &err) == TRAWL_E_INVALID);
  options = (trawl_feed_options)TRAWL_FEED_OPTIONS_INIT;
  options.feed = "feed";
  CHECK(trawl_db_update_indicators(&updated, &report, db, paths, 1, TRAWL_INDICATORS_ADD,
                                   &options, &err) == TRAWL_OK);
  CHECK(trawl_db_indicator_count(updated) == 3);
  CHECK(report != NULL && strstr(trawl_buffer_data(report), "\"duplicates\": 1") != NULL);
  trawl_buffer_free(report);
  trawl_db_free(updated);
  updated = NULL;
  CHECK(trawl_db_update_indicators(&updated, NULL, db, paths, 1, TRAWL_INDICATORS_REPLACE,
                                   &options, &err) == TRAWL_OK);
  CHECK(trawl_db_indicator_count(updated) == 2);
  trawl_db_free(updated);
  paths[0] = "/nonexistent/update.csv";
  CHECK(trawl_db_update_indicators(&updated, NULL, db, paths, 1, TRAWL_INDICATORS_ADD, NULL,
                                   &err) == TRAWL_E_IO);
  trawl_db_free(db);
  trawl_rules_free(rules);
  unlink(feed);
  unlink(update);
  rmdir(dir);
}

static int same_bytes(const trawl_buffer* a, const trawl_buffer* b) {
  return a != NULL && b != NULL && trawl_buffer_size(a) == trawl_buffer_size(b) &&
         memcmp(trawl_buffer_data(a), trawl_buffer_data(b), trawl_buffer_size(a)) == 0;
}

/* A package in memory gives the documents of the same package as a file, given the
 * file's name (the only thing memory lacks). */
static void test_packages_in_memory(void) {
  trawl_db* db = compile_sample();
  trawl_error err = TRAWL_ERROR_INIT;
  const char* path = TRAWL_SOURCE_DIR "/examples/sample/sample-package.tar.gz";
  size_t len = 0;
  char* data = read_file(path, &len);
  CHECK(data != NULL && len > 0);
  trawl_options* named = NULL;
  CHECK(trawl_options_new(&named) == TRAWL_OK);
  CHECK(trawl_options_set_string(named, TRAWL_OPT_PACKAGE_NAME, "sample-package.tar.gz") ==
        TRAWL_OK);

  trawl_buffer* from_file = NULL;
  trawl_buffer* from_memory = NULL;
  CHECK(trawl_package_decompose_file(&from_file, path, NULL, &err) == TRAWL_OK);
  CHECK(trawl_package_decompose(&from_memory, data, len, named, &err) == TRAWL_OK);
  CHECK(same_bytes(from_file, from_memory));
  trawl_buffer_free(from_memory);
  /* Unnamed, the package is shown by its id: same components, another display name. */
  CHECK(trawl_package_decompose(&from_memory, data, len, NULL, &err) == TRAWL_OK);
  CHECK(from_memory != NULL && !same_bytes(from_file, from_memory));
  CHECK(strstr(trawl_buffer_data(from_memory), "sample-package.tar.gz") == NULL);
  trawl_buffer_free(from_memory);
  trawl_buffer_free(from_file);

  CHECK(trawl_package_classify_file(&from_file, db, path, NULL, &err) == TRAWL_OK);
  CHECK(trawl_package_classify(&from_memory, db, data, len, named, &err) == TRAWL_OK);
  CHECK(same_bytes(from_file, from_memory));
  trawl_buffer_free(from_memory);
  trawl_buffer_free(from_file);

  CHECK(trawl_package_analyze_file(&from_file, db, path, NULL, TRAWL_REPORT_SARIF, &err) ==
        TRAWL_OK);
  CHECK(trawl_package_analyze(&from_memory, db, data, len, named, TRAWL_REPORT_SARIF, &err) ==
        TRAWL_OK);
  CHECK(same_bytes(from_file, from_memory));
  trawl_buffer_free(from_memory);
  CHECK(trawl_package_analyze(&from_memory, db, data, len, named, 7, &err) ==
        TRAWL_E_UNSUPPORTED);
  CHECK(from_memory == NULL);
  trawl_buffer_free(from_file);

  /* Bytes that are no archive are one component, not an error. */
  CHECK(trawl_package_decompose(&from_memory, "plain text", 10, NULL, &err) == TRAWL_OK);
  CHECK(strstr(trawl_buffer_data(from_memory), "\"components\"") != NULL);
  trawl_buffer_free(from_memory);
  CHECK(trawl_package_decompose(&from_memory, NULL, 0, NULL, &err) == TRAWL_OK);
  trawl_buffer_free(from_memory);

  trawl_options_free(named);
  free(data);
  trawl_db_free(db);
}

/* The git calls: argument and option errors, a directory that is no repository, and a
 * repository built with the git command (when installed): its manifest, the options that
 * narrow it, and the report naming the commit. */
static void test_git(void) {
  trawl_buffer* buffer = (trawl_buffer*)1;
  trawl_error err = TRAWL_ERROR_INIT;
  trawl_options* options = NULL;
  char dir[] = "/tmp/trawl_c_git_XXXXXX";
  char path[512], command[1024];
  CHECK(trawl_git_decompose(NULL, "x", NULL, NULL) == TRAWL_E_INVALID);
  CHECK(trawl_git_decompose(&buffer, NULL, NULL, &err) == TRAWL_E_INVALID);
  CHECK(buffer == NULL);
  CHECK(trawl_git_decompose_to_directory(&buffer, "x", NULL, NULL, &err) == TRAWL_E_INVALID);
  CHECK(trawl_git_classify(&buffer, NULL, NULL, NULL, &err) == TRAWL_E_INVALID);
  CHECK(trawl_git_analyze(&buffer, NULL, "x", NULL, TRAWL_REPORT_JSON, &err) == TRAWL_E_INVALID);
  CHECK(trawl_options_new(&options) == TRAWL_OK);
  CHECK(trawl_options_set_string(options, TRAWL_OPT_GIT_SINCE, "last week") == TRAWL_E_INVALID);
  CHECK(trawl_options_set_string(options, TRAWL_OPT_GIT_SINCE, "2021-01-01") == TRAWL_OK);
  CHECK(trawl_options_set_int(options, TRAWL_OPT_GIT_STAGED, 2) == TRAWL_E_INVALID);
  write_temp_file(dir, "a.env", "aws_access_key_id = AKIA64CFSUOSG2WPIZZX\n", 41, path,
                  sizeof path);
  CHECK(trawl_git_decompose(&buffer, dir, NULL, &err) == TRAWL_E_IO);
  CHECK(err.code == TRAWL_E_IO && strstr(err.message, "cannot open git repository") != NULL);
  snprintf(command, sizeof command,
           "cd '%s' && export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null "
           "GIT_AUTHOR_NAME=Ada GIT_AUTHOR_EMAIL=ada@example.com GIT_COMMITTER_NAME=Ada "
           "GIT_COMMITTER_EMAIL=ada@example.com GIT_AUTHOR_DATE=2020-02-02T00:00:00Z "
           "GIT_COMMITTER_DATE=2020-02-02T00:00:00Z && git init -q -b main && git add -A && "
           "git commit -q -m one >/dev/null",
           dir);
  if (system("git --version >/dev/null 2>&1") == 0 && system(command) == 0) {
    trawl_buffer* manifest = NULL;
    CHECK(trawl_git_decompose(&manifest, dir, NULL, &err) == TRAWL_OK);
    CHECK(manifest_has(manifest, "\"container_format\": \"git\""));
    CHECK(manifest_has(manifest, "\"path\": \"a.env\""));
    CHECK(manifest_has(manifest, "\"date\": \"2020-02-02T00:00:00Z\""));
    trawl_buffer_free(manifest);
    /* Since 2021: the 2020 commit is left out. */
    CHECK(trawl_git_decompose(&manifest, dir, options, &err) == TRAWL_OK);
    CHECK(!manifest_has(manifest, "a.env"));
    trawl_buffer_free(manifest);
    CHECK(trawl_options_set_string(options, TRAWL_OPT_GIT_SINCE, "") == TRAWL_OK);
    CHECK(trawl_options_set_string(options, TRAWL_OPT_GIT_BRANCH, "refs/heads/none") ==
          TRAWL_OK);
    CHECK(trawl_git_decompose(&manifest, dir, options, &err) == TRAWL_E_NOT_FOUND);
    CHECK(manifest == NULL);
  } else {
    printf("c_api_test: git not installed; the git repository checks are skipped\n");
  }
  trawl_options_free(options);
  snprintf(command, sizeof command, "rm -rf '%s'", dir);
  CHECK(system(command) == 0);
}

/* Writes `data` (NUL-terminated) to `dir`/`name`; the directory must exist. */
static void write_file_in(const char* dir, const char* name, const char* data) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE* f = fopen(path, "wb");
  CHECK(f != NULL && fwrite(data, 1, strlen(data), f) == strlen(data));
  if (f != NULL) fclose(f);
}

/* Whether the rendered report contains `needle`. */
static int report_has(const trawl_buffer* report, const char* needle) {
  return report != NULL && strstr(trawl_buffer_data(report), needle) != NULL;
}

/* The first line of a command's output, without its line break ("" when it fails). */
static void command_output(const char* command, char* out, size_t size) {
  FILE* p = popen(command, "r");
  out[0] = '\0';
  if (p == NULL) return;
  if (fgets(out, (int)size, p) == NULL) out[0] = '\0';
  out[strcspn(out, "\n")] = '\0';
  pclose(p);
}

/* trawl_package_analyze_inputs: a directory, a file, an archive and bytes in memory are
 * one package whose manifest accounts for each; the summary counts what the report lists;
 * one file alone is exactly trawl_package_analyze_file; git's ignore rules apply inside a
 * work tree unless TRAWL_INPUTS_NO_IGNORE. */
static void test_analyze_inputs(void) {
  trawl_db* db = compile_sample();
  trawl_error err = TRAWL_ERROR_INIT;
  trawl_buffer* report = (trawl_buffer*)1;
  trawl_report_summary summary = TRAWL_REPORT_SUMMARY_INIT;
  char dir[] = "/tmp/trawl_c_inputs_XXXXXX";
  char tree[600], file[600], archive[600], missing[600], command[1024];
  char tar[512 + 512 + 1024];
  trawl_input tree_in = TRAWL_INPUT_INIT, file_in = TRAWL_INPUT_INIT;
  trawl_input archive_in = TRAWL_INPUT_INIT, memory_in = TRAWL_INPUT_INIT;
  const trawl_input* inputs[4];
  size_t tar_len;
  FILE* f;
  CHECK(mkdtemp(dir) != NULL);
  snprintf(tree, sizeof tree, "%s/tree", dir);
  snprintf(command, sizeof command, "mkdir -p '%s/sub'", tree);
  CHECK(system(command) == 0);
  write_file_in(tree, "a.txt", "key=alpha\n");
  write_file_in(tree, "sub/b.txt", "a needle here\n");
  write_file_in(dir, "c.txt", "key=gamma\n");
  snprintf(file, sizeof file, "%s/c.txt", dir);
  snprintf(archive, sizeof archive, "%s/d.tar", dir);
  tar_len = put_tar(tar, "logs/m.txt", "key=delta\n");
  f = fopen(archive, "wb");
  CHECK(f != NULL && fwrite(tar, 1, tar_len, f) == tar_len);
  if (f != NULL) fclose(f);
  tree_in.path = tree;
  tree_in.name = "tree";
  file_in.path = file;
  file_in.name = "c.txt";
  archive_in.path = archive;
  archive_in.name = "d.tar";
  memory_in.data = "stdin says key=epsilon\n";
  memory_in.len = strlen(memory_in.data);
  inputs[0] = &tree_in;
  inputs[1] = &file_in;
  inputs[2] = &archive_in;
  inputs[3] = &memory_in;

  CHECK(trawl_package_analyze_inputs(NULL, NULL, db, inputs, 4, 0, NULL, TRAWL_REPORT_JSON,
                                     &err) == TRAWL_E_INVALID);
  CHECK(trawl_package_analyze_inputs(&report, NULL, db, inputs, 0, 0, NULL, TRAWL_REPORT_JSON,
                                     &err) == TRAWL_E_INVALID);
  CHECK(report == NULL);
  CHECK(trawl_package_analyze_inputs(&report, NULL, NULL, inputs, 4, 0, NULL, TRAWL_REPORT_JSON,
                                     &err) == TRAWL_E_INVALID);
  CHECK(trawl_package_analyze_inputs(&report, NULL, db, inputs, 4, 0, NULL, 9, &err) ==
        TRAWL_E_UNSUPPORTED);
  summary.struct_size = 3;
  CHECK(trawl_package_analyze_inputs(&report, &summary, db, inputs, 4, 0, NULL,
                                     TRAWL_REPORT_JSON, &err) == TRAWL_E_INVALID);
  summary.struct_size = sizeof summary;
  memory_in.data = NULL;
  CHECK(trawl_package_analyze_inputs(&report, NULL, db, inputs, 4, 0, NULL, TRAWL_REPORT_JSON,
                                     &err) == TRAWL_E_INVALID);
  CHECK(strstr(err.message, "NULL input data") != NULL);
  memory_in.data = "stdin says key=epsilon\n";
  snprintf(missing, sizeof missing, "%s/no-such-file", dir);
  file_in.path = missing;
  CHECK(trawl_package_analyze_inputs(&report, NULL, db, inputs, 4, 0, NULL, TRAWL_REPORT_JSON,
                                     &err) == TRAWL_E_IO);
  CHECK(err.code == TRAWL_E_IO && strstr(err.message, "No such file or directory") != NULL);
  CHECK(report == NULL);
  file_in.path = file;

  CHECK(trawl_package_analyze_inputs(&report, &summary, db, inputs, 4, 0, NULL,
                                     TRAWL_REPORT_JSON, &err) == TRAWL_OK);
  /* Each input is a component of the "inputs" root: the directory's files below its name,
   * the archive opened, the memory input named stdin. */
  CHECK(report_has(report, "\"path\": \"inputs\""));
  CHECK(report_has(report, "\"path\": \"inputs!/tree/a.txt\""));
  CHECK(report_has(report, "\"path\": \"inputs!/tree/sub/b.txt\""));
  CHECK(report_has(report, "\"path\": \"inputs!/c.txt\""));
  CHECK(report_has(report, "\"path\": \"inputs!/d.tar\""));
  CHECK(report_has(report, "\"path\": \"inputs!/d.tar!/logs/m.txt\""));
  CHECK(report_has(report, "\"path\": \"inputs!/stdin\""));
  /* key=alpha, gamma, delta, epsilon: four high findings; the needle one medium. */
  CHECK(summary.complete == 1);
  CHECK(summary.active_by_severity[TRAWL_SEVERITY_HIGH] == 4);
  CHECK(summary.active_by_severity[TRAWL_SEVERITY_MEDIUM] == 1);
  CHECK(summary.active_by_severity[TRAWL_SEVERITY_CRITICAL] == 0);
  CHECK(summary.suppressed == 0);
  CHECK(summary.components == 7); /* the seven paths above */
  trawl_buffer_free(report);

  /* One file alone is the same report as trawl_package_analyze_file. */
  {
    trawl_buffer* alone = NULL;
    trawl_buffer* as_file = NULL;
    trawl_input only = TRAWL_INPUT_INIT;
    const trawl_input* one[1];
    only.path = archive;
    one[0] = &only;
    CHECK(trawl_package_analyze_inputs(&alone, NULL, db, one, 1, 0, NULL, TRAWL_REPORT_SARIF,
                                       &err) == TRAWL_OK);
    CHECK(trawl_package_analyze_file(&as_file, db, archive, NULL, TRAWL_REPORT_SARIF, &err) ==
          TRAWL_OK);
    CHECK(same_bytes(alone, as_file));
    trawl_buffer_free(alone);
    trawl_buffer_free(as_file);
  }

  /* Inside a git work tree, what git ignores is left out unless TRAWL_INPUTS_NO_IGNORE. */
  snprintf(command, sizeof command,
           "cd '%s' && git init -q . && printf '*.log\\n' > .gitignore && "
           "printf 'key=ignored\\n' > app.log",
           tree);
  if (system("git --version >/dev/null 2>&1") == 0 && system(command) == 0) {
    const trawl_input* tree_only[1];
    tree_only[0] = &tree_in;
    CHECK(trawl_package_analyze_inputs(&report, &summary, db, tree_only, 1, 0, NULL,
                                       TRAWL_REPORT_JSON, &err) == TRAWL_OK);
    CHECK(!report_has(report, "app.log"));
    CHECK(summary.active_by_severity[TRAWL_SEVERITY_HIGH] == 1); /* key=alpha */
    trawl_buffer_free(report);
    CHECK(trawl_package_analyze_inputs(&report, &summary, db, tree_only, 1,
                                       TRAWL_INPUTS_NO_IGNORE, NULL, TRAWL_REPORT_JSON,
                                       &err) == TRAWL_OK);
    CHECK(report_has(report, "app.log"));
    CHECK(summary.active_by_severity[TRAWL_SEVERITY_HIGH] == 2); /* and key=ignored */
    trawl_buffer_free(report);
  } else {
    printf("c_api_test: git not installed; the ignore-rule checks are skipped\n");
  }
  snprintf(command, sizeof command, "rm -rf '%s'", dir);
  CHECK(system(command) == 0);
  trawl_db_free(db);
}

/* trawl_git_analyze_summary: a secret added in one commit and deleted in the next is
 * still found, attributed to the commit that added it, and counted in the summary a CI
 * gate decides on; the report is trawl_git_analyze's; staged (the index against HEAD)
 * after the deletion holds nothing. */
static void test_git_analyze_summary(void) {
  trawl_db* db = compile_sample();
  trawl_error err = TRAWL_ERROR_INIT;
  trawl_buffer* report = (trawl_buffer*)1;
  trawl_buffer* plain = NULL;
  trawl_options* options = NULL;
  trawl_report_summary summary = TRAWL_REPORT_SUMMARY_INIT;
  char dir[] = "/tmp/trawl_c_git_summary_XXXXXX";
  char command[1024], added[128], commit_field[200];
  CHECK(trawl_git_analyze_summary(&report, &summary, NULL, "x", NULL, TRAWL_REPORT_JSON,
                                  &err) == TRAWL_E_INVALID);
  CHECK(report == NULL);
  CHECK(trawl_git_analyze_summary(&report, &summary, db, NULL, NULL, TRAWL_REPORT_JSON, &err) ==
        TRAWL_E_INVALID);
  summary.struct_size = 1;
  CHECK(trawl_git_analyze_summary(&report, &summary, db, "x", NULL, TRAWL_REPORT_JSON, &err) ==
        TRAWL_E_INVALID);
  summary.struct_size = sizeof summary;
  CHECK(mkdtemp(dir) != NULL);
  CHECK(trawl_git_analyze_summary(&report, &summary, db, dir, NULL, TRAWL_REPORT_JSON, &err) ==
        TRAWL_E_IO);
  snprintf(command, sizeof command,
           "cd '%s' && export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null "
           "GIT_AUTHOR_NAME=Ada GIT_AUTHOR_EMAIL=ada@example.com GIT_COMMITTER_NAME=Ada "
           "GIT_COMMITTER_EMAIL=ada@example.com && git init -q -b main && "
           "printf 'key=leaked\\n' > app.env && printf 'nothing here\\n' > README && "
           "git add -A && GIT_AUTHOR_DATE=2020-02-02T00:00:00Z "
           "GIT_COMMITTER_DATE=2020-02-02T00:00:00Z git commit -q -m add && "
           "git rm -q app.env && GIT_AUTHOR_DATE=2020-03-03T00:00:00Z "
           "GIT_COMMITTER_DATE=2020-03-03T00:00:00Z git commit -q -m remove",
           dir);
  if (system("git --version >/dev/null 2>&1") != 0 || system(command) != 0) {
    printf("c_api_test: git not installed; the git summary checks are skipped\n");
  } else {
    snprintf(command, sizeof command, "git -C '%s' rev-parse HEAD~1", dir);
    command_output(command, added, sizeof added);
    CHECK(strlen(added) == 40);
    snprintf(commit_field, sizeof commit_field, "\"commit\": \"%s\"", added);
    CHECK(trawl_git_analyze_summary(&report, &summary, db, dir, NULL, TRAWL_REPORT_JSON,
                                    &err) == TRAWL_OK);
    CHECK(summary.complete == 1);
    CHECK(summary.active_by_severity[TRAWL_SEVERITY_HIGH] == 1); /* key=leaked */
    CHECK(summary.active_by_severity[TRAWL_SEVERITY_MEDIUM] == 0);
    CHECK(summary.suppressed == 0);
    CHECK(summary.components == 3); /* the repository, the two blobs */
    CHECK(report_has(report, commit_field));
    CHECK(report_has(report, "app.env"));
    CHECK(trawl_git_analyze(&plain, db, dir, NULL, TRAWL_REPORT_JSON, &err) == TRAWL_OK);
    CHECK(same_bytes(report, plain));
    trawl_buffer_free(plain);
    trawl_buffer_free(report);
    /* NULL summary: the same call without counts. */
    CHECK(trawl_git_analyze_summary(&report, NULL, db, dir, NULL, TRAWL_REPORT_SARIF, &err) ==
          TRAWL_OK);
    CHECK(report_has(report, "\"uriBaseId\": \"%SRCROOT%\""));
    trawl_buffer_free(report);
    /* A pre-commit hook on the index: nothing staged holds the secret any more. */
    CHECK(trawl_options_new(&options) == TRAWL_OK);
    CHECK(trawl_options_set_int(options, TRAWL_OPT_GIT_STAGED, 1) == TRAWL_OK);
    CHECK(trawl_git_analyze_summary(&report, &summary, db, dir, options, TRAWL_REPORT_JSON,
                                    &err) == TRAWL_OK);
    CHECK(summary.active_by_severity[TRAWL_SEVERITY_HIGH] == 0);
    CHECK(!report_has(report, "app.env"));
    trawl_buffer_free(report);
    trawl_options_free(options);
  }
  snprintf(command, sizeof command, "rm -rf '%s'", dir);
  CHECK(system(command) == 0);
  trawl_db_free(db);
}

int main(void) {
  test_version_and_status();
  test_null_handles();
  test_rules_errors();
  test_options();
  test_token_pass_options();
  test_compile_scan_and_rule_info();
  test_streaming();
  test_artifacts();
  test_old_struct_sizes();
  test_stages();
  test_packages_in_memory();
  test_carving_options();
  test_intake_limit_options();
  test_imported_rules();
  test_indicator_feeds();
  test_git();
  test_analyze_inputs();
  test_git_analyze_summary();
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
