// File: finding_merge.h
// One finding per value: recognizers of one entity type that overlap (the E.164 and the
// NANP phone rules on "+1 (415) 555-2671", the card and the Amex rules on one number)
// would report the same value twice; they are merged into one finding here.
#ifndef TRAWL_SRC_ANALYZE_FINDING_MERGE_H_
#define TRAWL_SRC_ANALYZE_FINDING_MERGE_H_

#include <string>
#include <vector>

#include "analyze/component_analyzer.h"

namespace trawl {

// `normalized[i]` is findings[i]'s value in its validator's normal form ("" when no
// validator accepted it). Validated findings of the same entity type with overlapping
// spans in the same source (raw bytes or one decoded layer) become one when they have the
// same normalized value, or come from the same rule (a token shape's alternative cuts of
// one digit sequence: rules' own matches never overlap otherwise). The one with the
// highest confidence (then the longer span, then the earlier one) stays and names the
// rules it absorbed in its reasons. The order of the findings that stay is kept;
// `normalized` is kept parallel.
void MergeSameValueFindings(std::vector<Finding>* findings, std::vector<std::string>* normalized);

}  // namespace trawl

#endif  // TRAWL_SRC_ANALYZE_FINDING_MERGE_H_
