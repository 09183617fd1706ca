// File: finding_merge.cc
#include "analyze/finding_merge.h"

#include <algorithm>
#include <numeric>
#include <tuple>

#include "util/strings.h"

namespace trawl {

void MergeSameValueFindings(std::vector<Finding>* findings, std::vector<std::string>* normalized) {
  std::vector<Finding>& f = *findings;
  std::vector<std::string>& norm = *normalized;
  std::vector<size_t> order(f.size());
  std::iota(order.begin(), order.end(), 0);
  const auto key = [&](size_t i) {
    return std::tie(f[i].entity, norm[i], f[i].decoded_from, f[i].start);
  };
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::make_pair(key(a), a) < std::make_pair(key(b), b);
  });
  std::vector<uint8_t> gone(f.size(), 0);
  for (size_t g = 0; g < order.size();) {
    // A run of overlapping spans with one (entity, value, source).
    size_t h = g + 1;
    uint64_t reach = f[order[g]].end;
    while (h < order.size()) {
      const size_t a = order[g], b = order[h];
      if (f[a].entity.empty() || norm[a].empty() || f[b].entity != f[a].entity ||
          norm[b] != norm[a] || f[b].decoded_from != f[a].decoded_from || f[b].start >= reach) {
        break;
      }
      reach = std::max(reach, f[b].end);
      ++h;
    }
    if (h - g > 1) {
      size_t keep = order[g];
      for (size_t k = g + 1; k < h; ++k) {
        const Finding& c = f[order[k]];
        const Finding& best = f[keep];
        if (std::make_tuple(c.confidence, c.end - c.start) >
            std::make_tuple(best.confidence, best.end - best.start)) {
          keep = order[k];
        }
      }
      for (size_t k = g; k < h; ++k) {
        const size_t i = order[k];
        if (i == keep) continue;
        gone[i] = 1;
        f[keep].reasons.push_back(StrCat("+0.00 same ", f[keep].entity, " value also matched by ",
                                         f[i].rule_id));
      }
    }
    g = h;
  }
  size_t out = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    if (gone[i]) continue;
    if (out != i) {
      f[out] = std::move(f[i]);
      norm[out] = std::move(norm[i]);
    }
    ++out;
  }
  f.resize(out);
  norm.resize(out);
}

}  // namespace trawl
