/* One artifact load in this (fresh) process, the cost a cold start pays: a loop of
 * loads in one process measures warm reloads instead (bench/RESULTS.md).
 *   load_cold ARTIFACT trawl   trawl_db_load_file once
 *   load_cold ARTIFACT copy    the baseline: read the file into fresh memory once, the
 *                              floor for any loader that materialises the artifact
 *   load_cold ARTIFACT warm    best of 10 loads in this process, then best of 10
 *                              trawl_scratch_new on the loaded database
 * Prints milliseconds. bench/cold_load.sh runs them in fresh processes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trawl/trawl.h"

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Warm reloads and scanner scratch creation: what later loads and every new scanner pay. */
static int warm(const char* path) {
  double load_best = 1e30, scratch_best = 1e30;
  trawl_db* db = NULL;
  trawl_error err = TRAWL_ERROR_INIT;
  for (int i = 0; i < 10; ++i) {
    trawl_db_free(db);
    db = NULL;
    const double start = now_ms();
    if (trawl_db_load_file(&db, path, &err) != TRAWL_OK) {
      fprintf(stderr, "load_cold: %s\n", err.message);
      return 1;
    }
    const double took = now_ms() - start;
    if (took < load_best) load_best = took;
  }
  for (int i = 0; i < 10; ++i) {
    trawl_scratch* scratch = NULL;
    const double start = now_ms();
    if (trawl_scratch_new(&scratch, db) != TRAWL_OK) return 1;
    const double took = now_ms() - start;
    if (took < scratch_best) scratch_best = took;
    trawl_scratch_free(scratch);
  }
  trawl_db_free(db);
  printf("%.1f %.2f\n", load_best, scratch_best);
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: load_cold ARTIFACT trawl|copy|warm\n");
    return 2;
  }
  if (strcmp(argv[2], "warm") == 0) return warm(argv[1]);
  const double start = now_ms();
  if (strcmp(argv[2], "trawl") == 0) {
    trawl_db* db = NULL;
    trawl_error err = TRAWL_ERROR_INIT;
    if (trawl_db_load_file(&db, argv[1], &err) != TRAWL_OK) {
      fprintf(stderr, "load_cold: %s\n", err.message);
      return 1;
    }
    printf("%.1f\n", now_ms() - start);
    trawl_db_free(db);
    return 0;
  }
  FILE* f = fopen(argv[1], "rb");
  if (f == NULL) return 1;
  fseek(f, 0, SEEK_END);
  const long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* bytes = (char*)malloc((size_t)size);
  const size_t got = bytes ? fread(bytes, 1, (size_t)size, f) : 0;
  fclose(f);
  if (got != (size_t)size) return 1;
  printf("%.1f\n", now_ms() - start);
  free(bytes);
  return 0;
}
