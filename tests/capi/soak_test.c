/* Soak test of a long-lived host: one process analyses package after package through the
 * C API, as the Lambda and Fargate hosts do (examples/aws/host/pipeline.cc): the database
 * loaded once from a file, then per package intake to a directory, the work list, a plan
 * and an analysis per component, aggregation; and the one-call analysis in between.
 * Memory and open file descriptors must plateau: after a warm-up quarter, the second
 * half's peak may not exceed the first half's by more than a small margin, both for the
 * resident set (2%, 1 MiB at least) and for the bytes malloc has handed out and not got
 * back (1%, 64 KiB at least: a small leak reuses freed pages and would not show in the
 * resident set for a long time), and the descriptors open at the end are those open
 * after warm-up.
 *
 *   soak_test RULES[:RULES...] PACKAGE_DIR WORK_DIR ROUNDS [REPORT_EVERY]
 * Prints "round rss_kib heap_kib fds" every REPORT_EVERY rounds (bench/RESULTS.md has the
 * curve of a long run; CI runs a short one). */
#include <dirent.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trawl/trawl.h"

/* Under a sanitizer the allocator is the sanitizer's (quarantine, shadow memory): the
 * rounds still run, for its own checks, but the plateau is not judged. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#define MAX_PACKAGES 64
#define MAX_COMPONENTS 256

static void Die(const char* what, trawl_status status, const trawl_error* err) {
  fprintf(stderr, "soak: %s: %s %s\n", what, trawl_status_str(status), err ? err->message : "");
  exit(1);
}

static long ResidentKib(void) {
  long pages = 0, resident = 0;
  FILE* f = fopen("/proc/self/statm", "r");
  if (f == NULL || fscanf(f, "%ld %ld", &pages, &resident) != 2) exit(1);
  fclose(f);
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static long HeapInUseKib(void) {
  const struct mallinfo2 info = mallinfo2();
  return (long)((info.uordblks + info.hblkhd) / 1024);
}

static int OpenFds(void) {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  if (d == NULL) exit(1);
  while (readdir(d) != NULL) ++n;
  closedir(d);
  return n - 3; /* ".", ".." and the directory's own descriptor */
}

static char* ReadAll(const char* path, size_t* len) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  const long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* data = malloc((size_t)size + 1);
  if (data == NULL || fread(data, 1, (size_t)size, f) != (size_t)size) exit(1);
  fclose(f);
  *len = (size_t)size;
  return data;
}

/* Removes the files of a flat directory (intake writes one file per component). */
static void EmptyDirectory(const char* dir) {
  DIR* d = opendir(dir);
  if (d == NULL) return;
  struct dirent* e;
  char path[4400];
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path) exit(1);
    unlink(path);
  }
  closedir(d);
}

/* The stage-by-stage path of the hosts for one package. */
static void AnalyzeInStages(const trawl_db* db, const trawl_options* options, const char* package,
                            const char* parts) {
  trawl_error err = TRAWL_ERROR_INIT;
  trawl_buffer* manifest = NULL;
  EmptyDirectory(parts);
  trawl_status s = trawl_package_decompose_to_directory(&manifest, package, parts, options, &err);
  if (s != TRAWL_OK) Die("decompose", s, &err);
  trawl_buffer* work = NULL;
  s = trawl_manifest_work(&work, trawl_buffer_data(manifest), trawl_buffer_size(manifest), &err);
  if (s != TRAWL_OK) Die("work", s, &err);
  /* The work list's component ids: every "id": "<32 hex>" in it. */
  char* results[MAX_COMPONENTS];
  size_t lens[MAX_COMPONENTS];
  size_t count = 0;
  const char* at = trawl_buffer_data(work);
  while ((at = strstr(at, "\"id\":")) != NULL && count < MAX_COMPONENTS) {
    at = strchr(at + 5, '"') + 1;
    char id[33];
    memcpy(id, at, 32);
    id[32] = '\0';
    char path[4200];
    if (snprintf(path, sizeof path, "%s/%s", parts, id) >= (int)sizeof path) exit(1);
    size_t len = 0;
    char* content = ReadAll(path, &len);
    if (content == NULL) Die(path, TRAWL_E_IO, NULL);
    trawl_buffer* plan = NULL;
    s = trawl_component_plan(&plan, db, trawl_buffer_data(manifest), trawl_buffer_size(manifest),
                             id, content, len, options, &err);
    if (s != TRAWL_OK) Die("plan", s, &err);
    trawl_buffer_free(plan);
    trawl_buffer* result = NULL;
    s = trawl_component_analyze(&result, db, trawl_buffer_data(manifest),
                                trawl_buffer_size(manifest), id, content, len, options, &err);
    if (s != TRAWL_OK) Die("analyze-component", s, &err);
    free(content);
    lens[count] = trawl_buffer_size(result);
    results[count] = malloc(lens[count]);
    memcpy(results[count], trawl_buffer_data(result), lens[count]);
    trawl_buffer_free(result);
    ++count;
  }
  trawl_buffer* report = NULL;
  s = trawl_report_aggregate(&report, trawl_buffer_data(manifest), trawl_buffer_size(manifest),
                             (const char* const*)results, lens, count, options, TRAWL_REPORT_JSON,
                             &err);
  if (s != TRAWL_OK) Die("aggregate", s, &err);
  for (size_t i = 0; i < count; ++i) free(results[i]);
  trawl_buffer_free(report);
  trawl_buffer_free(work);
  trawl_buffer_free(manifest);
}

int main(int argc, char** argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: soak_test RULES[:RULES...] PACKAGE_DIR WORK_DIR ROUNDS [REPORT_EVERY]\n");
    return 2;
  }
  const char* work_dir = argv[3];
  const long rounds = atol(argv[4]);
  const long report_every = argc > 5 ? atol(argv[5]) : 10;
  char db_path[4200], parts[4200];
  if (snprintf(db_path, sizeof db_path, "%s/soak.tdb", work_dir) >= (int)sizeof db_path ||
      snprintf(parts, sizeof parts, "%s/parts", work_dir) >= (int)sizeof parts) {
    return 2;
  }
  mkdir(work_dir, 0755);
  mkdir(parts, 0755);

  /* The database, compiled and saved once, then loaded from its file as a host does. */
  trawl_error err = TRAWL_ERROR_INIT;
  trawl_rules* rules = NULL;
  trawl_db* compiled = NULL;
  trawl_status s = trawl_rules_new(&rules);
  if (s != TRAWL_OK) Die("rules", s, NULL);
  for (char* file = strtok(argv[1], ":"); file != NULL; file = strtok(NULL, ":")) {
    s = trawl_rules_add_file(rules, file, &err);
    if (s != TRAWL_OK) Die(file, s, &err);
  }
  s = trawl_db_compile(&compiled, rules, NULL, &err);
  if (s != TRAWL_OK) Die("compile", s, &err);
  s = trawl_db_save_file(compiled, db_path, &err);
  if (s != TRAWL_OK) Die("save", s, &err);
  trawl_db_free(compiled);
  trawl_rules_free(rules);
  trawl_db* db = NULL;
  s = trawl_db_load_file(&db, db_path, &err);
  if (s != TRAWL_OK) Die("load", s, &err);
  trawl_options* options = NULL;
  trawl_options_new(&options);
  trawl_options_set_int(options, TRAWL_OPT_TIME_BUDGET_MS, 60000);

  char* packages[MAX_PACKAGES];
  size_t package_count = 0;
  DIR* d = opendir(argv[2]);
  if (d == NULL) Die(argv[2], TRAWL_E_IO, NULL);
  struct dirent* e;
  while ((e = readdir(d)) != NULL && package_count < MAX_PACKAGES) {
    if (e->d_name[0] == '.') continue;
    packages[package_count] = malloc(strlen(argv[2]) + strlen(e->d_name) + 2);
    sprintf(packages[package_count++], "%s/%s", argv[2], e->d_name);
  }
  closedir(d);
  if (package_count == 0) Die("no packages", TRAWL_E_NOT_FOUND, NULL);

  const long warm_up = rounds / 4;
  const long half = warm_up + (rounds - warm_up) / 2;
  long first_half_peak = 0, second_half_peak = 0;
  long first_half_heap = 0, second_half_heap = 0;
  int fds_after_warm_up = -1;
  printf("round rss_kib heap_kib fds\n");
  for (long round = 1; round <= rounds; ++round) {
    const char* package = packages[(size_t)round % package_count];
    AnalyzeInStages(db, options, package, parts);
    trawl_buffer* report = NULL;
    s = trawl_package_analyze_file(&report, db, package, options, TRAWL_REPORT_JSON, &err);
    if (s != TRAWL_OK) Die("analyze", s, &err);
    trawl_buffer_free(report);
    const long rss = ResidentKib();
    const long heap = HeapInUseKib();
    const int fds = OpenFds();
    if (round == warm_up) fds_after_warm_up = fds;
    if (round > warm_up && round <= half) {
      if (rss > first_half_peak) first_half_peak = rss;
      if (heap > first_half_heap) first_half_heap = heap;
    }
    if (round > half) {
      if (rss > second_half_peak) second_half_peak = rss;
      if (heap > second_half_heap) second_half_heap = heap;
    }
    if (round % report_every == 0 || round == 1) {
      printf("%ld %ld %ld %d\n", round, rss, heap, fds);
    }
  }
  EmptyDirectory(parts);
  rmdir(parts);
  unlink(db_path);
  trawl_options_free(options);
  trawl_db_free(db);
  for (size_t i = 0; i < package_count; ++i) free(packages[i]);

  const long margin = first_half_peak / 50 > 1024 ? first_half_peak / 50 : 1024;
  const long heap_margin = first_half_heap / 100 > 64 ? first_half_heap / 100 : 64;
  const int fds_end = OpenFds();
  printf("peaks: resident %ld -> %ld KiB, heap %ld -> %ld KiB; fds %d -> %d\n",
         first_half_peak, second_half_peak, first_half_heap, second_half_heap,
         fds_after_warm_up, fds_end);
  if (SANITIZED) {
    printf("sanitizer build: the plateau is not judged\n");
    return 0;
  }
  if (second_half_peak > first_half_peak + margin) {
    fprintf(stderr, "soak: resident memory keeps growing\n");
    return 1;
  }
  if (second_half_heap > first_half_heap + heap_margin) {
    fprintf(stderr, "soak: heap in use keeps growing\n");
    return 1;
  }
  if (fds_end > fds_after_warm_up) {
    fprintf(stderr, "soak: file descriptors leak\n");
    return 1;
  }
  return 0;
}
