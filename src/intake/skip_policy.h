// File: skip_policy.h
// The one policy for what every manifest component owes a package report. Analysis,
// planning, the pipeline and aggregation all ask these two questions of a component and
// nothing else, so a plan, a work list and a report can never disagree about what had to
// be analysed or about why something was not.
//
// Thread-safety: pure functions.
#ifndef TRAWL_SRC_INTAKE_SKIP_POLICY_H_
#define TRAWL_SRC_INTAKE_SKIP_POLICY_H_

#include <optional>
#include <string>

#include "intake/component.h"

namespace trawl {

// Why a component gets no analysis of its own, or nullopt when it needs a component
// result for its package to be complete. Skipped: duplicates (analysed where first
// seen), expanded containers (their entries are components), directories, links and
// special files, and entries intake could not read. The reason keeps intake's status and
// reason (a listing that failed part-way, a link's target, the limit that stopped a read).
// Every component with content is analysed, even partial or unexpanded content.
std::optional<std::string> SkipReason(const Component& component);

// Why a component keeps its package's report from being complete, or nullopt: any
// status other than ok and skipped_non_regular means bytes intake did not read or could
// not trust (a truncated or corrupt listing or entry, a limit, encryption, an unsupported
// method). The reason is "<status>: <intake's reason>".
std::optional<std::string> IncompleteReason(const Component& component);

}  // namespace trawl

#endif  // TRAWL_SRC_INTAKE_SKIP_POLICY_H_
