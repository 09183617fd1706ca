// File: scan_command.cc
// trawl scan: streams inputs through the database and prints one JSON line per match.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "cli.h"
#include "mapped_input.h"

namespace trawl_cli {
namespace {

// Writes one JSON line per match. Everything that does not change from match to match is
// formatted once: the input's name per input, a rule's id, category and severity the first
// time the rule matches (a scan can report millions of matches of a few thousand rules),
// kept together in one string so the rules a scan reports stay in few cache lines. Each
// line is written straight into the output buffer after one check that it has room for
// the line's longest form (every byte escaped); the buffer goes to stdout in large writes.
class ScanOutput {
 public:
  explicit ScanOutput(const trawl_db* db)
      : db_(db), rule_fields_(trawl_db_rule_count(db)), out_(kFlushBytes + (64 << 10), '\0') {}
  ~ScanOutput() { Flush(); }

  void BeginInput(const std::string& name) {
    input_field_.assign("{\"input\":");
    AppendJsonString(&input_field_, name);
  }

  static int Print(const trawl_match* m, void* user_data) {
    static_cast<ScanOutput*>(user_data)->Append(*m);
    return 0;
  }

  bool Flush() {
    if (used_ > 0) std::fwrite(out_.data(), 1, used_, stdout);
    used_ = 0;
    return std::ferror(stdout) == 0;
  }

  uint64_t matches() const { return matches_; }

 private:
  static constexpr size_t kFlushBytes = 1 << 20;
  static constexpr size_t kNumberBytes = 20;  // UINT64_MAX
  // A capture's fixed text: {"start":,"end":,"text":} and a comma.
  static constexpr size_t kCaptureBytes = 32 + 2 * kNumberBytes;
  // The line's fixed text: ,"start":,"end":,"text":null,"text_cut":true,"captures":[]}\n
  static constexpr size_t kLineBytes = 64 + 2 * kNumberBytes;
  // Text printed per match or capture, as a finding's value is kept (kMaxValueBytes): a
  // composite rule's match spans the occurrences that made it hold, megabytes apart in an
  // IDS rule, and printing them whole made 3 GB of output from a 16 MiB input.
  static constexpr size_t kMaxTextBytes = 16 << 10;

  static char* Put(char* p, std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    return p + s.size();
  }
  static char* PutNumber(char* p, uint64_t value) {
    return std::to_chars(p, p + kNumberBytes, value).ptr;
  }

  // Room for `bytes` more at out_[used_]: flushes first when the buffer is short.
  char* Room(size_t bytes) {
    if (out_.size() - used_ < bytes) {
      Flush();
      if (out_.size() < bytes) out_.resize(bytes);
    }
    return out_.data() + used_;
  }

  std::string_view RuleFields(uint32_t rule) {
    Span& span = rule_fields_[rule];
    if (span.size == 0) {
      trawl_rule_info info = TRAWL_RULE_INFO_INIT;
      trawl_db_rule(&info, db_, rule);
      span.offset = static_cast<uint32_t>(fields_.size());
      fields_.append(",\"rule\":");
      AppendJsonString(&fields_, info.id);
      fields_.append(",\"category\":");
      AppendJsonString(&fields_, info.category);
      fields_.append(",\"severity\":\"").append(SeverityNames()[info.severity]).append("\"");
      span.size = static_cast<uint32_t>(fields_.size() - span.offset);
    }
    return std::string_view(fields_).substr(span.offset, span.size);
  }

  void Append(const trawl_match& m) {
    ++matches_;
    const std::string_view rule = RuleFields(m.rule_index);
    const size_t span_bytes = m.data == nullptr ? 0 : m.end - m.start;
    const size_t text_bytes = std::min(span_bytes, kMaxTextBytes);
    size_t bound = input_field_.size() + rule.size() + kLineBytes + JsonStringBound(text_bytes);
    for (uint32_t g = 0; g < m.capture_count; ++g) {
      const int64_t s = m.captures[2 * g], e = m.captures[2 * g + 1];
      bound += kCaptureBytes +
               (s < 0 ? 0 : JsonStringBound(std::min(static_cast<size_t>(e - s), kMaxTextBytes)));
    }
    char* p = Room(bound);
    p = Put(p, input_field_);
    p = Put(p, rule);
    p = Put(p, ",\"start\":");
    p = PutNumber(p, m.start);
    p = Put(p, ",\"end\":");
    p = PutNumber(p, m.end);
    p = Put(p, ",\"text\":");
    if (m.data == nullptr) {
      p = Put(p, "null");  // a composite match spanning bytes the stream no longer holds
    } else {
      p = WriteJsonString(p, std::string_view(m.data, text_bytes));
      if (text_bytes < span_bytes) p = Put(p, ",\"text_cut\":true");
    }
    p = Put(p, ",\"captures\":[");
    for (uint32_t g = 0; g < m.capture_count; ++g) {
      if (g) *p++ = ',';
      const int64_t s = m.captures[2 * g], e = m.captures[2 * g + 1];
      if (s < 0 || m.data == nullptr) {
        p = Put(p, "null");
        continue;
      }
      p = Put(p, "{\"start\":");
      p = PutNumber(p, static_cast<uint64_t>(s));
      p = Put(p, ",\"end\":");
      p = PutNumber(p, static_cast<uint64_t>(e));
      p = Put(p, ",\"text\":");
      const size_t capture_bytes = static_cast<size_t>(e - s);
      p = WriteJsonString(p, std::string_view(m.data + (s - static_cast<int64_t>(m.start)),
                                              std::min(capture_bytes, kMaxTextBytes)));
      if (capture_bytes > kMaxTextBytes) p = Put(p, ",\"text_cut\":true");
      *p++ = '}';
    }
    p = Put(p, "]}\n");
    used_ = static_cast<size_t>(p - out_.data());
    if (used_ >= kFlushBytes) Flush();
  }

  struct Span {
    uint32_t offset = 0;
    uint32_t size = 0;  // 0 until the rule first matches
  };
  const trawl_db* db_;
  std::vector<Span> rule_fields_;  // by rule index, into fields_
  std::string fields_;
  std::string input_field_;
  std::string out_;  // lines in out_[0, used_)
  size_t used_ = 0;
  uint64_t matches_ = 0;
};

// Every reason the scan is incomplete, most severe first: a per-rule cap must not hide
// an unplaced match (a lost one) behind it.
std::string TruncationNames(uint32_t truncation) {
  static constexpr std::pair<uint32_t, const char*> kNames[] = {
      {TRAWL_TRUNC_TIME_BUDGET, "time budget"},   {TRAWL_TRUNC_BYTE_BUDGET, "byte budget"},
      {TRAWL_TRUNC_MATCH_CAP, "match cap"},       {TRAWL_TRUNC_STOPPED, "stopped"},
      {TRAWL_TRUNC_UNPLACED, "unplaced match"},   {TRAWL_TRUNC_CONFIRM_LIMIT, "confirmation limit"},
      {TRAWL_TRUNC_RULE_MATCH_CAP, "per-rule match cap"}};
  std::string names;
  uint32_t named = 0;
  for (const auto& [bit, name] : kNames) {
    if (!(truncation & bit)) continue;
    if (!names.empty()) names += ", ";
    names += name;
    named |= bit;
  }
  if (truncation & ~named) names += names.empty() ? "incomplete" : ", incomplete";
  return names;
}

void PrintSummary(const std::string& input, const trawl_scan_result& result) {
  if (GlobalFlags().verbosity < 0) return;
  std::fprintf(stderr, "trawl: %s: %llu bytes, %llu matches%s%s\n", input.c_str(),
               static_cast<unsigned long long>(result.bytes_scanned),
               static_cast<unsigned long long>(result.matches),
               result.truncation ? ", TRUNCATED: " : "",
               result.truncation ? TruncationNames(result.truncation).c_str() : "");
}

struct ScanSettings {
  std::string db_path;
  std::vector<std::string> inputs;
  Budgets budgets;
  bool fail_on_match = false;
  // Map regular files (mapped_input.h) instead of reading them. Opt-in: on the 2-core VM
  // of bench/RESULTS.md mapping measured 3-4 % more CPU than reading under load (the
  // kernel's copy leaves the window in cache for the engine; a mapping's pages come from
  // memory at the engine's pace), and it brings the SIGBUS risk of a shrinking file.
  bool mmap = false;
  // With composite rules in the database, an input that is not mapped (stdin, a pipe) is
  // held up to this many bytes and scanned whole; a larger one is streamed.
  uint64_t whole_limit = uint64_t{512} << 20;
};

bool HasCompositeRules(const trawl_db* db) {
  const size_t rules = trawl_db_rule_count(db);
  for (size_t r = 0; r < rules; ++r) {
    trawl_rule_info info = TRAWL_RULE_INFO_INIT;
    if (trawl_db_rule(&info, db, r) == TRAWL_OK && info.status == TRAWL_RULE_COMPOSITE) {
      return true;
    }
  }
  return false;
}

int Scan(const ScanSettings& settings) {
  Owned<trawl_options> options = NewOptions();
  if (!settings.budgets.Apply(options.get())) return Fail("a budget is out of range");
  Owned<trawl_db> db = LoadDbOrDefault(settings.db_path);
  if (!db) return kExitError;
  // A stream evaluates composite rules when it ends, over the window it still holds, so a
  // rule whose patterns lie further apart is lost (and the summary says so). A mapped file
  // holds every byte: scanned as one buffer, its composite rules are exact.
  const bool whole_files = HasCompositeRules(db.get());
  Owned<trawl_scratch> scratch;
  std::vector<std::string> inputs = settings.inputs;
  if (inputs.empty()) inputs.push_back("-");
  int exit_code = kExitClean;
  // The stream gathers its own 8 MiB rounds, so reads need not be that large: 1 MiB
  // touches fewer fresh pages. Left uninitialised: fread fills what is scanned.
  constexpr size_t kChunkBytes = 1 << 20;
  const std::unique_ptr<char[]> chunk(new char[kChunkBytes]);
  ScanOutput output(db.get());
  for (const std::string& input : inputs) {
    std::FILE* f = stdin;
    if (input != "-") {
      const int fd = ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || (f = ::fdopen(fd, "rb")) == nullptr) {
        exit_code = OsError(input, "cannot open", errno);
        if (fd >= 0) ::close(fd);
        continue;
      }
    }
    output.BeginInput(input);
    // One buffer holding every byte of the input, scanned at once: composite rules exact.
    // Returns false only when stdout fails.
    const auto scan_whole = [&](std::string_view bytes) {
      if (!scratch) {
        trawl_scratch* raw_scratch = nullptr;
        if (trawl_status s = trawl_scratch_new(&raw_scratch, db.get()); s != TRAWL_OK) {
          exit_code = Error("scratch", s);
          return true;
        }
        scratch.reset(raw_scratch);
      }
      trawl_scan_result result = TRAWL_SCAN_RESULT_INIT;
      const trawl_status status = trawl_scan(db.get(), scratch.get(), bytes.data(), bytes.size(),
                                             options.get(), ScanOutput::Print, &output, &result);
      if (!output.Flush()) return false;
      if (status != TRAWL_OK && status != TRAWL_STOPPED) {
        exit_code = Error(input, status);
      } else {
        PrintSummary(input, result);
      }
      return true;
    };
    MappedInput mapped;
    if (f != stdin && whole_files && mapped.Map(::fileno(f), input)) {
      Verbose(input + ": mapped and scanned whole (" + std::to_string(mapped.bytes().size()) +
              " bytes): the database has composite rules");
      const bool written = scan_whole(mapped.bytes());
      std::fclose(f);
      if (!written) return OsError("stdout", "write", errno);
      continue;
    }
    // What cannot be mapped (stdin, pipes) is held whole while it fits the limit, for the
    // same reason; a larger input is streamed, from the bytes already held on.
    std::string held;
    if (whole_files && settings.whole_limit > 0) {
      while (held.size() <= settings.whole_limit) {
        const size_t at = held.size();
        held.resize(at + kChunkBytes);
        const size_t n = std::fread(held.data() + at, 1, kChunkBytes, f);
        held.resize(at + n);
        if (n == 0) break;
      }
      if (held.size() <= settings.whole_limit && std::ferror(f) == 0) {
        Verbose(input + ": held and scanned whole (" + std::to_string(held.size()) +
                " bytes): the database has composite rules");
        const bool written = scan_whole(held);
        if (f != stdin) std::fclose(f);
        if (!written) return OsError("stdout", "write", errno);
        continue;
      }
      Verbose(input + ": larger than --whole-limit, streamed: composite rules whose patterns "
              "lie further apart than the stream's window are not found (the summary says so)");
    }
    trawl_stream* raw_stream = nullptr;
    trawl_status status = trawl_stream_new(&raw_stream, db.get(), options.get());
    if (status != TRAWL_OK) return Error("stream", status);
    Owned<trawl_stream> stream(raw_stream);
    uint64_t read_total = held.size();
    if (!held.empty()) {
      status = trawl_stream_write(stream.get(), held.data(), held.size(), ScanOutput::Print, &output);
      std::string().swap(held);
    }
    if (read_total == 0 && f != stdin && settings.mmap && mapped.Map(::fileno(f), input)) {
      Verbose(input + ": mapped (" + std::to_string(mapped.bytes().size()) + " bytes)");
      // One write: the stream scans the mapped pages in place. With a progress line, a
      // write per 256 MiB (each costs a copy of about one 8 MiB window).
      std::string_view bytes = mapped.bytes();
      const size_t piece = ShowProgress() ? size_t{256} << 20 : bytes.size();
      while (!bytes.empty() && status == TRAWL_OK) {
        const size_t n = std::min(piece, bytes.size());
        status = trawl_stream_write(stream.get(), bytes.data(), n, ScanOutput::Print, &output);
        bytes.remove_prefix(n);
        read_total += n;
        if (ShowProgress()) {
          std::fprintf(stderr, "\rscan %s: %llu MiB", input.c_str(),
                       static_cast<unsigned long long>(read_total >> 20));
        }
      }
    } else {
      size_t n;
      while (status == TRAWL_OK && (n = std::fread(chunk.get(), 1, kChunkBytes, f)) > 0) {
        read_total += n;
        status = trawl_stream_write(stream.get(), chunk.get(), n, ScanOutput::Print, &output);
        if (status != TRAWL_OK) break;
        if (ShowProgress()) {
          std::fprintf(stderr, "\rscan %s: %llu MiB", input.c_str(),
                       static_cast<unsigned long long>(read_total >> 20));
        }
      }
    }
    const int read_errno = std::ferror(f) != 0 ? errno : 0;
    if (f != stdin) std::fclose(f);
    if (ShowProgress()) std::fputc('\n', stderr);
    trawl_scan_result result = TRAWL_SCAN_RESULT_INIT;
    if (status == TRAWL_OK) {
      status = trawl_stream_finish(stream.get(), ScanOutput::Print, &output, &result);
    }
    if (!output.Flush()) return OsError("stdout", "write", errno);
    if (status != TRAWL_OK && status != TRAWL_STOPPED) {
      exit_code = Error(input, status);
      continue;
    }
    if (read_errno != 0) {
      exit_code = OsError(input, "read error after " + std::to_string(read_total) + " bytes",
                          read_errno);
    }
    PrintSummary(input, result);
  }
  if (exit_code == kExitClean && settings.fail_on_match && output.matches() > 0) {
    return kExitFindings;
  }
  return exit_code;
}

}  // namespace

void RegisterScanCommand(CLI::App* app, int* exit_code) {
  auto settings = std::make_shared<ScanSettings>();
  CLI::App* scan = app->add_subcommand(
      "scan", "stream inputs through the database: one JSON line per match on stdout");
  scan->add_option("INPUT", settings->inputs, "files to scan; - or none: stdin");
  scan->add_option("--db", settings->db_path,
                   "database (default: $TRAWL_DB, then the installed default.tdb)");
  scan->add_flag("--fail-on-match", settings->fail_on_match, "exit 1 when anything matched");
  scan->add_option("--whole-limit", settings->whole_limit,
                   "with composite rules in the database: stdin and other inputs that are not "
                   "mapped are held up to this size and scanned whole, exactly; larger ones are "
                   "streamed (default 512M; 0: always stream)")
      ->transform(CLI::AsSizeValue(false));
  scan->add_flag("--mmap", settings->mmap,
                 "map regular files instead of reading them (not for a file another process "
                 "may truncate during the scan: docs/cli.md)");
  settings->budgets.Register(scan, /*inflight=*/false);
  scan->callback([=] { *exit_code = Scan(*settings); });
}

}  // namespace trawl_cli
