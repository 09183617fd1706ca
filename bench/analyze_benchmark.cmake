# Per-component analysis (scan + structure + recognizers) of a large JSON component.
trawl_add_benchmark(analyze_benchmark SOURCES analyze_benchmark.cc
  LIBS trawl_analyze trawl_engine trawl_rules trawl_json trawl_structure trawl_util)
