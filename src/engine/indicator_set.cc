// File: indicator_set.cc
#include "engine/indicator_set.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "util/hash_containers.h"
#include "util/huge_pages.h"
#include "util/status_codes.h"
#include "util/strings.h"

namespace trawl {
namespace {

constexpr char kMagic[8] = {'T', 'R', 'W', 'L', 'I', 'O', 'C', '\0'};
constexpr uint32_t kLayoutVersion = 1;
constexpr size_t kHeaderSize = 64;
constexpr size_t kAlign = 64;

// One entry, unpacked.
struct Entry {
  uint32_t value_offset = 0;
  uint32_t meta = 0;
  uint16_t value_length = 0;
  uint16_t key_length = 0;
  uint8_t key_kind = 0;
  uint8_t type = 0;
  uint8_t key_skip = 0;  // the key starts this many bytes (0 or 1) into the value
};
// One entry as stored: 12 bytes (a fifth of the section is entries, so every byte here
// is load time).
struct PackedEntry {
  uint32_t value_offset;
  uint32_t meta_kind;        // metadata index (low 24 bits), key kind (high 8)
  uint16_t length_type;      // value length (low 12 bits), type (high 4)
  uint16_t key_length_skip;  // key length (low 15 bits), key skip (high bit)
};
static_assert(sizeof(PackedEntry) == 12);
constexpr uint32_t kMaxMetas = 1u << 24;
constexpr size_t kMaxValueLength = (1u << 12) - 1;

PackedEntry Pack(const Entry& e) {
  return {e.value_offset, e.meta | uint32_t{e.key_kind} << 24,
          static_cast<uint16_t>(e.value_length | e.type << 12),
          static_cast<uint16_t>(e.key_length | e.key_skip << 15)};
}
Entry Unpack(const PackedEntry& p) {
  Entry e;
  e.value_offset = p.value_offset;
  e.meta = p.meta_kind & (kMaxMetas - 1);
  e.key_kind = static_cast<uint8_t>(p.meta_kind >> 24);
  e.value_length = p.length_type & kMaxValueLength;
  e.type = static_cast<uint8_t>(p.length_type >> 12);
  e.key_length = p.key_length_skip & 0x7fff;
  e.key_skip = static_cast<uint8_t>(p.key_length_skip >> 15);
  return e;
}

struct StringRef {
  uint32_t offset, length;
};
// One metadata record as stored: 48 bytes.
struct MetaRecord {
  StringRef feed, family, category, source;
  double confidence;
  uint8_t severity;
  uint8_t reserved[7];
};
static_assert(sizeof(MetaRecord) == 48);

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t bucket_bits;
  uint64_t entry_count;
  uint64_t indicator_count;
  uint64_t meta_count;
  uint64_t strings_size;
  uint64_t values_size;
  uint32_t type_mask;
  uint32_t reserved;
};
static_assert(sizeof(Header) == kHeaderSize);

size_t AlignUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

// Where each array lies in a section; false when the counts overflow or do not fit `size`.
struct Layout {
  size_t buckets, hashes, entries, metas, strings, values, end;
};
bool ComputeLayout(const Header& h, size_t size, Layout* out) {
  // Each count is bounded by the section size first, so the products below cannot wrap.
  if (h.bucket_bits == 0 || h.bucket_bits > 31 || h.entry_count > size || h.meta_count > size ||
      h.strings_size > size || h.values_size > size || h.indicator_count > h.entry_count) {
    return false;
  }
  const size_t buckets = (size_t{1} << h.bucket_bits) + 1;
  out->buckets = kHeaderSize;
  out->hashes = AlignUp(out->buckets + buckets * sizeof(uint32_t));
  out->entries = AlignUp(out->hashes + h.entry_count * sizeof(uint32_t));
  out->metas = AlignUp(out->entries + h.entry_count * sizeof(PackedEntry));
  out->strings = AlignUp(out->metas + h.meta_count * sizeof(MetaRecord));
  out->values = AlignUp(out->strings + h.strings_size);
  out->end = out->values + h.values_size;
  return out->end == size;
}

absl::Status Corrupt(std::string_view why) {
  return WithCode(absl::DataLossError(StrCat("indicator set is corrupt: ", why)),
                  ErrorCode::kCorrupt);
}

// An entry on its way into a section: sorted by `key` (bucket in the high half, tag in
// the low half; one layout for any bucket count up to 2^31), then by `seq` (insertion
// order), so a section's bytes depend only on its input.
struct PendingEntry {
  uint64_t key;
  uint32_t seq;
  PackedEntry entry;
};
static_assert(sizeof(PendingEntry) == 24);
bool operator<(const PendingEntry& a, const PendingEntry& b) {
  return a.key != b.key ? a.key < b.key : a.seq < b.seq;
}

uint64_t SortKey(uint64_t hash, uint32_t bucket_bits) {
  return (hash >> (64 - bucket_bits)) << 32 | IndicatorSet::Tag(hash);
}

// The second key of an indicator, if it has one: the IP of an IP:port, the host of a URL
// that names no path. `skip` is where it starts in the value (past a '[').
bool SecondKey(IndicatorType type, std::string_view value, std::string_view* part, uint8_t* skip,
               IndicatorKey* kind) {
  *skip = 0;
  if (type == IndicatorType::kIpPort) {
    const size_t colon = value.rfind(':');
    *skip = value.front() == '[' ? 1 : 0;
    *part = value.substr(*skip, colon - *skip - (*skip ? 1 : 0));
    *kind = IndicatorKey::kIpOfIpPort;
  } else if (type == IndicatorType::kUrl && value.find_first_of("/?") == std::string_view::npos) {
    *part = value;
    if (!part->empty() && part->front() == '[') {
      *skip = 1;
      *part = part->substr(1, part->find(']') - 1);
    } else if (const size_t colon = part->rfind(':'); colon != std::string_view::npos) {
      *part = part->substr(0, colon);
    }
    *kind = IndicatorKey::kHostOfUrl;
  } else {
    return false;
  }
  return !part->empty();
}

// Zeroed storage from MapMemory (huge pages: a section is tens of megabytes, and first
// touches of small pages would cost more than writing it), freed with it.
std::shared_ptr<char> MapSection(size_t size) {
  size_t mapped = std::max<size_t>(size, 1);
  void* memory = MapMemory(&mapped);
  if (memory == nullptr) return nullptr;
  return std::shared_ptr<char>(static_cast<char*>(memory),
                               [mapped](char* p) { UnmapMemory(p, mapped); });
}

PackedEntry PackedAt(const char* entries, uint64_t i) {
  PackedEntry packed;
  std::memcpy(&packed, entries + i * sizeof packed, sizeof packed);
  return packed;
}

// What the section's own checks let a reader trust of an entry: Verify() without the key.
bool Readable(const Entry& r, uint64_t values_size, uint64_t meta_count) {
  return r.value_offset <= values_size && r.value_length <= values_size - r.value_offset &&
         size_t{r.key_skip} + r.key_length <= r.value_length && r.meta < meta_count &&
         r.type < kIndicatorTypeCount;
}

}  // namespace

uint64_t IndicatorSet::Hash(uint8_t kind, std::string_view key) {
  return XXH3_64bits_withSeed(key.data(), key.size(), kind + 1);
}

absl::StatusOr<std::shared_ptr<const IndicatorSet>> IndicatorSet::Build(
    const std::vector<FeedLoad>& feeds, const IndicatorSet* base,
    std::span<const std::string> drop_feeds) {
  std::string strings;
  StringMap<uint32_t> string_index;
  auto intern = [&](std::string_view s) -> StringRef {
    auto [it, inserted] = string_index.try_emplace(std::string(s), static_cast<uint32_t>(strings.size()));
    if (inserted) strings.append(s);
    return {it->second, static_cast<uint32_t>(s.size())};
  };
  std::vector<MetaRecord> metas;
  StringMap<uint32_t> meta_index;
  auto add_meta = [&](std::string_view feed, std::string_view family, std::string_view category,
                      std::string_view source, Severity severity, double confidence) {
    std::string key = StrCat(feed, "\x1f", family, "\x1f", category, "\x1f", source, "\x1f",
                             static_cast<int>(severity), "\x1f", confidence);
    auto [it, inserted] = meta_index.try_emplace(std::move(key), static_cast<uint32_t>(metas.size()));
    if (inserted) {
      MetaRecord r{};
      r.feed = intern(feed);
      r.family = intern(family);
      r.category = intern(category);
      r.source = intern(source);
      r.confidence = confidence;
      r.severity = static_cast<uint8_t>(severity);
      metas.push_back(r);
    }
    return it->second;
  };
  const absl::Status limits = absl::ResourceExhaustedError(
      "indicator set limits: values of at most 4095 bytes, 4 GiB of values, 2^24 distinct "
      "metadata records, 2^32 entries");

  // The base's indicators are carried over as they lie: entries already know their key's
  // bucket and tag, and their values need not be read, copied one by one or hashed again
  // (an update of a 1.6M set would otherwise spend seconds redoing what the set holds).
  // Only the metadata records its kept entries use are carried over.
  constexpr int64_t kUnused = -1, kDropped = -2;
  std::vector<int64_t> base_meta(base != nullptr ? base->meta_count_ : 0, kUnused);
  uint64_t base_entries = 0, base_dropped = 0;
  if (base != nullptr) {
    for (uint64_t i = 0; i < base->entry_count_; ++i) {
      const Entry r = Unpack(PackedAt(base->entries_, i));
      if (!Readable(r, base->values_.size(), base->meta_count_)) continue;
      int64_t& m = base_meta[r.meta];
      if (m == kUnused) {
        const Meta meta = base->meta(r.meta);
        m = std::find(drop_feeds.begin(), drop_feeds.end(), meta.feed) != drop_feeds.end()
                ? kDropped
                : add_meta(meta.feed, meta.family, meta.category, meta.source, meta.severity,
                           meta.confidence);
      }
      if (m == kDropped) {
        ++base_dropped;
      } else {
        ++base_entries;
      }
    }
  }
  // Nothing dropped: the base's values are copied whole and keep their offsets.
  const bool keep_all = base_dropped == 0;

  std::vector<std::vector<uint32_t>> feed_meta(feeds.size());
  size_t fresh_entries = 0, fresh_bytes = 0;
  for (size_t f = 0; f < feeds.size(); ++f) {
    const FeedLoad& feed = feeds[f];
    feed_meta[f].resize(feed.metas.size());
    for (size_t i = 0; i < feed.metas.size(); ++i) {
      const IndicatorMeta& m = feed.metas[i];
      feed_meta[f][i] = add_meta(feed.feed, m.family, m.category, m.source, m.severity, m.confidence);
    }
    for (const Indicator& indicator : feed.indicators) {
      if (indicator.meta >= feed.metas.size()) return absl::InvalidArgumentError("bad feed metadata");
      if (indicator.value.empty()) return absl::InvalidArgumentError("empty indicator value");
      if (indicator.value.size() > kMaxValueLength) return limits;
      std::string_view part;
      uint8_t skip;
      IndicatorKey kind;
      fresh_entries += SecondKey(indicator.type, indicator.value, &part, &skip, &kind) ? 2 : 1;
      fresh_bytes += indicator.value.size();
    }
  }
  if (metas.size() > kMaxMetas || strings.size() > UINT32_MAX) return limits;
  // Base values: the whole array, or only the kept indicators' bytes.
  size_t base_bytes = 0;
  if (base != nullptr && keep_all) {
    base_bytes = base->values_.size();
  } else if (base != nullptr) {
    for (uint64_t i = 0; i < base->entry_count_; ++i) {
      const Entry r = Unpack(PackedAt(base->entries_, i));
      if (r.key_kind < kIndicatorTypeCount && Readable(r, base->values_.size(), base->meta_count_) &&
          base_meta[r.meta] >= 0) {
        base_bytes += r.value_length;
      }
    }
  }
  const uint64_t entry_count = base_entries + fresh_entries;
  if (entry_count > UINT32_MAX - 1 || base_bytes + fresh_bytes >= UINT32_MAX) return limits;

  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kLayoutVersion;
  // About two entries a bucket: one cache line of tags holds a bucket.
  h.bucket_bits = std::max<uint32_t>(4, std::bit_width(entry_count) - 1);
  h.entry_count = entry_count;
  h.meta_count = metas.size();
  h.strings_size = strings.size();
  h.values_size = base_bytes + fresh_bytes;
  const size_t buckets = (size_t{1} << h.bucket_bits) + 1;
  const bool same_buckets = base != nullptr && base->bucket_bits_ == h.bucket_bits;
  const size_t size =
      AlignUp(AlignUp(AlignUp(AlignUp(AlignUp(kHeaderSize + buckets * 4) + entry_count * 4) +
                              entry_count * sizeof(PackedEntry)) +
                      metas.size() * sizeof(MetaRecord)) +
              strings.size()) +
      h.values_size;
  Layout layout{};
  if (!ComputeLayout(h, size, &layout)) return absl::InternalError("indicator set layout");
  std::shared_ptr<char> storage = MapSection(size);
  if (storage == nullptr) return absl::ResourceExhaustedError("cannot map the indicator set");
  char* const out = storage.get();
  char* const values = out + layout.values;
  uint32_t type_mask = 0;
  uint64_t indicator_count = 0;

  // Base values, and where each kept base entry's value now starts.
  std::vector<uint32_t> moved;  // by base entry, when not keep_all: new offset + 1, or 0
  if (base != nullptr && keep_all) {
    if (base_bytes != 0) std::memcpy(values, base->values_.data(), base_bytes);
  } else if (base != nullptr) {
    moved.assign(base->entry_count_, 0);
    std::unordered_map<uint32_t, uint32_t> moved_value;  // old offset -> moved[], for second keys
    size_t at = 0;
    for (uint64_t i = 0; i < base->entry_count_; ++i) {
      const Entry r = Unpack(PackedAt(base->entries_, i));
      if (r.key_kind >= kIndicatorTypeCount || !Readable(r, base->values_.size(), base->meta_count_) ||
          base_meta[r.meta] < 0) {
        continue;
      }
      std::memcpy(values + at, base->values_.data() + r.value_offset, r.value_length);
      moved[i] = static_cast<uint32_t>(at) + 1;
      if (r.type == static_cast<uint8_t>(IndicatorType::kIpPort) ||
          r.type == static_cast<uint8_t>(IndicatorType::kUrl)) {
        moved_value.emplace(r.value_offset, static_cast<uint32_t>(at) + 1);
      }
      at += r.value_length;
    }
    for (uint64_t i = 0; i < base->entry_count_; ++i) {
      const Entry r = Unpack(PackedAt(base->entries_, i));
      if (r.key_kind < kIndicatorTypeCount) continue;
      // A second key whose indicator is not kept stays 0 (not carried over).
      if (auto it = moved_value.find(r.value_offset); it != moved_value.end()) moved[i] = it->second;
    }
  }

  // New indicators: values after the base's, entries hashed and sorted.
  std::vector<PendingEntry> fresh;
  fresh.reserve(fresh_entries + (same_buckets ? 0 : base_entries));
  AdviseHugePages(fresh.data(), fresh.capacity() * sizeof(PendingEntry));
  size_t at = base_bytes;
  for (size_t f = 0; f < feeds.size(); ++f) {
    for (const Indicator& indicator : feeds[f].indicators) {
      const std::string_view value = indicator.value;
      Entry r{};
      r.value_offset = static_cast<uint32_t>(at);
      r.value_length = static_cast<uint16_t>(value.size());
      r.meta = feed_meta[f][indicator.meta];
      r.type = static_cast<uint8_t>(indicator.type);
      r.key_kind = KeyKindOf(indicator.type);
      r.key_length = r.value_length;
      std::memcpy(values + at, value.data(), value.size());
      at += value.size();
      const auto seq = static_cast<uint32_t>(fresh.size());
      fresh.push_back({SortKey(Hash(r.key_kind, value), h.bucket_bits), seq, Pack(r)});
      ++indicator_count;
      type_mask |= 1u << r.type;
      std::string_view part;
      IndicatorKey kind;
      if (SecondKey(indicator.type, value, &part, &r.key_skip, &kind)) {
        r.key_kind = KeyKindOf(kind);
        r.key_length = static_cast<uint16_t>(part.size());
        fresh.push_back({SortKey(Hash(r.key_kind, part), h.bucket_bits), seq + 1, Pack(r)});
      }
    }
  }

  // A kept base entry, with its value where it now lies; false when it is not kept.
  auto carry = [&](uint64_t i, PackedEntry* packed) {
    *packed = PackedAt(base->entries_, i);
    if (!Readable(Unpack(*packed), base->values_.size(), base->meta_count_)) return false;
    Entry r = Unpack(*packed);
    if (base_meta[r.meta] < 0) return false;
    if (!keep_all) {
      if (moved[i] == 0) return false;
      r.value_offset = moved[i] - 1;
    }
    r.meta = static_cast<uint32_t>(base_meta[r.meta]);
    if (r.key_kind < kIndicatorTypeCount) {
      ++indicator_count;
      type_mask |= 1u << r.type;
    }
    *packed = Pack(r);
    return true;
  };
  // With the base's bucket count, base entries stay in their buckets (their position says
  // which) and merge with the new ones; otherwise their keys are hashed again.
  if (base != nullptr && !same_buckets) {
    for (uint64_t i = 0; i < base->entry_count_; ++i) {
      PendingEntry e{0, static_cast<uint32_t>(fresh.size()), {}};
      if (!carry(i, &e.entry)) continue;
      const Entry r = Unpack(e.entry);
      const std::string_view key(values + r.value_offset + r.key_skip, r.key_length);
      e.key = SortKey(Hash(r.key_kind, key), h.bucket_bits);
      fresh.push_back(e);
    }
  }
  std::sort(fresh.begin(), fresh.end());

  auto* bucket_array = reinterpret_cast<uint32_t*>(out + layout.buckets);
  auto* tag_array = reinterpret_cast<uint32_t*>(out + layout.hashes);
  auto* entry_array = reinterpret_cast<PackedEntry*>(out + layout.entries);
  uint32_t next = 0;
  size_t next_fresh = 0;
  std::vector<PendingEntry> bucket;  // the base's entries of one bucket
  for (size_t b = 0; b + 1 < buckets; ++b) {
    bucket_array[b] = next;
    bucket.clear();
    if (same_buckets) {
      for (uint32_t i = base->buckets_[b], end = base->buckets_[b + 1]; i < end; ++i) {
        PendingEntry e{uint64_t{b} << 32 | base->tags_[i], i, {}};
        if (carry(i, &e.entry)) bucket.push_back(e);
      }
      std::sort(bucket.begin(), bucket.end());
    }
    // Base entries first among equal keys: they were there first.
    size_t k = 0;
    while (k < bucket.size() ||
           (next_fresh < fresh.size() && fresh[next_fresh].key >> 32 == b)) {
      const bool from_base =
          k < bucket.size() && (next_fresh == fresh.size() || fresh[next_fresh].key >> 32 != b ||
                                bucket[k].key <= fresh[next_fresh].key);
      const PendingEntry& e = from_base ? bucket[k++] : fresh[next_fresh++];
      tag_array[next] = static_cast<uint32_t>(e.key);
      entry_array[next] = e.entry;
      ++next;
    }
  }
  bucket_array[buckets - 1] = next;
  // Entries a forged base could not account for shrink the section's counts: they were
  // counted as kept, so this only happens to a section that lied about itself.
  if (next != entry_count) return absl::DataLossError("indicator set: inconsistent base section");
  h.indicator_count = indicator_count;
  h.type_mask = type_mask;
  std::memcpy(out, &h, sizeof h);
  if (!metas.empty()) std::memcpy(out + layout.metas, metas.data(), metas.size() * sizeof(MetaRecord));
  if (!strings.empty()) std::memcpy(out + layout.strings, strings.data(), strings.size());
  return View(std::string_view(out, size), std::move(storage));
}

absl::StatusOr<std::shared_ptr<const IndicatorSet>> IndicatorSet::View(
    std::string_view section, std::shared_ptr<const void> owner) {
  if (section.size() < kHeaderSize) return Corrupt("truncated header");
  if (reinterpret_cast<uintptr_t>(section.data()) % alignof(uint64_t) != 0) {
    return Corrupt("misaligned section");
  }
  Header h;
  std::memcpy(&h, section.data(), sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) return Corrupt("bad magic");
  if (h.version != kLayoutVersion) return Corrupt(StrCat("layout version ", h.version));
  Layout layout{};
  if (!ComputeLayout(h, section.size(), &layout)) return Corrupt("sizes do not match the section");
  std::shared_ptr<IndicatorSet> set(new IndicatorSet());
  set->owner_ = std::move(owner);
  set->section_ = section;
  set->bucket_bits_ = h.bucket_bits;
  set->entry_count_ = h.entry_count;
  set->indicator_count_ = h.indicator_count;
  set->meta_count_ = h.meta_count;
  set->type_mask_ = h.type_mask;
  set->buckets_ = reinterpret_cast<const uint32_t*>(section.data() + layout.buckets);
  set->tags_ = reinterpret_cast<const uint32_t*>(section.data() + layout.hashes);
  set->entries_ = section.data() + layout.entries;
  set->metas_ = section.data() + layout.metas;
  set->strings_ = section.substr(layout.strings, h.strings_size);
  set->values_ = section.substr(layout.values, h.values_size);
  // Buckets must be ranges inside the entries: Find() reads tags_[buckets_[b]..].
  const size_t buckets = (size_t{1} << h.bucket_bits) + 1;
  if (set->buckets_[0] != 0 || set->buckets_[buckets - 1] != h.entry_count) {
    return Corrupt("bucket table does not span the entries");
  }
  // Without an early exit the loop is branch-free (a million buckets for 1.6M indicators).
  bool descends = false;
  for (size_t b = 1; b < buckets; ++b) descends |= set->buckets_[b] < set->buckets_[b - 1];
  if (descends) return Corrupt("bucket table not ascending");
  for (uint64_t m = 0; m < h.meta_count; ++m) {
    MetaRecord r;
    std::memcpy(&r, set->metas_ + m * sizeof r, sizeof r);
    for (const StringRef& s : {r.feed, r.family, r.category, r.source}) {
      if (s.offset > h.strings_size || s.length > h.strings_size - s.offset) {
        return Corrupt(StrCat("metadata ", m, " names bytes outside the string table"));
      }
    }
    if (r.severity > static_cast<uint8_t>(Severity::kCritical) || !(r.confidence >= 0) ||
        r.confidence > 1) {
      return Corrupt(StrCat("metadata ", m, " has a bad severity or confidence"));
    }
  }
  return std::shared_ptr<const IndicatorSet>(std::move(set));
}

bool IndicatorSet::Verify(uint32_t entry, uint8_t kind, std::string_view key, Hit* hit) const {
  const Entry r = Unpack(PackedAt(entries_, entry));
  // Bounds first: the record comes from the file.
  if (!Readable(r, values_.size(), meta_count_)) return false;
  if (r.key_kind != kind || r.key_length != key.size() ||
      std::memcmp(values_.data() + r.value_offset + r.key_skip, key.data(), key.size()) != 0) {
    return false;
  }
  hit->entry = entry;
  hit->type = static_cast<IndicatorType>(r.type);
  hit->value = values_.substr(r.value_offset, r.value_length);
  hit->meta = r.meta;
  return true;
}

IndicatorSet::Meta IndicatorSet::meta(uint32_t index) const {
  MetaRecord r;
  std::memcpy(&r, metas_ + size_t{index} * sizeof r, sizeof r);
  auto text = [this](StringRef s) { return strings_.substr(s.offset, s.length); };
  return {text(r.feed), text(r.family), text(r.category), text(r.source),
          static_cast<Severity>(r.severity), r.confidence};
}

void IndicatorSet::ForEachIndicator(const std::function<void(const Hit&)>& fn) const {
  for (uint32_t i = 0; i < entry_count_; ++i) {
    const Entry r = Unpack(PackedAt(entries_, i));
    // Second keys and entries outside the section are skipped; a primary entry's key is
    // its value, so there is nothing to compare.
    if (r.key_kind != r.type || r.key_skip != 0 || r.key_length != r.value_length ||
        !Readable(r, values_.size(), meta_count_)) {
      continue;
    }
    fn(Hit{i, static_cast<IndicatorType>(r.type), values_.substr(r.value_offset, r.value_length),
           r.meta});
  }
}

std::vector<IndicatorSet::FeedCount> IndicatorSet::Feeds() const {
  std::vector<FeedCount> feeds;
  StringMap<size_t> index;
  std::vector<size_t> feed_of_meta(meta_count_);
  for (uint32_t m = 0; m < meta_count_; ++m) {
    const std::string_view feed = meta(m).feed;
    auto [it, inserted] = index.try_emplace(std::string(feed), feeds.size());
    if (inserted) feeds.push_back({std::string(feed), 0, {}});
    feed_of_meta[m] = it->second;
  }
  ForEachIndicator([&](const Hit& hit) {
    FeedCount& f = feeds[feed_of_meta[hit.meta]];
    ++f.indicators;
    ++f.by_type[static_cast<size_t>(hit.type)];
  });
  std::sort(feeds.begin(), feeds.end(),
            [](const FeedCount& a, const FeedCount& b) { return a.feed < b.feed; });
  return feeds;
}

}  // namespace trawl
