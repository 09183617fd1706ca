// A C++17 consumer of the installed trawl.hpp: compiles two definitions, scans its first
// argument and prints "rule start end" per match.
#include <cstdio>
#include <string>

#include "trawl/trawl.hpp"

int main(int argc, char** argv) try {
  const std::string text = argc > 1 ? argv[1] : "";
  trawl::Rules rules;
  rules.AddJson(R"([{"id": "aws-key-id", "regex": "\\b(AKIA[0-9A-Z]{16})\\b"}])");
  trawl::Database db = trawl::Database::Compile(rules);
  trawl::Scratch scratch(db);
  scratch.Scan(db, text, [&](const trawl_match& m) {
    std::printf("%u %llu %llu\n", m.rule_index, static_cast<unsigned long long>(m.start),
                static_cast<unsigned long long>(m.end));
    return true;
  });
  return 0;
} catch (const trawl::Error& e) {
  std::fprintf(stderr, "trawl: %s\n", e.what());
  return 1;
}
