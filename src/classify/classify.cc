// File: classify.cc
// Heuristics, in the order they run: binary magic, encoding, then text formats from the
// most to the least structured (PEM, JSON/NDJSON, XML/HTML, logs, CSV/TSV, YAML, source
// code, plain text). Each heuristic looks at whole lines of a bounded sample.
#include "classify/classify.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <utility>

#include "classify/transcode.h"
#include "intake/media_type.h"
#include "json/json.h"
#include "structure/csv_structure.h"
#include "structure/internal/byte_masks.h"
#include "structure/json_structure.h"
#include "util/cpu_features.h"
#include "util/enum_names.h"
#include "util/json_writer.h"
#include "util/strings.h"

namespace trawl {
namespace {

using namespace std::string_view_literals;

constexpr size_t kSampleBytes = 64 * 1024;
constexpr size_t kMaxJsonValidateBytes = 64 << 20;
constexpr size_t kSampleLines = 50;

constexpr EnumName<Format> kFormatNames[] = {
    {Format::kEmpty, "empty"},     {Format::kJson, "json"},      {Format::kNdjson, "ndjson"},
    {Format::kCsv, "csv"},         {Format::kTsv, "tsv"},        {Format::kXml, "xml"},
    {Format::kHtml, "html"},       {Format::kYaml, "yaml"},      {Format::kSourceCode, "source"},
    {Format::kLog, "log"},         {Format::kPlainText, "text"}, {Format::kPem, "pem"},
    {Format::kElf, "elf"},         {Format::kPe, "pe"},          {Format::kMachO, "macho"},
    {Format::kImage, "image"},     {Format::kPdf, "pdf"},        {Format::kOoxml, "ooxml"},
    {Format::kArchive, "archive"}, {Format::kBinary, "binary"},
};

constexpr EnumName<TextEncoding> kEncodingNames[] = {
    {TextEncoding::kNone, "none"},
    {TextEncoding::kUtf8, "utf-8"},
    {TextEncoding::kUtf16Le, "utf-16le"},
    {TextEncoding::kUtf16Be, "utf-16be"},
    {TextEncoding::kLatin1, "latin-1"},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string_view Extension(std::string_view name) {
  const size_t slash = name.find_last_of("/!");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  const size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : name.substr(dot);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool Digits(std::string_view s, size_t pos, size_t n) {
  if (s.size() < pos + n) return false;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(s[i])) return false;
  }
  return true;
}

// --- binary formats -------------------------------------------------------------------

bool IsPe(std::string_view c) {
  if (c.size() < 0x40 || c.substr(0, 2) != "MZ") return false;
  uint32_t offset = 0;
  std::memcpy(&offset, c.data() + 0x3c, 4);  // little-endian hosts only care here
  return offset < c.size() - 4 && c.substr(offset, 4) == std::string_view("PE\0\0", 4);
}

bool ClassifyBinary(std::string_view content, std::string_view sniffed, Classification* out) {
  const std::string_view head = content.substr(0, kSampleBytes);
  auto set = [out](Format f, std::string_view media, std::string_view why) {
    out->format = f;
    out->media_type = std::string(media);
    out->evidence.emplace_back(why);
    return true;
  };
  if (sniffed == "application/x-executable") return set(Format::kElf, sniffed, "ELF magic");
  if (sniffed == "application/x-mach-binary") return set(Format::kMachO, sniffed, "Mach-O magic");
  if (sniffed == "application/vnd.microsoft.portable-executable") {
    if (IsPe(content)) return set(Format::kPe, sniffed, "MZ header with PE signature");
    return set(Format::kBinary, "application/x-dosexec", "MZ header without PE signature");
  }
  if (sniffed == "application/pdf") return set(Format::kPdf, sniffed, "%PDF- magic");
  if (sniffed.substr(0, 6) == "image/") return set(Format::kImage, sniffed, "image magic");
  if (sniffed == "application/zip") {
    if (head.find("[Content_Types].xml") != std::string_view::npos) {
      std::string_view media = "application/vnd.openxmlformats-officedocument";
      if (head.find("word/") != std::string_view::npos) {
        media = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
      } else if (head.find("xl/") != std::string_view::npos) {
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
      } else if (head.find("ppt/") != std::string_view::npos) {
        media = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
      }
      return set(Format::kOoxml, media, "zip holding [Content_Types].xml (OOXML)");
    }
    return set(Format::kArchive, sniffed, "zip magic");
  }
  if (LooksLikeContainer(head))
    return set(Format::kArchive, sniffed, "archive or compression magic");
  if (sniffed == "application/vnd.sqlite3") return set(Format::kBinary, sniffed, "SQLite magic");
  return false;
}

}  // namespace

// --- encodings ------------------------------------------------------------------------

namespace {

// Valid UTF-8, tolerating a sequence cut off by the end of a sample.
bool SampleIsUtf8(std::string_view sample, bool complete) {
  if (json::IsValidUtf8(sample)) return true;
  if (complete) return false;
  for (size_t cut = 1; cut <= 3 && cut < sample.size(); ++cut) {
    if (json::IsValidUtf8(sample.substr(0, sample.size() - cut))) return true;
  }
  return false;
}

TextEncoding DetectEncoding(std::string_view sample, bool complete, Classification* out) {
  if (sample.substr(0, 3) == "\xEF\xBB\xBF"sv) {
    out->bom = true;
    out->evidence.emplace_back("UTF-8 byte order mark");
    return TextEncoding::kUtf8;
  }
  if (sample.substr(0, 2) == "\xFF\xFE"sv) {
    out->bom = true;
    out->evidence.emplace_back("UTF-16LE byte order mark");
    return TextEncoding::kUtf16Le;
  }
  if (sample.substr(0, 2) == "\xFE\xFF"sv) {
    out->bom = true;
    out->evidence.emplace_back("UTF-16BE byte order mark");
    return TextEncoding::kUtf16Be;
  }
  const internal::ByteCounts counts = internal::CountEncodingBytes(sample);
  const size_t nul_even = counts.nul_even, nul_odd = counts.nul_odd, control = counts.control;
  if (nul_even + nul_odd > 0) {
    // ASCII-range UTF-16 has a NUL in every other byte: odd positions for LE, even for BE.
    const size_t units = sample.size() / 2;
    if (units >= 2 && nul_odd * 10 >= units * 4 && nul_even * 50 <= units) {
      out->evidence.emplace_back("NUL in odd bytes: UTF-16LE without BOM");
      return TextEncoding::kUtf16Le;
    }
    if (units >= 2 && nul_even * 10 >= units * 4 && nul_odd * 50 <= units) {
      out->evidence.emplace_back("NUL in even bytes: UTF-16BE without BOM");
      return TextEncoding::kUtf16Be;
    }
    out->evidence.emplace_back("NUL bytes: binary");
    return TextEncoding::kNone;
  }
  if (control * 100 > sample.size()) {
    out->evidence.emplace_back("control bytes: binary");
    return TextEncoding::kNone;
  }
  if (SampleIsUtf8(sample, complete)) return TextEncoding::kUtf8;
  out->evidence.emplace_back("not UTF-8, few control bytes: Latin-1");
  return TextEncoding::kLatin1;
}

// --- text formats ---------------------------------------------------------------------

// The first kSampleLines non-empty lines; a final line cut by the sample end is dropped.
std::vector<std::string_view> SampleLines(std::string_view text, bool complete) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size() && lines.size() < kSampleLines) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      if (!complete) break;
      end = text.size();
    }
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!Trim(line).empty()) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

bool ValidJson(json::Parser& parser, std::string_view text) {
  json::Value doc;
  return parser.Parse(text, &doc) == json::Error::kOk;
}

// The structure analysis' JSON analyzer, when the caller lends one (Classify's second
// form): its DOM parser validates, and `validated` says whether it accepted the text.
struct LentJsonParser {
  JsonAnalyzer* analyzer = nullptr;
  bool* validated = nullptr;
};

// Whether the whole `text` is one JSON document, as a DOM parse says.
bool ValidWholeJson(json::Parser& parser, std::string_view text, const LentJsonParser& lent) {
  if (lent.analyzer == nullptr) return ValidJson(parser, text);
  const bool valid = lent.analyzer->Validate(text);
  if (lent.validated != nullptr) *lent.validated = valid;
  return valid;
}

bool StartsIsoDate(std::string_view s) {
  return Digits(s, 0, 4) && s.size() >= 10 && (s[4] == '-' || s[4] == '/') && Digits(s, 5, 2) &&
         s[7] == s[4] && Digits(s, 8, 2);
}
bool StartsTime(std::string_view s) {
  return Digits(s, 0, 2) && s.size() >= 8 && s[2] == ':' && Digits(s, 3, 2) && s[5] == ':' &&
         Digits(s, 6, 2);
}
bool IsMonth(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return std::find(kMonths.begin(), kMonths.end(), s.substr(0, 3)) != kMonths.end();
}
bool StartsSyslogDate(std::string_view s) {  // "Jan  2 15:04:05"
  return s.size() >= 15 && IsMonth(s) && s[3] == ' ' && (s[4] == ' ' || IsDigit(s[4])) &&
         IsDigit(s[5]) && s[6] == ' ' && StartsTime(s.substr(7));
}
bool StartsDayMonYear(std::string_view s) {  // "10/Oct/2000:13:55:36"
  return Digits(s, 0, 2) && s.size() >= 11 && s[2] == '/' && IsMonth(s.substr(3)) && s[6] == '/' &&
         Digits(s, 7, 4);
}
bool StartsLevel(std::string_view s) {
  static constexpr std::array<std::string_view, 9> kLevels = {
      "INFO", "WARN", "WARNING", "ERROR", "DEBUG", "TRACE", "FATAL", "CRITICAL", "NOTICE"};
  for (std::string_view level : kLevels) {
    if (s.size() > level.size() && s.substr(0, level.size()) == level &&
        std::strchr(" :]|\t", s[level.size()]) != nullptr) {
      return true;
    }
  }
  return false;
}

bool LogLike(std::string_view line) {
  std::string_view s = line;
  if (!s.empty() && s[0] == '<') {  // syslog priority "<34>"
    const size_t close = s.find('>');
    if (close != std::string_view::npos && close < 5) s.remove_prefix(close + 1);
  }
  if (!s.empty() && s[0] == '[') s.remove_prefix(1);
  if (StartsIsoDate(s) || StartsTime(s) || StartsSyslogDate(s) || StartsDayMonYear(s) ||
      StartsLevel(s)) {
    return true;
  }
  size_t digits = 0;
  while (digits < s.size() && IsDigit(s[digits])) ++digits;
  if ((digits == 10 || digits == 13) && digits < s.size() && std::strchr(" .,\t", s[digits])) {
    return true;  // epoch seconds or milliseconds
  }
  // Common Log Format: host ident user [10/Oct/2000:13:55:36 -0700] "GET ..."
  const size_t bracket = s.substr(0, 80).find(" [");
  return bracket != std::string_view::npos && StartsDayMonYear(s.substr(bracket + 2));
}

size_t CountDelimiters(std::string_view line, char delimiter) {
  size_t count = 0;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    if (c == delimiter && !quoted) ++count;
  }
  return count;
}

// The delimiter whose per-line count is the same (and > 0) on at least 90% of lines.
char FindDelimiter(const std::vector<std::string_view>& lines, bool allow_single_line) {
  if (lines.size() < 2 && !allow_single_line) return 0;
  char best = 0;
  size_t best_mode = 0;
  for (char delimiter : {'\t', ',', ';', '|'}) {
    std::vector<size_t> counts;
    for (std::string_view line : lines) counts.push_back(CountDelimiters(line, delimiter));
    const size_t first = counts[0];
    if (first == 0) continue;
    const size_t same = static_cast<size_t>(std::count(counts.begin(), counts.end(), first));
    if (same * 10 >= counts.size() * 9 && first > best_mode) {
      best = delimiter;
      best_mode = first;
      if (delimiter == '\t') break;  // tabs in text are rare; trust them
    }
  }
  return best;
}

bool YamlLike(std::string_view line) {
  std::string_view s = Trim(line);
  if (s == "-" || s.substr(0, 2) == "- ") return true;
  size_t i = 0;
  if (!s.empty() && (s[0] == '"' || s[0] == '\'')) {
    const size_t close = s.find(s[0], 1);
    if (close == std::string_view::npos) return false;
    i = close + 1;
  } else {
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' ||
                            s[i] == '-' || s[i] == '.')) {
      ++i;
    }
    if (i == 0) return false;
  }
  return i < s.size() && s[i] == ':' && (i + 1 == s.size() || s[i + 1] == ' ');
}

std::string_view LanguageFromExtension(std::string_view ext) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 30> kExt = {{
      {".c", "c"},
      {".h", "c"},
      {".cc", "cpp"},
      {".cpp", "cpp"},
      {".cxx", "cpp"},
      {".hpp", "cpp"},
      {".py", "python"},
      {".js", "javascript"},
      {".mjs", "javascript"},
      {".ts", "typescript"},
      {".go", "go"},
      {".rs", "rust"},
      {".java", "java"},
      {".kt", "kotlin"},
      {".rb", "ruby"},
      {".php", "php"},
      {".sh", "shell"},
      {".bash", "shell"},
      {".cs", "csharp"},
      {".swift", "swift"},
      {".scala", "scala"},
      {".pl", "perl"},
      {".sql", "sql"},
      {".tf", "hcl"},
      {".ps1", "powershell"},
      {".lua", "lua"},
      {".r", "r"},
      {".jsx", "javascript"},
      {".tsx", "typescript"},
      {".m", "objective-c"},
  }};
  for (const auto& [known, language] : kExt) {
    if (known == ext) return language;
  }
  return {};
}

std::string_view LanguageFromShebang(std::string_view first_line) {
  if (first_line.substr(0, 2) != "#!") return {};
  if (first_line.find("python") != std::string_view::npos) return "python";
  if (first_line.find("node") != std::string_view::npos) return "javascript";
  if (first_line.find("perl") != std::string_view::npos) return "perl";
  if (first_line.find("ruby") != std::string_view::npos) return "ruby";
  if (first_line.find("sh") != std::string_view::npos) return "shell";
  return "script";
}

// Share of lines that read like code, and a language guess from what matched.
double CodeScore(const std::vector<std::string_view>& lines, std::string* language) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 24> kStarts = {
      {{"#include", "c"}, {"#define", "c"},   {"import ", ""},       {"from ", "python"},
       {"package ", ""},  {"def ", "python"}, {"class ", ""},        {"function ", "javascript"},
       {"func ", "go"},   {"fn ", "rust"},    {"pub ", "rust"},      {"public ", "java"},
       {"private ", ""},  {"static ", ""},    {"const ", ""},        {"let ", "javascript"},
       {"var ", ""},      {"return", ""},     {"if (", ""},          {"for (", ""},
       {"while (", ""},   {"using ", ""},     {"namespace ", "cpp"}, {"struct ", ""}}};
  size_t code = 0;
  for (std::string_view raw : lines) {
    std::string_view line = Trim(raw);
    bool hit = !line.empty() && (line.back() == ';' || line.back() == '{' || line == "}");
    for (const auto& [start, lang] : kStarts) {
      if (line.substr(0, start.size()) == start) {
        hit = true;
        if (language->empty() && !lang.empty()) *language = std::string(lang);
      }
    }
    code += hit ? 1 : 0;
  }
  return lines.empty() ? 0.0 : static_cast<double>(code) / static_cast<double>(lines.size());
}

void ClassifyText(std::string_view full_utf8, std::string_view text, bool complete,
                  std::string_view name_hint, const LentJsonParser& lent, Classification* out) {
  auto set = [out](Format f, std::string_view media, std::string why) {
    out->format = f;
    out->media_type = std::string(media);
    out->evidence.push_back(std::move(why));
  };
  const std::string ext = Lower(Extension(name_hint));
  const std::string_view body = Trim(text);
  const std::vector<std::string_view> lines = SampleLines(text, complete);
  if (body.empty()) {
    set(Format::kPlainText, "text/plain", "only whitespace");
    return;
  }
  if (body.substr(0, 11) == "-----BEGIN ") {
    set(Format::kPem, "application/x-pem-file", "starts with a PEM -----BEGIN line");
    return;
  }
  if (body[0] == '{' || body[0] == '[') {
    json::Parser parser;
    size_t records = 0;
    bool all_json = lines.size() >= 2;
    for (std::string_view line : lines) {
      if (!all_json) break;
      all_json = ValidJson(parser, line);
      records += all_json ? 1 : 0;
    }
    if (all_json && records >= 2) {
      set(Format::kNdjson, "application/x-ndjson", StrCat(records, " sampled lines are JSON each"));
      return;
    }
    if (!full_utf8.empty() && full_utf8.size() <= kMaxJsonValidateBytes) {
      if (ValidWholeJson(parser, full_utf8, lent)) {
        set(Format::kJson, "application/json", "parses as one JSON document");
        return;
      }
    } else {
      // Too large (or only sampled) to validate here: the structure stage will.
      set(Format::kJson, "application/json", "starts like JSON (not validated: too large)");
      return;
    }
  }
  if (body[0] == '<') {
    const std::string head = Lower(body.substr(0, 1024));
    if (head.rfind("<!doctype html", 0) == 0 || head.rfind("<html", 0) == 0 ||
        head.find("<html") != std::string::npos) {
      set(Format::kHtml, "text/html", "HTML doctype or <html> element");
      return;
    }
    if (head.rfind("<?xml", 0) == 0 || body.find("</") != std::string_view::npos ||
        body.find("/>") != std::string_view::npos) {
      set(Format::kXml, "application/xml", "markup with closing tags");
      return;
    }
  }
  if (!lines.empty()) {
    const size_t log_lines =
        static_cast<size_t>(std::count_if(lines.begin(), lines.end(), LogLike));
    if (LogLike(lines[0]) && log_lines * 10 >= lines.size() * 6) {
      set(Format::kLog, "text/x-log",
          StrCat(log_lines, " of ", lines.size(), " sampled lines start with a time or level"));
      return;
    }
    const char delimiter = FindDelimiter(lines, ext == ".csv" || ext == ".tsv");
    if (delimiter == '\t') {
      set(Format::kTsv, "text/tab-separated-values", "same tab count on sampled lines");
      return;
    }
    if (delimiter != 0) {
      set(Format::kCsv, "text/csv", StrCat("same count of '", delimiter, "' on sampled lines"));
      return;
    }
  }
  const std::string_view first = lines.empty() ? std::string_view() : lines[0];
  std::string language(LanguageFromShebang(first));
  if (language.empty()) language = std::string(LanguageFromExtension(ext));
  {
    std::vector<std::string_view> content_lines;
    for (std::string_view line : lines) {
      if (Trim(line).substr(0, 1) != "#") content_lines.push_back(line);
    }
    const size_t yaml =
        static_cast<size_t>(std::count_if(content_lines.begin(), content_lines.end(), YamlLike));
    const bool yaml_name = ext == ".yaml" || ext == ".yml";
    const bool marker = Trim(first) == "---" || first.substr(0, 5) == "%YAML";
    if (language.empty() &&
        (marker || (yaml >= 2 && yaml * 10 >= content_lines.size() * (yaml_name ? 3 : 6)))) {
      set(Format::kYaml, "application/yaml",
          marker ? std::string("YAML document marker")
                 : StrCat(yaml, " of ", content_lines.size(), " lines are key: value or - item"));
      return;
    }
  }
  std::string guessed;
  const double score = CodeScore(lines, &guessed);
  if (!language.empty() || (score >= 0.3 && lines.size() >= 3)) {
    if (language.empty()) language = guessed;
    out->language = language;
    set(Format::kSourceCode, language.empty() ? "text/x-source" : StrCat("text/x-", language),
        language.empty() ? StrCat("code-like lines: ", static_cast<int>(score * 100), "%")
                         : StrCat("source code (", language, ")"));
    return;
  }
  set(Format::kPlainText, "text/plain", "text with no recognised structure");
}

// The line heuristics sample lines, so a quoted field with an embedded newline hides a
// CSV from them: the quote-aware dialect detector has the last word on plain text.
void RefinePlainText(std::string_view utf8, Classification* out) {
  if (out->format != Format::kPlainText) return;
  const size_t newline = utf8.find('\n');
  if (newline == std::string_view::npos || newline + 1 >= utf8.size()) return;  // one line
  bool detected = false;
  const CsvDialect dialect = DetectCsvDialect(utf8, {}, &detected);
  if (!detected) return;
  const bool tsv = dialect.delimiter == '\t';
  out->format = tsv ? Format::kTsv : Format::kCsv;
  out->media_type = tsv ? "text/tab-separated-values" : "text/csv";
  out->evidence.push_back(StrCat("a ", tsv ? "TSV" : "CSV", " dialect with quoted fields"));
}

}  // namespace

std::string_view FormatName(Format format) { return NameOf(kFormatNames, format); }

absl::StatusOr<Format> ParseFormat(std::string_view name) {
  return ParseName(kFormatNames, name, "format");
}

std::string_view TextEncodingName(TextEncoding encoding) {
  return NameOf(kEncodingNames, encoding);
}

absl::StatusOr<TextEncoding> ParseTextEncoding(std::string_view name) {
  return ParseName(kEncodingNames, name, "text encoding");
}

bool IsTextFormat(Format format) {
  switch (format) {
    case Format::kJson:
    case Format::kNdjson:
    case Format::kCsv:
    case Format::kTsv:
    case Format::kXml:
    case Format::kHtml:
    case Format::kYaml:
    case Format::kSourceCode:
    case Format::kLog:
    case Format::kPlainText:
    case Format::kPem:
      return true;
    default:
      return false;
  }
}

namespace {

// Classify and ClassifyPrefix. A `prefix` is only the start of the content: no sample of
// it is complete and no whole document is validated (JSON is taken from how it starts).
Classification ClassifyContent(std::string_view content, std::string_view name_hint, bool prefix,
                               JsonAnalyzer* json, bool* json_validated) {
  Classification out;
  if (json_validated != nullptr) *json_validated = false;
  if (content.empty()) {
    out.format = Format::kEmpty;
    out.media_type = "application/x-empty";
    out.evidence.emplace_back("no content");
    return out;
  }
  const std::string_view sniffed = SniffMediaType(content);
  if (ClassifyBinary(content, sniffed, &out)) return out;

  const bool complete = !prefix && content.size() <= kSampleBytes;
  const std::string_view sample = content.substr(0, kSampleBytes);
  out.encoding = DetectEncoding(sample, complete, &out);
  if (out.encoding == TextEncoding::kNone) {
    out.format = Format::kBinary;
    out.media_type = std::string(sniffed == "text/plain" ? "application/octet-stream" : sniffed);
    return out;
  }
  if (out.encoding == TextEncoding::kUtf8) {
    const std::string_view text = out.bom ? content.substr(3) : content;
    // The parse is reported as reusable only where it covers exactly `content`.
    const LentJsonParser lent{json, out.bom ? nullptr : json_validated};
    ClassifyText(prefix ? std::string_view() : text, text.substr(0, kSampleBytes),
                 !prefix && text.size() <= kSampleBytes, name_hint, lent, &out);
    RefinePlainText(text, &out);
    return out;
  }
  // UTF-16 and Latin-1: judge the transcoded sample (whole content if small).
  absl::StatusOr<TranscodedText> text = TranscodeToUtf8(sample, out.encoding);
  if (!text.ok()) {
    out.format = Format::kBinary;
    out.media_type = "application/octet-stream";
    return out;
  }
  ClassifyText(complete ? std::string_view(text->utf8) : std::string_view(), text->utf8, complete,
               name_hint, LentJsonParser{}, &out);
  RefinePlainText(text->utf8, &out);
  return out;
}

}  // namespace

Classification Classify(std::string_view content, std::string_view name_hint) {
  return ClassifyContent(content, name_hint, /*prefix=*/false, nullptr, nullptr);
}

Classification ClassifyPrefix(std::string_view head, std::string_view name_hint) {
  return ClassifyContent(head, name_hint, /*prefix=*/true, nullptr, nullptr);
}

Classification Classify(std::string_view content, std::string_view name_hint, JsonAnalyzer* json,
                        bool* json_validated) {
  return ClassifyContent(content, name_hint, /*prefix=*/false, json, json_validated);
}

}  // namespace trawl
