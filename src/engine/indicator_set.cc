// File: indicator_set.cc
#include "engine/indicator_set.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "util/hash_containers.h"
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

// A section under construction.
struct PendingEntry {
  uint64_t hash;
  Entry record;
};

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

  std::string values;
  std::vector<PendingEntry> entries;
  uint32_t type_mask = 0;
  uint64_t indicator_count = 0;
  size_t expected = 0;
  for (const FeedLoad& feed : feeds) expected += feed.indicators.size();
  if (base != nullptr) expected += base->indicator_count();
  entries.reserve(expected + expected / 4);
  absl::Status status;
  auto add = [&](IndicatorType type, std::string_view value, uint32_t meta) {
    if (value.size() > kMaxValueLength || values.size() + value.size() > UINT32_MAX ||
        metas.size() > kMaxMetas) {
      status = absl::ResourceExhaustedError(
          "indicator set limits: values of at most 4095 bytes, 4 GiB of values, 2^24 "
          "distinct metadata records");
      return;
    }
    Entry r{};
    r.value_offset = static_cast<uint32_t>(values.size());
    r.value_length = static_cast<uint16_t>(value.size());
    r.meta = meta;
    r.type = static_cast<uint8_t>(type);
    r.key_kind = KeyKindOf(type);
    r.key_length = r.value_length;
    values.append(value);
    entries.push_back({Hash(r.key_kind, value), r});
    ++indicator_count;
    type_mask |= 1u << static_cast<unsigned>(type);
    // Second keys: the IP of an IP:port, the host of a URL that names no path.
    std::string_view part;
    uint8_t skip = 0;
    IndicatorKey kind{};
    if (type == IndicatorType::kIpPort) {
      const size_t colon = value.rfind(':');
      skip = value.front() == '[' ? 1 : 0;
      part = value.substr(skip, colon - skip - (skip ? 1 : 0));
      kind = IndicatorKey::kIpOfIpPort;
    } else if (type == IndicatorType::kUrl && value.find_first_of("/?") == std::string_view::npos) {
      part = value;
      if (!part.empty() && part.front() == '[') {
        skip = 1;
        part = part.substr(1, part.find(']') - 1);
      } else if (const size_t colon = part.rfind(':'); colon != std::string_view::npos) {
        part = part.substr(0, colon);
      }
      kind = IndicatorKey::kHostOfUrl;
    }
    if (!part.empty()) {
      Entry second = r;
      second.key_kind = KeyKindOf(kind);
      second.key_skip = skip;
      second.key_length = static_cast<uint16_t>(part.size());
      entries.push_back({Hash(second.key_kind, part), second});
    }
  };
  if (base != nullptr) {
    // Metadata of kept feeds is carried over once per distinct base record.
    std::vector<int64_t> remap(base->meta_count(), -1);
    base->ForEachIndicator([&](const Hit& hit) {
      if (remap[hit.meta] == -2) return;
      if (remap[hit.meta] == -1) {
        const Meta m = base->meta(hit.meta);
        if (std::find(drop_feeds.begin(), drop_feeds.end(), m.feed) != drop_feeds.end()) {
          remap[hit.meta] = -2;
          return;
        }
        remap[hit.meta] = add_meta(m.feed, m.family, m.category, m.source, m.severity, m.confidence);
      }
      add(hit.type, hit.value, static_cast<uint32_t>(remap[hit.meta]));
    });
  }
  for (const FeedLoad& feed : feeds) {
    std::vector<uint32_t> remap(feed.metas.size());
    for (size_t i = 0; i < feed.metas.size(); ++i) {
      const IndicatorMeta& m = feed.metas[i];
      remap[i] = add_meta(feed.feed, m.family, m.category, m.source, m.severity, m.confidence);
    }
    for (const Indicator& indicator : feed.indicators) {
      if (indicator.meta >= remap.size()) return absl::InvalidArgumentError("bad feed metadata");
      add(indicator.type, indicator.value, remap[indicator.meta]);
    }
  }
  if (!status.ok()) return status;
  if (entries.size() > UINT32_MAX - 1 || strings.size() > UINT32_MAX) {
    return absl::ResourceExhaustedError("indicator set exceeds 2^32 entries");
  }

  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kLayoutVersion;
  // About two entries a bucket: one cache line of hashes holds a bucket.
  h.bucket_bits = std::max<uint32_t>(4, std::bit_width(entries.size()) - 1);
  h.entry_count = entries.size();
  h.indicator_count = indicator_count;
  h.meta_count = metas.size();
  h.strings_size = strings.size();
  h.values_size = values.size();
  h.type_mask = type_mask;
  const unsigned shift = 64 - h.bucket_bits;
  // Sorted by bucket, then hash (then insertion order, for a deterministic section).
  std::stable_sort(entries.begin(), entries.end(), [](const PendingEntry& a, const PendingEntry& b) {
    return a.hash < b.hash;
  });
  Layout layout{};
  // The section's size is what the layout computes for these counts.
  const size_t buckets = (size_t{1} << h.bucket_bits) + 1;
  size_t size = AlignUp(AlignUp(AlignUp(AlignUp(AlignUp(kHeaderSize + buckets * 4) +
                                                entries.size() * 4) +
                                        entries.size() * sizeof(PackedEntry)) +
                                metas.size() * sizeof(MetaRecord)) +
                        strings.size()) +
                values.size();
  if (!ComputeLayout(h, size, &layout)) return absl::InternalError("indicator set layout");
  // Owned, 64-byte aligned storage (the arrays are read in place).
  auto storage = std::shared_ptr<uint64_t[]>(new uint64_t[(size + 7) / 8]());
  char* base_ptr = reinterpret_cast<char*>(storage.get());
  std::memcpy(base_ptr, &h, sizeof h);
  auto* bucket_array = reinterpret_cast<uint32_t*>(base_ptr + layout.buckets);
  auto* tag_array = reinterpret_cast<uint32_t*>(base_ptr + layout.hashes);
  auto* entry_array = reinterpret_cast<PackedEntry*>(base_ptr + layout.entries);
  size_t next = 0;
  for (size_t b = 0; b + 1 < buckets; ++b) {
    bucket_array[b] = static_cast<uint32_t>(next);
    while (next < entries.size() && (entries[next].hash >> shift) == b) ++next;
  }
  bucket_array[buckets - 1] = static_cast<uint32_t>(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    tag_array[i] = Tag(entries[i].hash);
    entry_array[i] = Pack(entries[i].record);
  }
  if (!metas.empty()) std::memcpy(base_ptr + layout.metas, metas.data(), metas.size() * sizeof(MetaRecord));
  if (!strings.empty()) std::memcpy(base_ptr + layout.strings, strings.data(), strings.size());
  if (!values.empty()) std::memcpy(base_ptr + layout.values, values.data(), values.size());
  return View(std::string_view(base_ptr, size), std::move(storage));
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
  for (size_t b = 1; b < buckets; ++b) {
    if (set->buckets_[b] < set->buckets_[b - 1]) return Corrupt("bucket table not ascending");
  }
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
  PackedEntry packed;
  std::memcpy(&packed, entries_ + size_t{entry} * sizeof packed, sizeof packed);
  const Entry r = Unpack(packed);
  // Bounds first: the record comes from the file.
  if (r.value_offset > values_.size() || r.value_length > values_.size() - r.value_offset ||
      size_t{r.key_skip} + r.key_length > r.value_length || r.meta >= meta_count_ ||
      r.type >= kIndicatorTypeCount) {
    return false;
  }
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
    PackedEntry packed;
    std::memcpy(&packed, entries_ + size_t{i} * sizeof packed, sizeof packed);
    const Entry r = Unpack(packed);
    if (r.key_kind >= kIndicatorTypeCount) continue;  // a second key
    Hit hit;
    if (Verify(i, r.key_kind, values_.substr(std::min<size_t>(r.value_offset, values_.size()),
                                             r.value_length),
               &hit)) {
      fn(hit);
    }
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
