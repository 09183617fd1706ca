// Trawl codes and locations travel on absl::Status from where an error arises.
#include "util/status_codes.h"

#include "gtest/gtest.h"

namespace trawl {
namespace {

TEST(StatusCodesTest, AttachedCodeWinsOverTheAbslCode) {
  EXPECT_EQ(TrawlCodeOf(absl::NotFoundError("x")), ErrorCode::kNotFound);
  EXPECT_EQ(TrawlCodeOf(WithCode(absl::NotFoundError("x"), ErrorCode::kIo)), ErrorCode::kIo);
  EXPECT_EQ(TrawlCodeOf(absl::InvalidArgumentError("x")), ErrorCode::kInvalid);
  EXPECT_EQ(TrawlCodeOf(absl::ResourceExhaustedError("x")), ErrorCode::kNoMemory);
  EXPECT_EQ(TrawlCodeOf(absl::UnknownError("x")), ErrorCode::kInternal);
  for (ErrorCode code : {ErrorCode::kParse, ErrorCode::kCorrupt, ErrorCode::kBusy,
                         ErrorCode::kUnsupported, ErrorCode::kIo, ErrorCode::kLimit}) {
    const absl::Status status = CodedError(code, "m");
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(TrawlCodeOf(status), code);
    EXPECT_EQ(status.message(), "m");
  }
  EXPECT_TRUE(WithCode(absl::OkStatus(), ErrorCode::kIo).ok());
  absl::StatusOr<int> failed = absl::DataLossError("d");
  EXPECT_EQ(CodeOf(WithCode(failed, ErrorCode::kParse).status()),
            static_cast<int>(ErrorCode::kParse));
  EXPECT_TRUE(WithCode(absl::StatusOr<int>(3), ErrorCode::kParse).ok());
}

TEST(StatusCodesTest, PrefixKeepsCodeAndLocation) {
  const absl::Status located =
      WithLocation(CodedError(ErrorCode::kParse, "bad definition"), {4, 120});
  const absl::Status prefixed = Prefixed(located, "rules.json");
  EXPECT_EQ(prefixed.message(), "rules.json: bad definition");
  EXPECT_EQ(prefixed.code(), located.code());
  EXPECT_EQ(TrawlCodeOf(prefixed), ErrorCode::kParse);
  EXPECT_EQ(LocationOf(prefixed).index, 4);
  EXPECT_EQ(LocationOf(prefixed).offset, 120);
  EXPECT_EQ(LocationOf(absl::InternalError("x")).index, -1);
  EXPECT_EQ(LocationOf(absl::InternalError("x")).offset, -1);
}

}  // namespace
}  // namespace trawl
