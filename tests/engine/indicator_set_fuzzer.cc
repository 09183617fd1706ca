// Fuzzes the indicator-set section of the artifact (engine/indicator_set.h): any bytes,
// raw or spliced into a real section, give a clean error, or a set whose lookups and
// listings stay inside the section, and that an update (a new set built on it, which
// carries its entries over as they lie) reads only inside it (ASan checks every read).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/indicator_set.h"

namespace {

const std::string& SeedSection() {
  static const std::string bytes = [] {
    trawl::FeedOptions options;
    options.feed = "seed";
    auto feed = trawl::ParseFeed(
        "evil.com\n1.2.3.4:443\nhttp://9.9.9.9\nbad.org/x\n[2001:db8::1]:80\n"
        "d41d8cd98f00b204e9800998ecf8427e\nuser@evil.com\n/gate.php\n",
        "seed.txt", options);
    auto set = trawl::IndicatorSet::Build({*feed});
    return std::string((*set)->bytes());
  }();
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    std::string section = SeedSection();
    const size_t at = (input.empty() ? 0 : static_cast<uint8_t>(input[0])) * 4 % section.size();
    section.replace(at, std::min(input.size(), section.size() - at), input);
    input = std::move(section);
  }
  // 8-byte aligned storage, as an artifact gives the section.
  auto storage = std::make_shared<std::vector<uint64_t>>(input.size() / 8 + 1);
  std::memcpy(storage->data(), input.data(), input.size());
  auto set = trawl::IndicatorSet::View(
      std::string_view(reinterpret_cast<const char*>(storage->data()), input.size()), storage);
  if (!set.ok()) return 0;
  for (const char* key : {"evil.com", "1.2.3.4", "9.9.9.9", "2001:db8::1", "bad.org/x",
                          "d41d8cd98f00b204e9800998ecf8427e", "user@evil.com", "/gate.php"}) {
    for (uint8_t kind : {0, 1, 2, 3, 4, 5, 6, 9, 16, 17}) {
      (*set)->Find(kind, key, [&](const trawl::IndicatorSet::Hit& hit) {
        const auto meta = (*set)->meta(hit.meta);
        (void)(meta.feed.size() + meta.family.size() + meta.source.size() + hit.value.size());
      });
    }
  }
  (void)(*set)->Feeds();
  // An update on top of it: add a feed, or replace the seed's.
  trawl::FeedOptions options;
  options.feed = "seed";
  static const auto feed = trawl::ParseFeed("new.example.com\n5.6.7.8:80\nhttp://7.7.7.7\n",
                                            "new.txt", options);
  const std::string drop[] = {"seed"};
  auto updated = trawl::IndicatorSet::Build(
      {*feed}, set->get(), data[0] & 2 ? std::span<const std::string>(drop)
                                       : std::span<const std::string>());
  if (updated.ok()) {
    for (const char* key : {"new.example.com", "evil.com", "5.6.7.8", "7.7.7.7"}) {
      for (uint8_t kind : {0, 3, 16, 17}) {
        (*updated)->Find(kind, key, [](const trawl::IndicatorSet::Hit&) {});
      }
    }
    (void)(*updated)->Feeds();
  }
  return 0;
}
