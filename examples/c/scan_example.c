/*
 * scan_example.c — compile two pattern definitions and scan a buffer, in plain C.
 *
 * Build: cc scan_example.c $(pkg-config --cflags --libs trawl) -o scan_example
 * Usage: ./scan_example "text to scan"
 *
 * Shows full cleanup on every path, error details through trawl_error, and matches
 * with exact spans and capture groups.
 */
#include <stdio.h>
#include <string.h>

#include "trawl/trawl.h"

static const char kRules[] =
    "[{\"id\": \"aws-key-id\", \"regex\": \"\\\\b(AKIA[0-9A-Z]{16})\\\\b\", \"severity\": \"high\"},"
    " {\"id\": \"password-word\", \"literal\": \"password\", \"flags\": [\"caseless\"]}]";

static int on_match(const trawl_match* m, void* user_data) {
  const trawl_db* db = (const trawl_db*)user_data;
  trawl_rule_info info = TRAWL_RULE_INFO_INIT;
  if (trawl_db_rule(&info, db, m->rule_index) != TRAWL_OK) return 1;
  printf("%s [%llu, %llu): %.*s\n", info.id, (unsigned long long)m->start,
         (unsigned long long)m->end, (int)(m->end - m->start), m->data);
  return 0;
}

int main(int argc, char** argv) {
  const char* text = argc > 1 ? argv[1] : "PASSWORD=x key=AKIAIOSFODNN7EXAMPLE";
  trawl_error err = TRAWL_ERROR_INIT;
  trawl_rules* rules = NULL;
  trawl_db* db = NULL;
  trawl_scratch* scratch = NULL;
  int rc = 1;

  if (trawl_rules_new(&rules) != TRAWL_OK) goto done;
  if (trawl_rules_add_json(rules, kRules, strlen(kRules), "inline", &err) != TRAWL_OK) {
    fprintf(stderr, "rules: %s\n", err.message);
    goto done;
  }
  if (trawl_db_compile(&db, rules, NULL, &err) != TRAWL_OK) {
    fprintf(stderr, "compile: %s\n", err.message);
    goto done;
  }
  if (trawl_scratch_new(&scratch, db) != TRAWL_OK) goto done;
  trawl_scan_result result = TRAWL_SCAN_RESULT_INIT;
  trawl_status status =
      trawl_scan(db, scratch, text, strlen(text), NULL, on_match, db, &result);
  if (status != TRAWL_OK) {
    fprintf(stderr, "scan: %s\n", trawl_status_str(status));
    goto done;
  }
  printf("%llu matches in %llu bytes\n", (unsigned long long)result.matches,
         (unsigned long long)result.bytes_scanned);
  rc = 0;
done:
  trawl_scratch_free(scratch);
  trawl_db_free(db);
  trawl_rules_free(rules);
  return rc;
}
