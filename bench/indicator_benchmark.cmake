# Threat indicators (docs/indicators.md): analysis and scan of the mixed input with the
# default artifact with and without its indicator set, and the lookup cost per candidate.
# bench/indicators.sh builds the artifacts and runs it.
trawl_add_benchmark(indicator_benchmark SOURCES indicator_benchmark.cc
  LIBS trawl_analyze trawl_entities trawl_engine trawl_util)
