# Structural analysis of JSON against simdjson's own parse of the same file.
trawl_add_benchmark(structure_benchmark SOURCES structure_benchmark.cc
  LIBS trawl_structure simdjson::simdjson)
