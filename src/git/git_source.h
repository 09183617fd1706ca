// File: git_source.h
// A git repository as a source of components (the libgit2 adapter: nothing else includes
// git2.h). Every blob reachable from the repository's refs is one component, read once
// however many commits and paths hold it (deduplicated by blob id); the manifest says for
// each blob which commits introduced it, so a secret deleted in a later commit is still
// found and attributed to the commit that added it.
//
// Introduction: commit C introduces blob B at path P when C's tree holds B at P and no
// parent of C holds B at P (for a root commit: every entry of its tree). A rename is one
// blob with two introductions (the adding commit's path and the renaming commit's).
// First: the introduction with the earliest committer time, ties broken by the smaller
// commit id, then the smaller path; so the same history always names the same commit,
// whatever order the refs are walked in. Components are listed in the order of their
// first introductions (then blob id).
//
// Bounds: the limits of intake (DecomposeLimits). max_entries caps the blobs listed (the
// rest are counted in the limit event, the manifest incomplete); max_component_bytes
// skips a larger blob without reading it (status limit_exceeded); max_total_bytes and the
// deadline stop reading: the blobs not read are still listed with status limit_exceeded.
// Submodule entries (commits of another repository) are not blobs here and are not read.
//
// Security: the repository is only read (no index, ref or object is written); blobs are
// read raw (no clean/smudge filter runs, no hook); the path is opened as given, never
// searched upward for an enclosing repository.
//
// Thread-safety: every function is reentrant; concurrent calls share nothing.
#ifndef TRAWL_SRC_GIT_GIT_SOURCE_H_
#define TRAWL_SRC_GIT_GIT_SOURCE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "intake/component.h"
#include "intake/decompose.h"

namespace trawl {

struct GitSource {
  // A work tree (its .git is used) or a bare repository / .git directory.
  std::string repository;
  // "": every ref (branches, tags, remotes, stash, notes) and HEAD. Otherwise the history
  // reachable from this one revision only ("main", "refs/heads/x", a tag, a commit id).
  std::string branch;
  // Commits whose committer time is earlier are not looked at (as git log --since).
  absl::Time since = absl::InfinitePast();
  // The index against HEAD instead of history: the blobs `git commit` would add (a
  // pre-commit hook). branch and since do not apply.
  bool staged = false;
};

// "2026-01-31", "2026-01-31T12:00:00Z" (RFC 3339, any offset) or seconds since the epoch.
// kInvalid otherwise.
absl::StatusOr<absl::Time> ParseGitSince(std::string_view text);

// Decomposes a repository's history (or its index) into a manifest: a root container
// (container_format "git", named after the repository's directory unless
// options.package_name says otherwise) and one component per blob, handed to `callback`
// with its content (the root last, as intake does). options.package_id, when empty, is
// the SHA-256 of the listing (every blob id with its introductions), so the same history
// and bounds give the same ids; the manifest's input_sha256 is that digest and
// input_bytes the bytes of the blobs listed.
// Errors: kIo when the path is not a repository or cannot be opened, kNotFound for a
// branch that does not resolve, kState for staged on a bare repository, kCorrupt when the
// history cannot be read (a damaged commit or tree: the message names it); a blob that
// cannot be read is recorded as a corrupt component instead. A callback error is
// returned unchanged.
absl::StatusOr<Manifest> DecomposeGit(const GitSource& source, const DecomposeOptions& options,
                                      ComponentCallback callback);

// Why the bytes of a loose object file are not a well-formed object ("" when they are):
// zlib data that ends, holding "<type> <size>\0" and exactly <size> bytes. DecomposeGit
// checks every loose object with it before libgit2 reads any (git_source.cc says why).
// Exposed for tests and the fuzzer.
std::string LooseObjectDamage(std::string_view compressed);

}  // namespace trawl

#endif  // TRAWL_SRC_GIT_GIT_SOURCE_H_
