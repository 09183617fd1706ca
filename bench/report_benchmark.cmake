# The end of a package's analysis: aggregation of its component results and the JSON
# report, against simdjson's parse of the same report (bench/RESULTS.md, issue 22).
trawl_add_benchmark(report_benchmark SOURCES report_benchmark.cc
  LIBS trawl_report trawl_aggregate simdjson::simdjson)
