// One table gives an enum's names both ways.
#include "util/enum_names.h"

#include "gtest/gtest.h"

namespace trawl {
namespace {

enum class Color { kRed, kBlue };
constexpr EnumName<Color> kColorNames[] = {{Color::kRed, "red"}, {Color::kBlue, "blue"}};

TEST(EnumNamesTest, BothWays) {
  EXPECT_EQ(NameOf(kColorNames, Color::kBlue), "blue");
  EXPECT_EQ(NameOf(kColorNames, static_cast<Color>(7)), "unknown");
  EXPECT_EQ(ValueOf(kColorNames, "red"), Color::kRed);
  EXPECT_FALSE(ValueOf(kColorNames, "green"));
  auto parsed = ParseName(kColorNames, "green", "color");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "unknown color \"green\"");
}

}  // namespace
}  // namespace trawl
