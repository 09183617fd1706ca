// The option table (capi/options.h) against its three other spellings: the TRAWL_OPT_*
// keys of trawl.h, the Python binding's option names, and what the library answers.
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "capi/options.h"
#include "gtest/gtest.h"
#include "re2/re2.h"
#include "trawl/trawl.h"

namespace {

using trawl::capi::kOptions;
using trawl::capi::OptionType;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// name -> value of every `#define TRAWL_OPT_<name> <value>` in trawl.h.
std::map<std::string, int32_t> HeaderKeys() {
  const std::string header = Slurp(TRAWL_SOURCE_DIR "/include/trawl/trawl.h");
  std::map<std::string, int32_t> keys;
  // RE2, not <regex>: GCC 12 warns inside <regex> at -O1 (the ASan build).
  static const RE2 define(R"(#define (TRAWL_OPT_\w+) (\d+))");
  re2::StringPiece input(header);
  std::string name;
  int32_t value = 0;
  while (RE2::FindAndConsume(&input, define, &name, &value)) keys[name] = value;
  return keys;
}

struct PythonOption {
  int32_t key;
  OptionType type;
  std::string header_name;
};

// The binding's `"name": key,  # TRAWL_OPT_...` lines, by section (_INT_OPTIONS or
// _STRING_OPTIONS).
std::map<std::string, PythonOption> PythonOptions() {
  const std::string binding = Slurp(TRAWL_SOURCE_DIR "/python/trawl/__init__.py");
  std::map<std::string, PythonOption> options;
  for (const auto& [section, type] :
       {std::pair{std::string("_INT_OPTIONS = {"), OptionType::kInt},
        std::pair{std::string("_STRING_OPTIONS = {"), OptionType::kString}}) {
    const size_t begin = binding.find(section);
    EXPECT_NE(begin, std::string::npos) << section;
    if (begin == std::string::npos) continue;
    const std::string body = binding.substr(begin, binding.find('}', begin) - begin);
    static const RE2 entry(R"re("(\w+)": (\d+),\s*# (TRAWL_OPT_\w+))re");
    re2::StringPiece input(body);
    std::string name, header_name;
    int32_t key = 0;
    while (RE2::FindAndConsume(&input, entry, &name, &key, &header_name)) {
      options[name] = {key, type, header_name};
    }
  }
  return options;
}

TEST(OptionTableTest, MatchesTheHeader) {
  const std::map<std::string, int32_t> header = HeaderKeys();
  EXPECT_EQ(header.size(), std::size(kOptions));
  std::map<int32_t, std::string> by_value;
  for (const auto& [name, value] : header) {
    EXPECT_TRUE(by_value.emplace(value, name).second) << name << " reuses " << value;
    EXPECT_NE(trawl::capi::FindOption(value), nullptr) << name << " is not in the table";
  }
  for (const auto& spec : kOptions) {
    EXPECT_TRUE(by_value.count(spec.key)) << "table key " << spec.key << " is not in trawl.h";
    size_t entries = 0;
    for (const auto& other : kOptions) entries += other.key == spec.key ? 1 : 0;
    EXPECT_EQ(entries, 1u) << "key " << spec.key;
  }
}

TEST(OptionTableTest, MatchesThePythonBinding) {
  const std::map<std::string, int32_t> header = HeaderKeys();
  const std::map<std::string, PythonOption> python = PythonOptions();
  EXPECT_EQ(python.size(), std::size(kOptions));
  for (const auto& [name, option] : python) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(header.count(option.header_name)) << option.header_name;
    EXPECT_EQ(header.at(option.header_name), option.key);
    const trawl::capi::OptionSpec* spec = trawl::capi::FindOption(option.key);
    ASSERT_NE(spec, nullptr);
    EXPECT_EQ(spec->type, option.type);
  }
}

TEST(OptionTableTest, TheLibraryAnswersFromTheTable) {
  trawl_options* options = nullptr;
  ASSERT_EQ(trawl_options_new(&options), TRAWL_OK);
  for (const auto& spec : kOptions) {
    SCOPED_TRACE(spec.key);
    int64_t min = -7, max = -7;
    if (spec.type == OptionType::kInt) {
      ASSERT_EQ(trawl_option_bounds(&min, &max, spec.key), TRAWL_OK);
      EXPECT_EQ(min, spec.min);
      EXPECT_EQ(max, spec.max);
      EXPECT_EQ(trawl_options_set_int(options, spec.key, spec.min), TRAWL_OK);
      EXPECT_EQ(trawl_options_set_int(options, spec.key, spec.max), TRAWL_OK);
      if (spec.min > INT64_MIN) {
        EXPECT_EQ(trawl_options_set_int(options, spec.key, spec.min - 1), TRAWL_E_INVALID);
      }
      if (spec.max < INT64_MAX) {
        EXPECT_EQ(trawl_options_set_int(options, spec.key, spec.max + 1), TRAWL_E_INVALID);
      }
      EXPECT_EQ(trawl_options_set_string(options, spec.key, "x"), TRAWL_E_UNSUPPORTED);
    } else {
      EXPECT_EQ(trawl_option_bounds(&min, &max, spec.key), TRAWL_E_UNSUPPORTED);
      // An option that checks its value refuses "x" (no region, file or name is "x"
      // for those) and still takes the empty default.
      EXPECT_EQ(trawl_options_set_string(options, spec.key, "x"),
                spec.accepts == nullptr ? TRAWL_OK : TRAWL_E_INVALID);
      EXPECT_EQ(trawl_options_set_string(options, spec.key, nullptr), TRAWL_OK);
      EXPECT_EQ(trawl_options_set_int(options, spec.key, 0), TRAWL_E_UNSUPPORTED);
    }
  }
  EXPECT_EQ(trawl_options_set_int(options, 999, 0), TRAWL_E_UNSUPPORTED);
  trawl_options_free(options);
}

}  // namespace
