# The token pass alone, per kernel, against a count-newlines pass over the same bytes.
trawl_add_benchmark(token_benchmark SOURCES token_benchmark.cc LIBS trawl_tokens)
