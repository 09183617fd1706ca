// File: keyword_tracker.cc
#include "engine/keyword_tracker.h"

#include <algorithm>
#include <string>

#include "engine/database.h"
#include "engine/internal/keyword_index.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace trawl {

struct KeywordTracker::Impl {
  const internal::KeywordIndex* index = nullptr;
  internal::ScratchPtr scratch;
  std::vector<uint8_t> seen;  // by keyword id
  size_t unseen = 0;
  uint64_t fed_to = 0;  // every byte before this was fed
  std::string tail;  // the last bytes fed before fed_to, one short of the longest keyword

  absl::Status Scan(std::string_view bytes) {
    if (bytes.empty()) return absl::OkStatus();
    const hs_error_t rc = hs_scan(index->engine(), bytes.data(),
                                  static_cast<unsigned int>(bytes.size()), 0, scratch.get(),
                                  &Impl::OnKeyword, this);
    if (rc == HS_SUCCESS || rc == HS_SCAN_TERMINATED) return absl::OkStatus();
    return absl::InternalError(StrCat("engine: keyword scan failed (error ", rc, ")"));
  }

  static int OnKeyword(unsigned int id, unsigned long long /*from*/, unsigned long long /*to*/,
                       unsigned int /*flags*/, void* context) {
    Impl& s = *static_cast<Impl*>(context);
    if (!s.seen[id]) {
      s.seen[id] = 1;
      --s.unseen;
    }
    return s.unseen == 0 ? 1 : 0;  // all found: the rest of the bytes cannot change a verdict
  }
};

KeywordTracker::KeywordTracker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KeywordTracker::~KeywordTracker() = default;

absl::StatusOr<std::unique_ptr<KeywordTracker>> KeywordTracker::Create(const Database& db) {
  auto index = db.keyword_index();
  if (!index.ok()) return index.status();
  if (*index == nullptr) return nullptr;
  auto impl = std::make_unique<Impl>();
  impl->index = *index;
  hs_scratch_t* scratch = nullptr;
  if (hs_alloc_scratch(impl->index->engine(), &scratch) != HS_SUCCESS) {
    return absl::ResourceExhaustedError("engine: cannot allocate the keyword scratch");
  }
  impl->scratch = internal::ScratchPtr(scratch);
  auto tracker = std::unique_ptr<KeywordTracker>(new KeywordTracker(std::move(impl)));
  tracker->Reset();
  return tracker;
}

void KeywordTracker::Reset() {
  Impl& s = *impl_;
  s.seen.assign(s.index->keyword_count(), 0);
  s.unseen = s.seen.size();
  s.fed_to = 0;
  s.tail.clear();
}

absl::Status KeywordTracker::Feed(std::string_view bytes, uint64_t base) {
  Impl& s = *impl_;
  const uint64_t end = base + bytes.size();
  if (base > s.fed_to) {
    return absl::InternalError(StrCat("keyword tracker: bytes ", s.fed_to, " to ", base,
                                      " of the input were never fed"));
  }
  if (end <= s.fed_to) return absl::OkStatus();
  const std::string_view fresh = bytes.substr(s.fed_to - base);
  s.fed_to = end;
  if (s.unseen == 0) return absl::OkStatus();
  const size_t seam = s.index->max_length() - 1;
  // A keyword that starts in the bytes fed before and ends in these.
  const bool had_tail = !s.tail.empty();
  if (had_tail) {
    s.tail.append(fresh.substr(0, seam));
    TRAWL_RETURN_IF_ERROR(s.Scan(s.tail));
  }
  for (uint64_t from = 0; s.unseen > 0 && from < fresh.size();) {
    // The engine takes at most 4 GiB per call: longer feeds go in overlapping pieces.
    const uint64_t length = std::min<uint64_t>(uint64_t{1} << 30, fresh.size() - from);
    TRAWL_RETURN_IF_ERROR(s.Scan(fresh.substr(from, length)));
    if (from + length == fresh.size()) break;
    from += length - seam;
  }
  // The bytes a keyword across the next feed's start may begin in.
  if (fresh.size() >= seam) {
    s.tail.assign(fresh.substr(fresh.size() - seam));
  } else {
    if (!had_tail) s.tail.assign(fresh);  // else the tail holds the old bytes and `fresh`
    if (s.tail.size() > seam) s.tail.erase(0, s.tail.size() - seam);
  }
  return absl::OkStatus();
}

absl::Status KeywordTracker::Append(std::string_view bytes) { return Feed(bytes, impl_->fed_to); }

const std::vector<uint32_t>& KeywordTracker::rules() const { return impl_->index->rules(); }

bool KeywordTracker::KeywordSeen(uint32_t rule) const {
  for (uint32_t id : impl_->index->KeywordsOf(rule)) {
    if (impl_->seen[id]) return true;
  }
  return false;
}

}  // namespace trawl
