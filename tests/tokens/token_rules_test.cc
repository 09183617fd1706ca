#include "tokens/token_rules.h"

#include <gtest/gtest.h>

namespace trawl::tokens {
namespace {

TokenSpec Spec(std::string shape, std::vector<uint32_t> lengths = {}, std::string separators = "",
               std::vector<std::string> prefixes = {}) {
  return TokenSpec{std::move(shape), std::move(lengths), std::move(separators),
                   std::move(prefixes)};
}

TEST(TokenRulesTest, ChecksShapesAndParameters) {
  EXPECT_TRUE(CheckTokenSpec(Spec("hex", {32})).ok());
  EXPECT_TRUE(CheckTokenSpec(Spec("card", {12, 19}, " -")).ok());
  EXPECT_FALSE(CheckTokenSpec(Spec("hexx")).ok());
  EXPECT_FALSE(CheckTokenSpec(Spec("email", {3, 4})).ok());
  EXPECT_FALSE(CheckTokenSpec(Spec("card", {19, 12})).ok());
  EXPECT_FALSE(CheckTokenSpec(Spec("card", {}, "_")).ok());
  EXPECT_FALSE(CheckTokenSpec(Spec("hex", {8})).ok());
  EXPECT_FALSE(CheckTokenSpec(Spec("domain", {}, "", {"www."})).ok());
  EXPECT_NE(CheckTokenSpec(Spec("nope")).message().find("known: email"), std::string::npos);
}

TEST(TokenRulesTest, AcceptsBySpec) {
  EXPECT_TRUE(SpecAccepts(Spec("hex", {32}), "a4c4e72348111e01485652fe8a810b90"));
  EXPECT_FALSE(SpecAccepts(Spec("hex", {40}), "a4c4e72348111e01485652fe8a810b90"));
  // A prefixed span is only for a rule that names the prefix.
  const std::string eth = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
  EXPECT_FALSE(SpecAccepts(Spec("hex", {40}), eth));
  EXPECT_TRUE(SpecAccepts(Spec("hex", {40}, "", {"0x"}), eth));
  EXPECT_TRUE(SpecAccepts(Spec("card", {12, 19}, " -"), "4111 1111 1111 1111"));
  EXPECT_FALSE(SpecAccepts(Spec("card", {12, 19}, "-"), "4111 1111 1111 1111"));
  EXPECT_FALSE(SpecAccepts(Spec("card", {15, 15}), "4111 1111 1111 1111"));
  EXPECT_TRUE(SpecAccepts(Spec("base58", {26, 35}, "", {"1", "3"}),
                          "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"));
  EXPECT_FALSE(SpecAccepts(Spec("base58", {26, 35}, "", {"1", "3"}),
                           "2BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"));
  EXPECT_TRUE(SpecAccepts(Spec("bech32", {}, "", {"bc1", "tb1"}), "BC1QW508D6QEJXTDG4Y5R3ZARVA"));
}

TEST(TokenRulesTest, GroupsRulesByShape) {
  TokenRules rules({{7, Spec("hex", {32})}, {9, Spec("nope")}, {11, Spec("hex", {40})},
                    {12, Spec("email")}});
  EXPECT_EQ(rules.rules().size(), 3u);
  EXPECT_EQ(rules.shapes(), ShapeBit(Shape::kHex) | ShapeBit(Shape::kEmail));
  ASSERT_EQ(rules.RulesFor(Shape::kHex).size(), 2u);
  EXPECT_EQ(rules.rules()[rules.RulesFor(Shape::kHex)[1]].rule, 11u);
}

}  // namespace
}  // namespace trawl::tokens
