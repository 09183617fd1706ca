// trawl.hpp — the C++ API: a header-only layer over the C ABI in trawl.h.
//
// It adds RAII handles, std::string results and exceptions, and nothing else: every call
// goes through trawl.h, so a program that uses this header depends only on the stable
// ABI, whatever compiler or standard library built libtrawl. Exceptions are thrown here,
// in the caller's code, never across the library boundary.
//
//   trawl::Rules rules;
//   rules.AddFile("rules/secrets.json");
//   trawl::Database db = trawl::Database::Compile(rules);
//   trawl::Scratch scratch(db);
//   scratch.Scan(db, text, [&](const trawl_match& m) { ...; return true; });
//   std::string report = trawl::AnalyzePackageFile(db, "pkg.tar.gz");
//
// Threads: as in trawl.h. A Database may be shared; a Scratch belongs to one thread.
// Requires C++17.
#ifndef TRAWL_TRAWL_HPP_
#define TRAWL_TRAWL_HPP_

#include <cstdint>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "trawl/trawl.h"

namespace trawl {

// A failed call: the status code, its name, and the details trawl_error carried.
class Error : public std::runtime_error {
 public:
  Error(trawl_status status, const trawl_error& details)
      : std::runtime_error(Describe(status, details)),
        status_(status),
        index_(details.index),
        offset_(details.offset) {}
  explicit Error(trawl_status status) : Error(status, Empty()) {}

  trawl_status status() const { return status_; }
  int64_t index() const { return index_; }    // failing definition / result, or -1
  int64_t offset() const { return offset_; }  // byte offset of the problem, or -1

 private:
  static trawl_error Empty() {
    trawl_error e = TRAWL_ERROR_INIT;
    return e;
  }
  static std::string Describe(trawl_status status, const trawl_error& details) {
    std::string text = trawl_status_str(status);
    if (details.message[0] != '\0') text += std::string(": ") + details.message;
    return text;
  }
  trawl_status status_;
  int64_t index_;
  int64_t offset_;
};

namespace internal {

inline void Check(trawl_status status, const trawl_error& err) {
  if (status < 0) throw Error(status, err);
}
inline void Check(trawl_status status) {
  if (status < 0) throw Error(status);
}

struct BufferFree {
  void operator()(trawl_buffer* b) const { trawl_buffer_free(b); }
};

// Takes ownership of a trawl_buffer and returns its bytes.
inline std::string Take(trawl_buffer* buffer) {
  std::unique_ptr<trawl_buffer, BufferFree> owned(buffer);
  return std::string(trawl_buffer_data(buffer), trawl_buffer_size(buffer));
}

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};

}  // namespace internal

enum class ReportFormat : int32_t {
  kJson = TRAWL_REPORT_JSON,
  kTable = TRAWL_REPORT_TABLE,
  kSarif = TRAWL_REPORT_SARIF,
};

class Options {
 public:
  Options() {
    trawl_options* raw = nullptr;
    internal::Check(trawl_options_new(&raw));
    handle_.reset(raw);
  }
  Options& Set(int32_t key, int64_t value) {
    internal::Check(trawl_options_set_int(handle_.get(), key, value));
    return *this;
  }
  Options& Set(int32_t key, const std::string& value) {
    internal::Check(trawl_options_set_string(handle_.get(), key, value.c_str()));
    return *this;
  }
  const trawl_options* get() const { return handle_.get(); }
  trawl_options* get() { return handle_.get(); }

 private:
  std::unique_ptr<trawl_options, internal::Deleter<trawl_options, trawl_options_free>> handle_;
};

class Rules {
 public:
  Rules() {
    trawl_rules* raw = nullptr;
    internal::Check(trawl_rules_new(&raw));
    handle_.reset(raw);
  }
  // Throws on unreadable files. Definition problems do not throw: the good definitions
  // are added and the problems are listed by Issues().
  Rules& AddFile(const std::string& path) {
    trawl_error err = TRAWL_ERROR_INIT;
    const trawl_status status = trawl_rules_add_file(handle_.get(), path.c_str(), &err);
    if (status != TRAWL_E_PARSE) internal::Check(status, err);
    return *this;
  }
  Rules& AddJson(std::string_view json, const std::string& name = "inline") {
    trawl_error err = TRAWL_ERROR_INIT;
    const trawl_status status =
        trawl_rules_add_json(handle_.get(), json.data(), json.size(), name.c_str(), &err);
    if (status != TRAWL_E_PARSE) internal::Check(status, err);
    return *this;
  }
  size_t size() const { return trawl_rules_count(handle_.get()); }
  std::vector<std::string> Issues() const {
    std::vector<std::string> issues;
    for (size_t i = 0; i < trawl_rules_issue_count(handle_.get()); ++i) {
      trawl_error issue = TRAWL_ERROR_INIT;
      if (trawl_rules_issue(&issue, handle_.get(), i) == TRAWL_OK) issues.push_back(issue.message);
    }
    return issues;
  }
  const trawl_rules* get() const { return handle_.get(); }

 private:
  std::unique_ptr<trawl_rules, internal::Deleter<trawl_rules, trawl_rules_free>> handle_;
};

class Database {
 public:
  static Database Compile(const Rules& rules, const Options* options = nullptr) {
    trawl_db* raw = nullptr;
    trawl_error err = TRAWL_ERROR_INIT;
    internal::Check(trawl_db_compile(&raw, rules.get(), options ? options->get() : nullptr, &err),
                    err);
    return Database(raw);
  }
  static Database LoadFile(const std::string& path) {
    trawl_db* raw = nullptr;
    trawl_error err = TRAWL_ERROR_INIT;
    internal::Check(trawl_db_load_file(&raw, path.c_str(), &err), err);
    return Database(raw);
  }
  static Database Load(std::string_view artifact) {
    trawl_db* raw = nullptr;
    trawl_error err = TRAWL_ERROR_INIT;
    internal::Check(trawl_db_load(&raw, artifact.data(), artifact.size(), &err), err);
    return Database(raw);
  }
  void SaveFile(const std::string& path) const {
    trawl_error err = TRAWL_ERROR_INIT;
    internal::Check(trawl_db_save_file(handle_.get(), path.c_str(), &err), err);
  }
  std::string Serialize() const {
    trawl_buffer* out = nullptr;
    trawl_error err = TRAWL_ERROR_INIT;
    internal::Check(trawl_db_serialize(&out, handle_.get(), &err), err);
    return internal::Take(out);
  }
  size_t rule_count() const { return trawl_db_rule_count(handle_.get()); }
  trawl_rule_info Rule(size_t index) const {
    trawl_rule_info info = TRAWL_RULE_INFO_INIT;
    internal::Check(trawl_db_rule(&info, handle_.get(), index));
    return info;
  }
  const trawl_db* get() const { return handle_.get(); }

 private:
  explicit Database(trawl_db* raw) : handle_(raw) {}
  std::unique_ptr<trawl_db, internal::Deleter<trawl_db, trawl_db_free>> handle_;
};

// Per-thread scan state for one Database.
class Scratch {
 public:
  explicit Scratch(const Database& db) {
    trawl_scratch* raw = nullptr;
    internal::Check(trawl_scratch_new(&raw, db.get()));
    handle_.reset(raw);
  }
  // Calls on_match(const trawl_match&) -> bool for each match, in order; returning false
  // stops the scan. Returns the scan's summary (truncation bits say what was cut short).
  template <typename OnMatch>
  trawl_scan_result Scan(const Database& db, std::string_view data, OnMatch&& on_match,
                         const Options* options = nullptr) {
    trawl_scan_result result = TRAWL_SCAN_RESULT_INIT;
    struct Context {
      OnMatch* fn;
    } context{&on_match};
    const trawl_match_cb callback = [](const trawl_match* m, void* user_data) -> int {
      auto* ctx = static_cast<Context*>(user_data);
      // A C callback must not throw: an exception from on_match ends the program.
      try {
        return (*ctx->fn)(*m) ? 0 : 1;
      } catch (...) {
        std::terminate();
      }
    };
    internal::Check(trawl_scan(db.get(), handle_.get(), data.data(), data.size(),
                               options ? options->get() : nullptr, callback, &context, &result));
    return result;
  }

 private:
  std::unique_ptr<trawl_scratch, internal::Deleter<trawl_scratch, trawl_scratch_free>> handle_;
};

// Packages: the whole pipeline in one call, and stage by stage (docs/stages.md).

// The manifest of a package in memory, or of a package file.
inline std::string Decompose(std::string_view package, const Options* options = nullptr) {
  trawl_buffer* out = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  internal::Check(trawl_package_decompose(&out, package.data(), package.size(),
                                          options ? options->get() : nullptr, &err),
                  err);
  return internal::Take(out);
}

inline std::string DecomposeFile(const std::string& path, const Options* options = nullptr) {
  trawl_buffer* out = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  internal::Check(
      trawl_package_decompose_file(&out, path.c_str(), options ? options->get() : nullptr, &err),
      err);
  return internal::Take(out);
}

inline std::string DecomposeToDirectory(const std::string& path, const std::string& directory,
                                        const Options* options = nullptr) {
  trawl_buffer* out = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  internal::Check(trawl_package_decompose_to_directory(&out, path.c_str(), directory.c_str(),
                                                       options ? options->get() : nullptr, &err),
                  err);
  return internal::Take(out);
}

// The plans of every component (trawl.plans/1); `db` may be null.
inline std::string Classify(const Database* db, std::string_view package,
                            const Options* options = nullptr) {
  trawl_buffer* out = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  internal::Check(trawl_package_classify(&out, db ? db->get() : nullptr, package.data(),
                                         package.size(), options ? options->get() : nullptr,
                                         &err),
                  err);
  return internal::Take(out);
}

inline std::string ClassifyFile(const Database* db, const std::string& path,
                                const Options* options = nullptr) {
  trawl_buffer* out = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  internal::Check(trawl_package_classify_file(&out, db ? db->get() : nullptr, path.c_str(),
                                              options ? options->get() : nullptr, &err),
                  err);
  return internal::Take(out);
}

// The report of a package in memory, or of a package file.
inline std::string AnalyzePackage(const Database& db, std::string_view package,
                                  ReportFormat format = ReportFormat::kJson,
                                  const Options* options = nullptr) {
  trawl_buffer* out = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  internal::Check(trawl_package_analyze(&out, db.get(), package.data(), package.size(),
                                        options ? options->get() : nullptr,
                                        static_cast<int32_t>(format), &err),
                  err);
  return internal::Take(out);
}

inline std::string AnalyzePackageFile(const Database& db, const std::string& path,
                                      ReportFormat format = ReportFormat::kJson,
                                      const Options* options = nullptr) {
  trawl_buffer* out = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  internal::Check(trawl_package_analyze_file(&out, db.get(), path.c_str(),
                                             options ? options->get() : nullptr,
                                             static_cast<int32_t>(format), &err),
                  err);
  return internal::Take(out);
}

// A git repository's history as a package (docs/git.md): the same documents as the
// package calls above, one component per blob. TRAWL_OPT_GIT_BRANCH, TRAWL_OPT_GIT_SINCE
// and TRAWL_OPT_GIT_STAGED in `options` choose what is read.
inline std::string GitDecompose(const std::string& repository, const Options* options = nullptr) {
  trawl_buffer* out = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  internal::Check(
      trawl_git_decompose(&out, repository.c_str(), options ? options->get() : nullptr, &err),
      err);
  return internal::Take(out);
}

inline std::string GitDecomposeToDirectory(const std::string& repository,
                                           const std::string& directory,
                                           const Options* options = nullptr) {
  trawl_buffer* out = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  internal::Check(trawl_git_decompose_to_directory(&out, repository.c_str(), directory.c_str(),
                                                   options ? options->get() : nullptr, &err),
                  err);
  return internal::Take(out);
}

// `db` may be null.
inline std::string GitClassify(const Database* db, const std::string& repository,
                               const Options* options = nullptr) {
  trawl_buffer* out = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  internal::Check(trawl_git_classify(&out, db ? db->get() : nullptr, repository.c_str(),
                                     options ? options->get() : nullptr, &err),
                  err);
  return internal::Take(out);
}

inline std::string GitAnalyze(const Database& db, const std::string& repository,
                              ReportFormat format = ReportFormat::kJson,
                              const Options* options = nullptr) {
  trawl_buffer* out = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  internal::Check(trawl_git_analyze(&out, db.get(), repository.c_str(),
                                    options ? options->get() : nullptr,
                                    static_cast<int32_t>(format), &err),
                  err);
  return internal::Take(out);
}

inline std::string ManifestWork(std::string_view manifest) {
  trawl_buffer* out = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  internal::Check(trawl_manifest_work(&out, manifest.data(), manifest.size(), &err), err);
  return internal::Take(out);
}

inline std::string PlanComponent(const Database* db, std::string_view manifest,
                                 const std::string& component_id, std::string_view content,
                                 const Options* options = nullptr) {
  trawl_buffer* out = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  internal::Check(trawl_component_plan(&out, db ? db->get() : nullptr, manifest.data(),
                                       manifest.size(), component_id.c_str(), content.data(),
                                       content.size(), options ? options->get() : nullptr, &err),
                  err);
  return internal::Take(out);
}

inline std::string AnalyzeComponent(const Database& db, std::string_view manifest,
                                    const std::string& component_id, std::string_view content,
                                    const Options* options = nullptr) {
  trawl_buffer* out = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  internal::Check(trawl_component_analyze(&out, db.get(), manifest.data(), manifest.size(),
                                          component_id.c_str(), content.data(), content.size(),
                                          options ? options->get() : nullptr, &err),
                  err);
  return internal::Take(out);
}

inline std::string Aggregate(std::string_view manifest, const std::vector<std::string>& results,
                             ReportFormat format = ReportFormat::kJson,
                             const Options* options = nullptr) {
  std::vector<const char*> data;
  std::vector<size_t> lens;
  for (const std::string& r : results) {
    data.push_back(r.data());
    lens.push_back(r.size());
  }
  trawl_buffer* out = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  internal::Check(trawl_report_aggregate(&out, manifest.data(), manifest.size(), data.data(),
                                         lens.data(), results.size(),
                                         options ? options->get() : nullptr,
                                         static_cast<int32_t>(format), &err),
                  err);
  return internal::Take(out);
}

inline std::string DefaultPolicy() {
  trawl_buffer* out = nullptr;
  internal::Check(trawl_policy_default(&out));
  return internal::Take(out);
}

}  // namespace trawl

#endif  // TRAWL_TRAWL_HPP_
