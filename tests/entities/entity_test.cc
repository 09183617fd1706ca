// Context scoring and Recognize(): keywords and key names raise confidence, placeholder
// context lowers it, validators drop or lower candidates, and every change is explained.
#include "entities/entity.h"

#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "gtest/gtest.h"
#include "util/file.h"

namespace trawl {
namespace {

bool HasReason(const std::vector<std::string>& reasons, std::string_view needle) {
  for (const std::string& r : reasons) {
    if (r.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(ContainsWordTest, Boundaries) {
  EXPECT_TRUE(ContainsWord("my test value", "test"));
  EXPECT_TRUE(ContainsWord("TEST_KEY", "test"));
  EXPECT_TRUE(ContainsWord("testKey", "test"));  // camelCase hump
  EXPECT_TRUE(ContainsWord("dummy-1", "dummy"));
  EXPECT_FALSE(ContainsWord("latest build", "test"));
  EXPECT_FALSE(ContainsWord("contestant", "test"));
  EXPECT_TRUE(ContainsWord("token ghp_abc", "ghp_"));  // separator-terminated prefix
  EXPECT_FALSE(ContainsWord("", "x"));
}

// ContainsWord before issue 22 folded case at every offset for every word; it now
// searches a folded copy. The old loop is the reference.
bool ReferenceContainsWord(std::string_view text, std::string_view word) {
  const auto lower = [](char c) { return absl::ascii_tolower(static_cast<unsigned char>(c)); };
  const auto letter = [](char c) { return absl::ascii_isalpha(static_cast<unsigned char>(c)); };
  const auto upper = [](char c) { return absl::ascii_isupper(static_cast<unsigned char>(c)); };
  if (word.empty() || word.size() > text.size()) return false;
  for (size_t i = 0; i + word.size() <= text.size(); ++i) {
    bool eq = true;
    for (size_t k = 0; k < word.size(); ++k) {
      if (lower(text[i + k]) != lower(word[k])) {
        eq = false;
        break;
      }
    }
    if (!eq) continue;
    bool before = i == 0 || !letter(text[i - 1]) || (upper(text[i]) && !upper(text[i - 1]));
    size_t j = i + word.size();
    bool after = j == text.size() || !letter(text[j]) || (upper(text[j]) && !upper(text[j - 1]));
    if (!letter(word.back())) after = true;
    if (before && after) return true;
  }
  return false;
}

TEST(ContainsWordTest, EqualsTheReferenceOnRealText) {
  // Every entity keyword and negative word, as given, upper-cased and capitalized.
  std::vector<std::string> words = ContextOptions().negative_words;
  for (const EntityType& type : AllEntityTypes()) {
    for (std::string_view kw : type.keywords) words.emplace_back(kw);
  }
  words.insert(words.end(), {"ghp_", "sk-", "API_KEY", "Token", "x", "id"});
  for (size_t i = 0, n = words.size(); i < n; ++i) {
    words.push_back(absl::AsciiStrToUpper(words[i]));
    std::string cap = words[i];
    cap[0] = absl::ascii_toupper(static_cast<unsigned char>(cap[0]));
    words.push_back(cap);
  }
  // Windows of the shared corpus' scan inputs and the repository's rule files.
  std::vector<std::string> texts;
  for (const std::string& dir : {std::string(TRAWL_SHARED_DIR) + "/corpus/scan_inputs",
                                std::string(TRAWL_SOURCE_DIR) + "/rules"}) {
    if (!std::filesystem::exists(dir)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file() || entry.file_size() > (4u << 20)) continue;
      auto bytes = ReadFile(entry.path().string());
      if (bytes.ok()) texts.push_back(*std::move(bytes));
    }
  }
  ASSERT_FALSE(texts.empty());
  std::mt19937 rng(22);
  size_t checked = 0, hits = 0;
  for (const std::string& text : texts) {
    for (int k = 0; k < 200 && !text.empty(); ++k) {
      const size_t at = rng() % text.size();
      const std::string_view window = std::string_view(text).substr(at, rng() % 160);
      for (const std::string& word : words) {
        const bool want = ReferenceContainsWord(window, word);
        ASSERT_EQ(want, ContainsWord(window, word)) << "'" << word << "' in '" << window << "'";
        ++checked;
        hits += want;
      }
    }
  }
  EXPECT_GT(hits, 100u) << checked;  // the windows do hold words
}

TEST(ContextScorerTest, KeywordNearMatchRaises) {
  ContextScorer scorer;
  std::string data = "wire to IBAN GB82WEST12345698765432 today";
  size_t b = data.find("GB82");
  std::vector<std::string> kw = {"iban"};
  ContextScore s = scorer.Score(data, b, b + 22, "", kw);
  EXPECT_GT(s.adjustment, 0);
  EXPECT_TRUE(HasReason(s.reasons, "keyword 'iban'"));
}

TEST(ContextScorerTest, PlaceholderContextLowers) {
  ContextScorer scorer;
  std::string data = "# example only: token = abcdef0123456789";
  size_t b = data.find("abcdef");
  ContextScore s = scorer.Score(data, b, data.size(), "", {});
  EXPECT_LT(s.adjustment, 0);
  EXPECT_TRUE(HasReason(s.reasons, "'example' near the match"));
}

TEST(ContextScorerTest, WindowLimitsWhatIsSeen) {
  ContextOptions opts;
  opts.window = 8;
  ContextScorer scorer(opts);
  std::string data = "example" + std::string(40, ' ') + "VALUE";
  size_t b = data.find("VALUE");
  EXPECT_EQ(scorer.Score(data, b, b + 5, "", {}).adjustment, 0.0);
  ContextScorer wide;
  EXPECT_LT(wide.Score(data, b, b + 5, "", {}).adjustment, 0.0);
}

// The rule's keywords are tried before the entity type's: the first found is the one the
// reason names. Words past the inline fold (a key or value over 128 bytes) still count.
TEST(ContextScorerTest, RuleKeywordsComeFirstAndLongTextsAreSearched) {
  ContextScorer scorer;
  const std::string data = "db_password = s3cr3tV4lue9";
  const size_t b = data.find("s3cr");
  const std::vector<std::string> rule = {"db"};
  const std::vector<std::string_view> type = {"password"};
  EXPECT_TRUE(HasReason(scorer.Score(data, b, data.size(), "", rule, type).reasons, "keyword 'db'"));
  EXPECT_TRUE(HasReason(scorer.Score(data, b, data.size(), "", {}, type).reasons, "keyword 'password'"));
  const std::string long_key = std::string(200, 'x') + "_Password";
  ContextScore s = scorer.Score(data, b, data.size(), long_key, {}, type);
  EXPECT_TRUE(HasReason(s.reasons, "names the entity ('password')"));
  const std::string long_value = std::string(150, 'a') + "_EXAMPLE";
  EXPECT_TRUE(HasReason(scorer.Score(long_value, 0, long_value.size(), "", {}).reasons,
                        "value contains 'example'"));
}

TEST(ContextScorerTest, KeyNameRaisesOrLowers) {
  ContextScorer scorer;
  std::string data = "s3cr3tV4lue9";
  std::vector<std::string> kw = {"password"};
  ContextScore pos = scorer.Score(data, 0, data.size(), "db_password", kw);
  EXPECT_GT(pos.adjustment, 0);
  EXPECT_TRUE(HasReason(pos.reasons, "key 'db_password'"));
  ContextScore neg = scorer.Score(data, 0, data.size(), "example_password", kw);
  EXPECT_LT(neg.adjustment, pos.adjustment);
  EXPECT_TRUE(HasReason(neg.reasons, "suggests a non-real value"));
}

TEST(ContextScorerTest, PenaltiesAreCapped) {
  ContextScorer scorer;
  std::string data = "example test dummy sample EXAMPLEVALUE fake placeholder";
  size_t b = data.find("EXAMPLEVALUE");
  ContextScore s = scorer.Score(data, b, b + 12, "test_example", {});
  EXPECT_GE(s.adjustment, -scorer.options().max_penalty - 1e-9);
}

TEST(RecognizeTest, ValidCardWithContext) {
  ContextScorer scorer;
  std::string data = "card number: 4539 1488 0343 6467 exp 12/29";
  size_t b = data.find("4539");
  Candidate c;
  c.rule_id = "entity-credit-card";
  c.entity = "credit_card";
  c.base_confidence = 0.5;
  c.data = data;
  c.begin = b;
  c.end = b + 19;
  auto e = Recognize(c, scorer);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->type, "credit_card");
  EXPECT_EQ(e->validator, "luhn");  // the entity type's default validator
  EXPECT_TRUE(e->validated);
  EXPECT_EQ(e->value, "4539148803436467");
  EXPECT_GT(e->confidence, 0.5);
  EXPECT_TRUE(HasReason(e->reasons, "validator luhn"));
  EXPECT_TRUE(HasReason(e->reasons, "keyword 'card'"));
}

TEST(RecognizeTest, FailedValidatorDropsOrLowers) {
  ContextScorer scorer;
  std::string data = "order 4539 1488 0343 6468 shipped";
  size_t b = data.find("4539");
  Candidate c;
  c.entity = "credit_card";
  c.data = data;
  c.begin = b;
  c.end = b + 19;
  EXPECT_FALSE(Recognize(c, scorer).has_value());
  RecognizeOptions lower;
  lower.on_failure = ValidatorFailure::kLower;
  auto e = Recognize(c, scorer, lower);
  ASSERT_TRUE(e.has_value());
  EXPECT_FALSE(e->validated);
  EXPECT_LT(e->confidence, 0.5);
  EXPECT_TRUE(HasReason(e->reasons, "failed: Luhn checksum mismatch"));
}

// Valid syntax, wrong thing: the shapes around the candidate decide (false positives
// counted on bench_mixed_16MiB.bin and the labelled fixtures, bench/RESULTS.md).
std::optional<Entity> RecognizeIn(std::string_view entity, std::string_view data,
                                  std::string_view value, const RecognizeOptions& options = {}) {
  static const ContextScorer scorer;
  Candidate c;
  c.entity = entity;
  c.data = data;
  c.begin = data.find(value);
  EXPECT_NE(c.begin, std::string_view::npos) << value;
  c.end = c.begin + value.size();
  return Recognize(c, scorer, options);
}

TEST(RecognizeTest, DomainShapedCodeIsNotADomain) {
  EXPECT_FALSE(RecognizeIn("domain", "if (oids->sha1.id[0] <= i)", "sha1.id"));
  EXPECT_FALSE(RecognizeIn("domain", "git_str_init(&info.to, 0);", "info.to"));
  EXPECT_FALSE(RecognizeIn("domain", "import java.net.URL", "java.net"));
  EXPECT_FALSE(RecognizeIn("domain", "configure_file(git2_features.h.in out)", "h.in"));
  EXPECT_FALSE(RecognizeIn("domain", "run ./rename.pl --help", "rename.pl"));
  EXPECT_FALSE(RecognizeIn("domain", "x = cfg.dev(1);", "cfg.dev"));
  EXPECT_FALSE(
      RecognizeIn("domain", "import scala.reflect.io.{Directory, File}", "scala.reflect.io"));
  // Host names in prose, URLs and addresses stay.
  EXPECT_TRUE(RecognizeIn("domain", "pull from www.libssh2.org by hand", "www.libssh2.org"));
  EXPECT_TRUE(RecognizeIn("domain", "see https://wiki.scala-lang.org/x", "wiki.scala-lang.org"));
  EXPECT_TRUE(RecognizeIn("domain", "mail ops@mail.example.co.uk.", "mail.example.co.uk"));
  EXPECT_TRUE(RecognizeIn("domain", "resolves cdn.evil-host.ru; blocked", "evil-host.ru"));
  // With kLower the candidate stays, lowered, and says why.
  RecognizeOptions lower;
  lower.on_failure = ValidatorFailure::kLower;
  auto e = RecognizeIn("domain", "import java.net.URL", "java.net", lower);
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(HasReason(e->reasons, "context: the dotted name continues"));
}

TEST(RecognizeTest, UrlUserinfoIsNotAnEmailAddress) {
  EXPECT_FALSE(RecognizeIn("email",
                           "uri = \"https://gitlab-ci-token:password@gitlab.com/org/r.git\"",
                           "password@gitlab.com"));
  EXPECT_FALSE(RecognizeIn("email", "(eg `https://foo:bar@example.com/repo`)", "bar@example.com"));
  EXPECT_TRUE(RecognizeIn("email", "mailto:libgit2@gmail.com", "libgit2@gmail.com"));
  EXPECT_TRUE(
      RecognizeIn("email", "see https://x.org/a?to=ops@corp-mail.com", "ops@corp-mail.com"));
  EXPECT_TRUE(RecognizeIn("email", "Dan Shumow <danshu@microsoft.com>", "danshu@microsoft.com"));
}

TEST(RecognizeTest, MacCutFromAFingerprintIsNotAMac) {
  const std::string fp = "Fingerprint: 80:19:eb:c8:80:a1:c6:ea:ea:37:ba:c0:26:c6:7f:61.";
  EXPECT_FALSE(RecognizeIn("mac_address", fp, "80:19:eb:c8:80:a1"));
  EXPECT_FALSE(RecognizeIn("mac_address", fp, "c6:ea:ea:37:ba:c0"));
  EXPECT_TRUE(
      RecognizeIn("mac_address", "ether 3c:22:fb:1a:0e:5d txqueuelen", "3c:22:fb:1a:0e:5d"));
}

TEST(RecognizeTest, RuleValidatorOverridesDefaultAndCaptureIsTheValue) {
  ContextScorer scorer;
  std::string data = "password = \"q8Vf2LpZ7xR3mK9tW1bN\"";
  Candidate c;
  c.entity = "generic_secret";
  c.validator = "entropy";
  c.base_confidence = 0.45;
  c.data = data;
  c.begin = 0;
  c.end = data.size();
  c.value_begin = data.find('q');
  c.value_end = data.size() - 1;
  std::vector<std::string> kw = {"password"};
  c.rule_keywords = kw;
  auto e = Recognize(c, scorer);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->value, "q8Vf2LpZ7xR3mK9tW1bN");
  EXPECT_GT(e->entropy, 3.0);
  EXPECT_GT(e->confidence, 0.45);
}

TEST(RecognizeTest, LowEntropySecretIsLowered) {
  ContextScorer scorer;
  std::string data = "token: aaaaaaaabbbbbbbb";
  Candidate c;  // no entity, no validator: a plain secret rule
  c.base_confidence = 0.8;
  c.data = data;
  c.begin = 7;
  c.end = data.size();
  auto e = Recognize(c, scorer);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->type, "secret");
  EXPECT_LT(e->confidence, 0.8);
  EXPECT_TRUE(HasReason(e->reasons, "entropy"));
}

TEST(RecognizeTest, MinConfidenceDrops) {
  ContextScorer scorer;
  std::string data = "example: 192.0.2.10";
  Candidate c;
  c.entity = "ipv4";
  c.base_confidence = 0.5;
  c.data = data;
  c.begin = data.find("192");
  c.end = data.size();
  RecognizeOptions opts;
  opts.min_confidence = 0.3;
  EXPECT_FALSE(Recognize(c, scorer, opts).has_value());  // documentation range + "example"
  opts.min_confidence = 0.0;
  auto e = Recognize(c, scorer, opts);
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(HasReason(e->reasons, "documentation"));
}

TEST(EntityTypeTest, TableIsConsistent) {
  for (const EntityType& t : AllEntityTypes()) {
    EXPECT_TRUE(CheckEntityFields(t.name, t.validator).ok()) << t.name;
    EXPECT_EQ(FindEntityType(t.name), &t);
  }
  EXPECT_EQ(FindEntityType("no_such_type"), nullptr);
  EXPECT_FALSE(CheckEntityFields("Bad-Name", "").ok());
  EXPECT_FALSE(CheckEntityFields("email", "nope").ok());
}

}  // namespace
}  // namespace trawl
