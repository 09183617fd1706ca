#define _POSIX_C_SOURCE 200809L /* mkdtemp */
/* The scan planner's C options: TRAWL_OPT_SCAN_PLAN and TRAWL_OPT_COMPILE_CACHE_DIR
 * (trawl_options_set_string). Compiled as C. A planned and an unplanned database of the same
 * rules must report the same matches, with and without a compile cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/trawl.h"

#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) {                                                    \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      exit(1);                                                        \
    }                                                                 \
  } while (0)

static int Count(const trawl_match* match, void* user_data) {
  (void)match;
  ++*(size_t*)user_data;
  return 0;
}

static size_t ScanWith(int64_t plan, const char* cache_dir) {
  static const char kRules[] =
      "[{\"id\":\"aws\",\"regex\":\"AKIA[0-9A-Z]{16}\"},"
      "{\"id\":\"kv\",\"regex\":\"(?i)token\\\\s*=\\\\s*[a-z0-9]{8,}\"},"
      "{\"id\":\"digit\",\"regex\":\"[0-9]\"},"
      "{\"id\":\"lit\",\"literal\":\"password\"}]";
  static const char kInput[] = "x AKIAABCDEFGHIJKLMNOP TOKEN = abcdef123 password 42";
  trawl_rules* rules = NULL;
  trawl_options* options = NULL;
  trawl_db* db = NULL;
  trawl_scratch* scratch = NULL;
  size_t matches = 0;
  CHECK(trawl_rules_new(&rules) == TRAWL_OK);
  CHECK(trawl_rules_add_json(rules, kRules, sizeof kRules - 1, "inline", NULL) == TRAWL_OK);
  CHECK(trawl_options_new(&options) == TRAWL_OK);
  CHECK(trawl_options_set_int(options, TRAWL_OPT_SCAN_PLAN, plan) == TRAWL_OK);
  CHECK(trawl_options_set_string(options, TRAWL_OPT_COMPILE_CACHE_DIR, cache_dir) == TRAWL_OK);
  CHECK(trawl_db_compile(&db, rules, options, NULL) == TRAWL_OK);
  CHECK(trawl_scratch_new(&scratch, db) == TRAWL_OK);
  CHECK(trawl_scan(db, scratch, kInput, sizeof kInput - 1, options, Count, &matches, NULL) ==
        TRAWL_OK);
  trawl_scratch_free(scratch);
  trawl_db_free(db);
  trawl_options_free(options);
  trawl_rules_free(rules);
  return matches;
}

int main(void) {
  trawl_options* options = NULL;
  int64_t lo = -1, hi = -1;
  CHECK(trawl_option_bounds(&lo, &hi, TRAWL_OPT_SCAN_PLAN) == TRAWL_OK && lo == 0 && hi == 1);
  CHECK(trawl_options_new(&options) == TRAWL_OK);
  CHECK(trawl_options_set_int(options, TRAWL_OPT_SCAN_PLAN, 2) == TRAWL_E_INVALID);
  CHECK(trawl_options_set_string(options, TRAWL_OPT_MAX_WINDOW, "x") == TRAWL_E_UNSUPPORTED);
  CHECK(trawl_options_set_string(options, TRAWL_OPT_COMPILE_CACHE_DIR, NULL) == TRAWL_OK);
  CHECK(trawl_options_set_string(NULL, TRAWL_OPT_COMPILE_CACHE_DIR, "x") == TRAWL_E_INVALID);
  trawl_options_free(options);

  const size_t expected = 6; /* aws, kv, password, and the digits 4 and 2 ... */
  const size_t planned = ScanWith(1, "");
  const size_t unplanned = ScanWith(0, "");
  CHECK(planned == unplanned);
  CHECK(planned >= expected);
  char dir[] = "/tmp/trawl_plan_options_XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  CHECK(ScanWith(1, dir) == planned); /* fills the cache */
  CHECK(ScanWith(1, dir) == planned); /* reads it back */
  printf("plan options: ok (%zu matches)\n", planned);
  return 0;
}
