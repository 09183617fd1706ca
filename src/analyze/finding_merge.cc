// File: finding_merge.cc
#include "analyze/finding_merge.h"

#include <algorithm>
#include <numeric>
#include <tuple>

#include "util/strings.h"

namespace trawl {
namespace {

size_t Root(std::vector<size_t>& parent, size_t i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

}  // namespace

void MergeSameValueFindings(std::vector<Finding>* findings, std::vector<std::string>* normalized) {
  std::vector<Finding>& f = *findings;
  std::vector<std::string>& norm = *normalized;
  // Sweep spans of one (entity, source) in start order; join each pair that overlaps and
  // has one value or one rule.
  std::vector<size_t> order;
  for (size_t i = 0; i < f.size(); ++i) {
    if (!f[i].entity.empty() && !norm[i].empty()) order.push_back(i);
  }
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::tie(f[a].entity, f[a].decoded_from, f[a].start, a) <
           std::tie(f[b].entity, f[b].decoded_from, f[b].start, b);
  });
  std::vector<size_t> parent(f.size());
  std::iota(parent.begin(), parent.end(), 0);
  for (size_t x = 0; x < order.size(); ++x) {
    const Finding& a = f[order[x]];
    for (size_t y = x + 1; y < order.size(); ++y) {
      const Finding& b = f[order[y]];
      if (b.entity != a.entity || b.decoded_from != a.decoded_from || b.start >= a.end) break;
      if (norm[order[y]] == norm[order[x]] || b.rule_id == a.rule_id) {
        parent[Root(parent, order[y])] = Root(parent, order[x]);
      }
    }
  }
  // The keeper of each group: highest confidence, then longest span, then first.
  std::vector<size_t> keeper(f.size());
  std::iota(keeper.begin(), keeper.end(), 0);
  for (size_t i = 0; i < f.size(); ++i) {
    const size_t r = Root(parent, i);
    const size_t k = keeper[r];
    if (std::make_tuple(f[i].confidence, f[i].end - f[i].start) >
        std::make_tuple(f[k].confidence, f[k].end - f[k].start)) {
      keeper[r] = i;
    }
  }
  std::vector<uint8_t> gone(f.size(), 0);
  for (size_t i = 0; i < f.size(); ++i) {
    const size_t k = keeper[Root(parent, i)];
    if (k == i) continue;
    gone[i] = 1;
    f[k].reasons.push_back(
        StrCat("+0.00 same ", f[k].entity, " also matched by ", f[i].rule_id));
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
