// File: csv_structure.cc
#include "structure/csv_structure.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "util/hash_containers.h"
#include "util/json_writer.h"

namespace trawl {
namespace {

// Parses one record starting at `pos` and calls on_field(begin, end, quoted) with the raw
// field bytes (quotes included). Returns the offset after the record terminator.
// Lenient like most readers: bytes after a closing quote up to the delimiter belong to the
// field; an unterminated quote runs to the end of the input.
template <typename OnField>
size_t ParseRecord(std::string_view t, size_t pos, const CsvDialect& d, OnField&& on_field,
                   size_t* unterminated_at, bool* embedded_newline) {
  const size_t n = t.size();
  size_t i = pos;
  while (true) {
    const size_t field_begin = i;
    bool quoted = false;
    if (i < n && d.quote && t[i] == d.quote) {
      quoted = true;
      ++i;
      while (true) {
        const void* q = std::memchr(t.data() + i, d.quote, n - i);
        const size_t close = q ? static_cast<size_t>(static_cast<const char*>(q) - t.data()) : n;
        if (embedded_newline && !*embedded_newline) {
          const std::string_view inside = t.substr(i, close - i);
          *embedded_newline = inside.find_first_of("\r\n") != std::string_view::npos;
        }
        if (!q) {
          if (unterminated_at && *unterminated_at == std::string_view::npos) *unterminated_at = field_begin;
          i = n;
          break;
        }
        i = close + 1;
        if (i < n && t[i] == d.quote) {
          ++i;  // doubled quote
          continue;
        }
        break;
      }
    }
    while (i < n && t[i] != d.delimiter && t[i] != '\n' && t[i] != '\r') ++i;
    on_field(field_begin, i, quoted);
    if (i >= n) return n;
    if (t[i] == d.delimiter) {
      ++i;
      if (i >= n) {
        on_field(i, i, false);  // trailing delimiter: one more empty field
        return n;
      }
      continue;
    }
    if (t[i] == '\r' && i + 1 < n && t[i + 1] == '\n') return i + 2;
    return i + 1;
  }
}

// Where ParseRecord would end the record at `pos`, without visiting its fields: a record
// without a quote character ends at its first line break (memchr), one with a quote is
// parsed (whether the quote opens a field depends on the fields before it).
size_t NextRecord(std::string_view t, size_t pos, const CsvDialect& d, size_t* unterminated_at) {
  const size_t n = t.size();
  const void* lf = std::memchr(t.data() + pos, '\n', n - pos);
  size_t end = lf ? static_cast<size_t>(static_cast<const char*>(lf) - t.data()) : n;
  if (const void* cr = std::memchr(t.data() + pos, '\r', end - pos)) {
    end = static_cast<size_t>(static_cast<const char*>(cr) - t.data());
  }
  if (d.quote && std::memchr(t.data() + pos, d.quote, end - pos) != nullptr) {
    return ParseRecord(t, pos, d, [](size_t, size_t, bool) {}, unterminated_at, nullptr);
  }
  if (end >= n) return n;
  if (t[end] == '\r' && end + 1 < n && t[end + 1] == '\n') return end + 2;
  return end + 1;
}

// The cell's text: quotes removed and doubled quotes undoubled.
std::string CellText(std::string_view raw, bool quoted, char quote) {
  if (!quoted) return std::string(raw);
  std::string out;
  size_t i = 1;
  while (i < raw.size()) {
    if (raw[i] == quote) {
      if (i + 1 < raw.size() && raw[i + 1] == quote) {
        out.push_back(quote);
        i += 2;
        continue;
      }
      out.append(raw.substr(i + 1));  // bytes after the closing quote
      break;
    }
    out.push_back(raw[i++]);
  }
  return out;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// YYYY-MM-DD, YYYY/MM/DD, DD/MM/YYYY, MM/DD/YYYY, DD.MM.YYYY, optionally followed by a
// time ("T" or " " then HH:MM...).
bool IsDateish(std::string_view s) {
  auto date_part = [](std::string_view d) {
    if (d.size() != 10) return false;
    if (AllDigits(d.substr(0, 4)) && (d[4] == '-' || d[4] == '/') && d[7] == d[4] && AllDigits(d.substr(5, 2)) &&
        AllDigits(d.substr(8, 2))) {
      return d[5] <= '1' && d[8] <= '3';
    }
    if (AllDigits(d.substr(0, 2)) && (d[2] == '/' || d[2] == '.' || d[2] == '-') && d[5] == d[2] &&
        AllDigits(d.substr(3, 2)) && AllDigits(d.substr(6, 4))) {
      return true;
    }
    return false;
  };
  if (s.size() < 10 || !date_part(s.substr(0, 10))) return false;
  if (s.size() == 10) return true;
  if (s[10] != 'T' && s[10] != ' ') return false;
  const std::string_view time = s.substr(11);
  return time.size() >= 5 && AllDigits(time.substr(0, 2)) && time[2] == ':' && AllDigits(time.substr(3, 2));
}

CsvType Join(CsvType a, CsvType b) {
  if (a == CsvType::kEmpty) return b;
  if (b == CsvType::kEmpty || a == b) return a;
  if ((a == CsvType::kInt && b == CsvType::kFloat) || (a == CsvType::kFloat && b == CsvType::kInt)) {
    return CsvType::kFloat;
  }
  return CsvType::kString;
}

struct SampleRecord {
  std::vector<std::string_view> cells;  // into the sample, or into SampleRecords::unquoted
};

struct SampleRecords {
  std::vector<SampleRecord> records;
  std::deque<std::string> unquoted;  // the text of quoted cells (a deque keeps it in place)
};

// Parses up to `max_records` complete records of `sample` (the last one is dropped when
// the sample was cut from a longer text). Unquoted cells are views of the sample: the
// header test reads a few hundred cells per CSV component, a copy each (issue 22).
SampleRecords ParseSample(std::string_view sample, bool truncated, const CsvDialect& d,
                          size_t max_records) {
  SampleRecords out;
  size_t pos = 0;
  while (pos < sample.size() && out.records.size() < max_records) {
    SampleRecord rec;
    size_t unterminated = std::string_view::npos;
    pos = ParseRecord(
        sample, pos, d,
        [&](size_t b, size_t e, bool q) {
          const std::string_view raw = sample.substr(b, e - b);
          rec.cells.push_back(q ? std::string_view(out.unquoted.emplace_back(CellText(raw, q, d.quote)))
                                : raw);
        },
        &unterminated, nullptr);
    if (unterminated != std::string_view::npos && truncated) break;
    if (pos >= sample.size() && truncated) break;
    out.records.push_back(std::move(rec));
  }
  return out;
}

// The field count of each record ParseSample would return: what the dialect sniffing
// scores, without a copy of every cell (issue 22: each candidate dialect parsed the
// sample into strings, though only the chosen one's cells are read).
std::vector<size_t> SampleFieldCounts(std::string_view sample, bool truncated, const CsvDialect& d,
                                      size_t max_records) {
  std::vector<size_t> counts;
  size_t pos = 0;
  while (pos < sample.size() && counts.size() < max_records) {
    size_t fields = 0;
    size_t unterminated = std::string_view::npos;
    pos = ParseRecord(
        sample, pos, d, [&fields](size_t, size_t, bool) { ++fields; }, &unterminated, nullptr);
    if (unterminated != std::string_view::npos && truncated) break;
    if (pos >= sample.size() && truncated) break;
    counts.push_back(fields);
  }
  return counts;
}

}  // namespace

const char* CsvTypeName(CsvType type) {
  switch (type) {
    case CsvType::kEmpty: return "empty";
    case CsvType::kInt: return "int";
    case CsvType::kFloat: return "float";
    case CsvType::kBool: return "bool";
    case CsvType::kDate: return "date";
    case CsvType::kString: return "string";
  }
  return "string";
}

CsvType CsvCellType(std::string_view cell) {
  while (!cell.empty() && cell.front() == ' ') cell.remove_prefix(1);
  while (!cell.empty() && cell.back() == ' ') cell.remove_suffix(1);
  if (cell.empty()) return CsvType::kEmpty;
  std::string lower(cell.substr(0, 6));
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (cell.size() <= 5 && (lower == "true" || lower == "false" || lower == "yes" || lower == "no")) {
    return CsvType::kBool;
  }
  std::string_view body = cell;
  if (body.front() == '-' || body.front() == '+') body.remove_prefix(1);
  if (AllDigits(body)) return body.size() <= 19 ? CsvType::kInt : CsvType::kString;
  // float: digits with one '.', optional exponent
  size_t i = 0, digits = 0;
  while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i, ++digits;
  bool dot = false;
  if (i < body.size() && body[i] == '.') {
    dot = true;
    ++i;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i, ++digits;
  }
  if (digits > 0 && i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    size_t j = i + 1;
    if (j < body.size() && (body[j] == '+' || body[j] == '-')) ++j;
    const size_t exp_begin = j;
    while (j < body.size() && body[j] >= '0' && body[j] <= '9') ++j;
    if (j > exp_begin && j == body.size()) return CsvType::kFloat;
  }
  if (digits > 0 && dot && i == body.size()) return CsvType::kFloat;
  if (IsDateish(cell)) return CsvType::kDate;
  return CsvType::kString;
}

CsvDialect DetectCsvDialect(std::string_view text, const CsvOptions& options, bool* detected) {
  const bool truncated = text.size() > options.sniff_bytes;
  const std::string_view sample = text.substr(0, options.sniff_bytes);
  constexpr size_t kMaxRecords = 200;
  const char delimiters[] = {',', '\t', ';', '|'};
  const char quotes[] = {'"', '\''};
  std::vector<CsvDialect> candidates;
  for (char delim : delimiters) {
    if (options.delimiter && delim != options.delimiter) continue;
    // Without the delimiter every record is one field, which never scores (mode < 2).
    if (!options.delimiter && sample.find(delim) == std::string_view::npos) continue;
    for (char quote : quotes) {
      if (options.quote && quote != options.quote) continue;
      if (quote == '\'' && !options.quote && sample.find('\'') == std::string_view::npos) continue;
      candidates.push_back(CsvDialect{delim, quote, true});
    }
  }
  // With one candidate (the usual case: one delimiter, no apostrophe) its parse serves the
  // scoring and the header test alike; with more, only the chosen one's cells are read.
  std::optional<SampleRecords> parsed_candidate;
  if (candidates.size() == 1) parsed_candidate = ParseSample(sample, truncated, candidates[0], kMaxRecords);
  CsvDialect best;
  double best_score = -1;
  for (const CsvDialect& d : candidates) {
    std::vector<size_t> records;
    if (parsed_candidate) {
      for (const SampleRecord& record : parsed_candidate->records) records.push_back(record.cells.size());
    } else {
      records = SampleFieldCounts(sample, truncated, d, kMaxRecords);
    }
    if (records.empty()) continue;
    std::map<size_t, size_t> freq;
    for (const size_t fields : records) ++freq[fields];
    size_t mode = 0, mode_count = 0;
    for (auto [fields, count] : freq) {
      if (count > mode_count || (count == mode_count && fields > mode)) mode = fields, mode_count = count;
    }
    if (mode < 2) continue;
    const double consistency = static_cast<double>(mode_count) / static_cast<double>(records.size());
    // Consistency first, then more columns; the '"' quote wins ties.
    const double score = consistency * 1e4 + static_cast<double>(std::min<size_t>(mode, 999)) +
                         (d.quote == '"' ? 0.5 : 0.0);
    if (score > best_score) {
      best_score = score;
      best = d;
    }
  }
  // Whether `best` is a dialect whose sample records the header test reads (none when
  // no candidate scored under a given delimiter).
  bool parse_best = best_score >= 0;
  *detected = best_score >= 0.8 * 1e4;
  if (options.delimiter) *detected = true;
  if (!*detected && !options.delimiter) {
    best = CsvDialect{',', options.quote ? options.quote : '"', true};
    parse_best = true;
  }
  if (options.header >= 0) {
    best.has_header = options.header == 1;
    return best;
  }
  SampleRecords parsed;
  if (parse_best && parsed_candidate && best.delimiter == candidates[0].delimiter &&
      best.quote == candidates[0].quote) {
    parsed = *std::move(parsed_candidate);
  } else if (parse_best) {
    parsed = ParseSample(sample, truncated, best, kMaxRecords);
  }
  const std::vector<SampleRecord>& best_records = parsed.records;
  // Header: typed columns vote (a text cell over numbers says header; a number over
  // numbers says data). With only text columns, a row of distinct non-empty names that
  // never reappear below is a header.
  if (best_records.empty()) return best;
  const std::vector<std::string_view>& first = best_records[0].cells;
  int votes = 0;
  for (size_t c = 0; c < first.size(); ++c) {
    CsvType column = CsvType::kEmpty;
    // A text cell makes the column text whatever follows (kString joins to itself).
    for (size_t r = 1; r < best_records.size() && column != CsvType::kString; ++r) {
      if (c < best_records[r].cells.size()) column = Join(column, CsvCellType(best_records[r].cells[c]));
    }
    if (column == CsvType::kEmpty || column == CsvType::kString) continue;
    const CsvType head = CsvCellType(first[c]);
    if (head == CsvType::kEmpty) continue;
    votes += Join(head, column) == column ? -1 : 1;
  }
  if (votes != 0) {
    best.has_header = votes > 0;
    return best;
  }
  std::unordered_set<std::string_view> seen;
  bool header = !first.empty();
  for (size_t c = 0; c < first.size() && header; ++c) {
    const std::string_view name = first[c];
    if (name.empty() || name.size() > 128 || CsvCellType(name) != CsvType::kString || !seen.insert(name).second) {
      header = false;
      break;
    }
    for (size_t r = 1; r < best_records.size(); ++r) {
      if (c < best_records[r].cells.size() && best_records[r].cells[c] == name) {
        header = false;
        break;
      }
    }
  }
  best.has_header = header;
  return best;
}

CsvReport AnalyzeCsv(std::string_view text, const CsvOptions& options) {
  CsvReport report;
  report.size = text.size();
  report.dialect = DetectCsvDialect(text, options, &report.dialect_detected);
  const CsvDialect& d = report.dialect;
  CsvLocator& loc = report.locator;
  loc.text_ = text;
  loc.dialect_ = d;
  size_t unterminated = std::string_view::npos;
  size_t pos = 0;
  std::vector<CsvColumn>& columns = report.columns;
  uint64_t expected_fields = 0;  // the header's (or first row's) field count
  const auto add_header_cell = [&](size_t b, size_t e, bool quoted) {
    columns.push_back({CellText(text.substr(b, e - b), quoted, d.quote), CsvType::kEmpty, 0});
  };
  loc.indexed_ = options.statistics || options.index_records;
  if (!loc.indexed_ && d.has_header && !text.empty()) {
    size_t header_unterminated = std::string_view::npos;  // the status is not known
    ParseRecord(text, 0, d, add_header_cell, &header_unterminated, nullptr);
  }
  while (!options.statistics && loc.indexed_ && pos < text.size()) {
    ++report.records;
    loc.record_starts_.push_back(pos);
    if (pos == 0 && d.has_header) {
      pos = ParseRecord(text, pos, d, add_header_cell, &unterminated, nullptr);
      continue;
    }
    pos = NextRecord(text, pos, d, &unterminated);
  }
  while (options.statistics && pos < text.size()) {
    const uint64_t record = report.records++;
    loc.record_starts_.push_back(pos);
    const bool is_header = record == 0 && d.has_header;
    uint64_t fields = 0;
    bool embedded = false;
    pos = ParseRecord(
        text, pos, d,
        [&](size_t b, size_t e, bool quoted) {
          const std::string_view raw = text.substr(b, e - b);
          report.quoted_fields += quoted;
          if (is_header) {
            columns.push_back({CellText(raw, quoted, d.quote), CsvType::kEmpty, 0});
          } else if (fields >= columns.size()) {
            columns.push_back({"", CsvType::kEmpty, 0});
          }
          if (!is_header && options.statistics) {
            CsvColumn& col = columns[fields];
            const CsvType t = quoted ? CsvCellType(CellText(raw, true, d.quote)) : CsvCellType(raw);
            if (t != CsvType::kEmpty) ++col.non_empty;
            col.type = Join(col.type, t);
          }
          ++fields;
        },
        &unterminated, &embedded);
    report.embedded_newlines += embedded;
    if (record == 0) {
      report.min_fields = report.max_fields = fields;
    } else {
      report.min_fields = std::min(report.min_fields, fields);
      report.max_fields = std::max(report.max_fields, fields);
    }
    if (record == 0) expected_fields = fields;
    if (!is_header) {
      ++report.rows;
      if (record > 0 && fields != expected_fields) ++report.ragged_rows;
    }
  }
  if (unterminated != std::string_view::npos) {
    report.unterminated_quote_offset = unterminated;
    report.status = absl::InvalidArgumentError(
        absl::StrCat("unterminated quoted field starting at byte ", unterminated));
  }
  for (const CsvColumn& c : columns) loc.column_names_.push_back(c.name);
  return report;
}

void CsvLocator::IndexRecords() {
  if (indexed_) return;
  indexed_ = true;
  size_t unterminated = std::string_view::npos;
  for (size_t pos = 0; pos < text_.size();) {
    record_starts_.push_back(pos);
    pos = NextRecord(text_, pos, dialect_, &unterminated);
  }
}

std::optional<CsvLocator::Location> CsvLocator::Locate(uint64_t offset) const {
  if (record_starts_.empty() || offset >= text_.size()) return std::nullopt;
  auto it = std::upper_bound(record_starts_.begin(), record_starts_.end(), offset);
  const size_t record = static_cast<size_t>(it - record_starts_.begin()) - 1;
  Location loc;
  loc.record = record;
  loc.row = static_cast<int64_t>(record) - (dialect_.has_header ? 1 : 0);
  uint32_t column = 0;
  bool found = false;
  ParseRecord(
      text_, record_starts_[record], dialect_,
      [&](size_t, size_t e, bool) {
        if (found) return;
        // A delimiter belongs to the field before it.
        if (offset <= e) {
          found = true;
          return;
        }
        ++column;
      },
      nullptr, nullptr);
  if (!found && column > 0) --column;  // the record terminator belongs to the last field
  loc.column = column;
  if (dialect_.has_header && column < column_names_.size()) loc.column_name = column_names_[column];
  return loc;
}

void CsvReport::WriteJson(JsonWriter& w) const {
  w.BeginObject();
  w.Field("valid", status.ok());
  if (!status.ok()) w.Field("unterminated_quote_offset", unterminated_quote_offset);
  w.Key("dialect").BeginObject();
  w.Field("delimiter", std::string_view(&dialect.delimiter, 1));
  w.Field("quote", dialect.quote ? std::string_view(&dialect.quote, 1) : std::string_view());
  w.Field("header", dialect.has_header).Field("detected", dialect_detected);
  w.EndObject();
  w.Field("size", size).Field("records", records).Field("rows", rows);
  w.Field("min_fields", min_fields).Field("max_fields", max_fields).Field("ragged_rows", ragged_rows);
  w.Field("quoted_fields", quoted_fields).Field("embedded_newlines", embedded_newlines);
  w.Key("columns").BeginArray();
  for (const CsvColumn& c : columns) {
    w.BeginObject().Field("name", c.name).Field("type", CsvTypeName(c.type)).Field("non_empty", c.non_empty).EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace trawl
