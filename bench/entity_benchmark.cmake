# Candidate recognition (validator, entropy, context score) per candidate.
trawl_add_benchmark(entity_benchmark SOURCES entity_benchmark.cc LIBS trawl_entities)
