// File: classify_test.cc
#include "classify/classify.h"

#include <filesystem>
#include <ostream>
#include <random>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "intake/archive_builder.h"
#include "structure/internal/byte_masks.h"
#include "util/file.h"

namespace trawl {
namespace {

std::string Utf16(std::string_view ascii, bool little_endian, bool bom) {
  std::string out;
  if (bom) out += little_endian ? "\xFF\xFE" : "\xFE\xFF";
  for (char c : ascii) {
    if (little_endian) {
      out.push_back(c);
      out.push_back('\0');
    } else {
      out.push_back('\0');
      out.push_back(c);
    }
  }
  return out;
}

// The encoding counts were a branching loop over the sample before issue 22 (now byte
// masks and popcounts); the loop is the reference, for every kernel this CPU runs.
internal::ByteCounts ReferenceByteCounts(std::string_view sample) {
  const auto control = [](uint8_t b) {
    return (b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != 0x1b) || b == 0x7f;
  };
  internal::ByteCounts r;
  for (size_t i = 0; i < sample.size(); ++i) {
    const auto b = static_cast<uint8_t>(sample[i]);
    if (b == 0) {
      ++(i % 2 == 0 ? r.nul_even : r.nul_odd);
    } else if (control(b)) {
      ++r.control;
    }
  }
  return r;
}

TEST(EncodingCountsTest, EqualTheReference) {
  std::vector<std::string> inputs;
  for (const char* dir : {"/tests/structure/corpus", "/tests/intake/fuzz_seeds", "/examples/sample"}) {
    const std::string path = std::string(TRAWL_SOURCE_DIR) + dir;
    if (!std::filesystem::exists(path)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
      if (!entry.is_regular_file() || entry.file_size() > (1u << 20)) continue;
      auto bytes = ReadFile(entry.path().string());
      if (bytes.ok()) inputs.push_back(*std::move(bytes));
    }
  }
  ASSERT_GT(inputs.size(), 1000u);
  // Every byte value at both parities, and UTF-16 text.
  std::string all;
  for (int rep = 0; rep < 3; ++rep) {
    for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
    all.push_back('x');
  }
  inputs.push_back(all);
  inputs.push_back(Utf16("UTF-16 text\r\n\x01", true, false));
  std::mt19937 rng(22);
  for (const std::string& input : inputs) {
    for (const size_t skip : {size_t{0}, size_t{1}}) {
      const std::string_view sample = std::string_view(input).substr(std::min(skip, input.size()), 64 * 1024);
      const std::string_view prefix = sample.substr(0, rng() % (sample.size() + 1));  // odd lengths too
      for (const std::string_view s : {sample, prefix}) {
        const internal::ByteCounts want = ReferenceByteCounts(s);
        for (const internal::ByteMaskKernel& kernel : internal::AllByteMaskKernels()) {
          if (!kernel.supported()) continue;
          const internal::ByteCounts got = internal::CountEncodingBytes(s, kernel);
          ASSERT_EQ(want.nul_even, got.nul_even) << s.size() << " " << kernel.name;
          ASSERT_EQ(want.nul_odd, got.nul_odd) << s.size() << " " << kernel.name;
          ASSERT_EQ(want.control, got.control) << s.size() << " " << kernel.name;
        }
      }
    }
  }
}

struct TextCase {
  std::string label;
  std::string content;
  std::string name;
  Format format;
};

void PrintTo(const TextCase& c, std::ostream* os) { *os << c.label; }

class ClassifyFormatTest : public ::testing::TestWithParam<TextCase> {};

TEST_P(ClassifyFormatTest, DetectsFormat) {
  const Classification c = Classify(GetParam().content, GetParam().name);
  EXPECT_EQ(FormatName(c.format), FormatName(GetParam().format))
      << ::testing::PrintToString(c.evidence);
  EXPECT_EQ(c.encoding, TextEncoding::kUtf8);
  EXPECT_FALSE(c.media_type.empty());
  EXPECT_FALSE(c.evidence.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Formats, ClassifyFormatTest,
    ::testing::Values(
        TextCase{"json", "{\n  \"a\": [1, 2, {\"b\": null}],\n  \"c\": \"d\"\n}\n", "",
                 Format::kJson},
        TextCase{"jsonarray", "[1, 2, 3]", "", Format::kJson},
        TextCase{"ndjson", "{\"t\":1,\"m\":\"a\"}\n{\"t\":2,\"m\":\"b\"}\n{\"t\":3}\n", "",
                 Format::kNdjson},
        TextCase{"brokenjson", "{\"a\": 1,\n\"b\": \n", "x.json", Format::kPlainText},
        TextCase{"csv", "id,name,email\n1,ann,a@example.com\n2,bob,\"b, jr\"@example.com\n", "",
                 Format::kCsv},
        TextCase{"singlelinecsv", "a,b,c\n", "data.csv", Format::kCsv},
        TextCase{"tsv", "id\tname\tscore\n1\tann\t3\n2\tbob\t4\n", "", Format::kTsv},
        TextCase{"xml", "<?xml version=\"1.0\"?>\n<root><a>1</a></root>\n", "", Format::kXml},
        TextCase{"html", "<!DOCTYPE html>\n<html><body><p>hi</p></body></html>\n", "",
                 Format::kHtml},
        TextCase{"yaml", "name: trawl\nversion: 1\nitems:\n  - a\n  - b\n", "", Format::kYaml},
        TextCase{"yamlmarker", "---\nfoo\n", "", Format::kYaml},
        TextCase{"python", "#!/usr/bin/env python3\nprint('hi')\n", "", Format::kSourceCode},
        TextCase{"c", "#include <stdio.h>\nint main(void) {\n  return 0;\n}\n", "",
                 Format::kSourceCode},
        TextCase{"goByName", "// just a comment\n", "cmd/main.go", Format::kSourceCode},
        TextCase{"isolog", "2026-01-02T03:04:05Z INFO started\n2026-01-02T03:04:06Z WARN slow\n",
                 "", Format::kLog},
        TextCase{"syslog",
                 "Jan  2 03:04:05 host sshd[1]: Accepted\nJan  2 03:04:06 host cron[2]: ok\n", "",
                 Format::kLog},
        TextCase{"clf",
                 "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326\n"
                 "10.0.0.2 - bob [10/Oct/2000:13:55:37 -0700] \"GET /a HTTP/1.0\" 404 12\n",
                 "", Format::kLog},
        TextCase{"bracketlog", "[2026-01-02 03:04:05] ERROR boom\n[2026-01-02 03:04:06] INFO ok\n",
                 "", Format::kLog},
        TextCase{"prose", "It was a dark and stormy night.\nThe rain fell in torrents.\n",
                 "notes.json", Format::kPlainText},
        TextCase{"pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "",
                 Format::kPem}),
    [](const ::testing::TestParamInfo<TextCase>& case_info) { return case_info.param.label; });

TEST(ClassifyTest, SourceLanguageFromShebangAndExtension) {
  EXPECT_EQ(Classify("#!/bin/bash\necho hi\n").language, "shell");
  EXPECT_EQ(Classify("fn main() {}\n", "src/main.rs").language, "rust");
  EXPECT_EQ(Classify("fn main() {}\n", "src/main.rs").media_type, "text/x-rust");
}

TEST(ClassifyTest, DetectsBinaryFormats) {
  EXPECT_EQ(Classify(std::string("\x7f"
                                 "ELF\x02\x01\x01\0\0\0",
                                 10))
                .format,
            Format::kElf);
  EXPECT_EQ(Classify(std::string("\xcf\xfa\xed\xfe\x07\0\0\x01", 8)).format, Format::kMachO);
  EXPECT_EQ(Classify("%PDF-1.7\n%\xe2\xe3\n").format, Format::kPdf);
  EXPECT_EQ(Classify("\x89PNG\r\n\x1a\n\0\0\0\rIHDR").format, Format::kImage);
  EXPECT_EQ(Classify("\x89PNG\r\n\x1a\n\0\0\0\rIHDR").media_type, "image/png");
  EXPECT_EQ(Classify(std::string("\x1f\x8b\x08\0\0\0\0\0", 8)).format, Format::kArchive);

  std::string pe(0x100, '\0');
  pe[0] = 'M';
  pe[1] = 'Z';
  pe[0x3c] = static_cast<char>(0x80);
  pe.replace(0x80, 4, std::string("PE\0\0", 4));
  EXPECT_EQ(Classify(pe).format, Format::kPe);
  std::string dos = pe;
  dos[0x80] = 'X';
  EXPECT_EQ(Classify(dos).format, Format::kBinary);

  std::string noise;
  for (int i = 0; i < 4096; ++i) noise.push_back(static_cast<char>((i * 2654435761u) >> 13));
  const Classification binary = Classify(noise);
  EXPECT_EQ(binary.format, Format::kBinary);
  EXPECT_EQ(binary.encoding, TextEncoding::kNone);
  EXPECT_EQ(Classify("").format, Format::kEmpty);
}

TEST(ClassifyTest, OfficeDocumentsAreContainers) {
  const std::string docx = testing::Zip({{.name = "[Content_Types].xml", .data = "<Types/>"},
                                         {.name = "word/document.xml", .data = "<w:document/>"}});
  const Classification c = Classify(docx, "report.docx");
  EXPECT_EQ(c.format, Format::kOoxml);
  EXPECT_EQ(c.media_type,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  const std::string zip = testing::Zip({{.name = "a.txt", .data = "a"}});
  EXPECT_EQ(Classify(zip, "report.docx").format, Format::kArchive) << "names do not decide";
}

TEST(ClassifyTest, DetectsUtf16WithAndWithoutBom) {
  const std::string log = "2026-01-02T03:04:05Z INFO started\n2026-01-02T03:04:06Z WARN slow\n";
  for (bool le : {true, false}) {
    for (bool bom : {true, false}) {
      const Classification c = Classify(Utf16(log, le, bom));
      EXPECT_EQ(c.encoding, le ? TextEncoding::kUtf16Le : TextEncoding::kUtf16Be)
          << le << bom << ::testing::PrintToString(c.evidence);
      EXPECT_EQ(c.bom, bom);
      EXPECT_EQ(c.format, Format::kLog) << ::testing::PrintToString(c.evidence);
    }
  }
  const Classification json = Classify(Utf16("{\"k\": [1, 2]}", true, true));
  EXPECT_EQ(json.format, Format::kJson);
}

TEST(ClassifyTest, DetectsLatin1AndUtf8Bom) {
  const Classification latin = Classify("caf\xe9 au lait, cr\xe8me br\xfbl\xe9\n");
  EXPECT_EQ(latin.encoding, TextEncoding::kLatin1);
  EXPECT_EQ(latin.format, Format::kPlainText);
  const Classification utf8 = Classify("caf\xc3\xa9\n");
  EXPECT_EQ(utf8.encoding, TextEncoding::kUtf8);
  const Classification bom = Classify("\xEF\xBB\xBF{\"a\": 1}");
  EXPECT_EQ(bom.encoding, TextEncoding::kUtf8);
  EXPECT_TRUE(bom.bom);
  EXPECT_EQ(bom.format, Format::kJson);
}

TEST(ClassifyTest, LargeInputsAreSampled) {
  std::string big;
  while (big.size() < (1 << 20)) big += "2026-01-02T03:04:05Z INFO request served in 12 ms\n";
  EXPECT_EQ(Classify(big).format, Format::kLog);
  std::string ndjson;
  while (ndjson.size() < (1 << 20)) ndjson += "{\"event\":\"login\",\"user\":\"u1\"}\n";
  EXPECT_EQ(Classify(ndjson).format, Format::kNdjson);
}

TEST(ClassifyTest, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(Format::kBinary); ++i) {
    const auto f = static_cast<Format>(i);
    absl::StatusOr<Format> back = ParseFormat(FormatName(f));
    ASSERT_TRUE(back.ok()) << i;
    EXPECT_EQ(*back, f);
  }
  for (int i = 0; i <= static_cast<int>(TextEncoding::kLatin1); ++i) {
    const auto e = static_cast<TextEncoding>(i);
    EXPECT_EQ(*ParseTextEncoding(TextEncodingName(e)), e);
  }
  EXPECT_FALSE(ParseFormat("nope").ok());
}

}  // namespace
}  // namespace trawl
