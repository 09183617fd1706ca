// File: git_source.cc
#include "git/git_source.h"

#include <git2.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "intake/media_type.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/hash_containers.h"
#include "util/status_codes.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace trawl {
namespace {

// libgit2 objects, released by their own free functions.
template <auto Free>
struct GitFree {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
template <typename T, auto Free>
using GitPtr = std::unique_ptr<T, GitFree<Free>>;
using RepositoryPtr = GitPtr<git_repository, git_repository_free>;
using RevwalkPtr = GitPtr<git_revwalk, git_revwalk_free>;
using CommitPtr = GitPtr<git_commit, git_commit_free>;
using TreePtr = GitPtr<git_tree, git_tree_free>;
using DiffPtr = GitPtr<git_diff, git_diff_free>;
using ObjectPtr = GitPtr<git_object, git_object_free>;
using IndexPtr = GitPtr<git_index, git_index_free>;
using OdbPtr = GitPtr<git_odb, git_odb_free>;
using BlobPtr = GitPtr<git_blob, git_blob_free>;
using ReferencePtr = GitPtr<git_reference, git_reference_free>;

// git_libgit2_init is reference-counted and thread-safe: each call holds the library for
// its own duration, so trawl needs no init function of its own.
class LibraryUse {
 public:
  LibraryUse() { git_libgit2_init(); }
  ~LibraryUse() { git_libgit2_shutdown(); }
  LibraryUse(const LibraryUse&) = delete;
  LibraryUse& operator=(const LibraryUse&) = delete;
};

// libgit2 keeps its last error per thread.
std::string LastError() {
  const git_error* e = git_error_last();
  return e != nullptr && e->message != nullptr ? std::string(e->message)
                                               : std::string("unknown libgit2 error");
}

absl::Status GitError(ErrorCode code, std::string_view what) {
  return CodedError(code, StrCat(what, ": ", LastError()));
}

std::string OidHex(const git_oid& oid) {
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof(hex), &oid);
  return hex;
}

std::string OidKey(const git_oid& oid) {
  return std::string(reinterpret_cast<const char*>(oid.id), GIT_OID_RAWSZ);
}

struct CommitInfo {
  std::string id;      // hex; "" for the index
  int64_t time = 0;    // committer time, seconds since the epoch
  std::string author;  // "Name <email>"
};

struct Introduction {
  size_t commit;  // into the walk's commits
  std::string path;
};

struct BlobInfo {
  git_oid id;
  std::string hex;
  std::vector<Introduction> introductions;  // the first one first, once sorted
};

struct ChangedEntry {
  std::string path;
  git_oid blob;
};

// The blob entries of `to` that differ from `from` (NULL: the empty tree): added,
// modified or changed in type. Only ids and paths are compared; no blob is loaded.
absl::StatusOr<std::vector<ChangedEntry>> ChangedBlobs(git_repository* repo, git_tree* from,
                                                       git_tree* to, git_index* index,
                                                       std::string_view what) {
  git_diff_options diff_options;
  // The function, not GIT_DIFF_OPTIONS_INIT: the macro leaves fields to zero-filling,
  // which clang's -Wmissing-field-initializers refuses.
  git_diff_options_init(&diff_options, GIT_DIFF_OPTIONS_VERSION);
  diff_options.flags = GIT_DIFF_SKIP_BINARY_CHECK;
  git_diff* raw = nullptr;
  const int rc = index != nullptr
                     ? git_diff_tree_to_index(&raw, repo, from, index, &diff_options)
                     : git_diff_tree_to_tree(&raw, repo, from, to, &diff_options);
  DiffPtr diff(raw);
  if (rc != 0) return GitError(ErrorCode::kCorrupt, StrCat("cannot compare the trees of ", what));
  std::vector<ChangedEntry> changed;
  const size_t deltas = git_diff_num_deltas(diff.get());
  for (size_t i = 0; i < deltas; ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
    if (delta->status != GIT_DELTA_ADDED && delta->status != GIT_DELTA_MODIFIED &&
        delta->status != GIT_DELTA_TYPECHANGE) {
      continue;
    }
    // A submodule entry names a commit of another repository, not a blob of this one.
    if (delta->new_file.mode == GIT_FILEMODE_COMMIT || delta->new_file.path == nullptr) continue;
    changed.push_back({delta->new_file.path, delta->new_file.id});
  }
  return changed;
}

// Path and blob id, the id's fixed width keeping the pair unambiguous.
std::string EntryKey(const ChangedEntry& e) { return StrCat(OidKey(e.blob), e.path); }

std::string PackageNameOf(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  const size_t slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base == ".git" && slash != std::string::npos && slash > 0) return PackageNameOf(path.substr(0, slash));
  return base.empty() || base == "." ? std::string("repository") : base;
}

}  // namespace

// Inflated through a fixed buffer; nothing is kept.
std::string LooseObjectDamage(std::string_view compressed) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return "zlib cannot start";
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(std::min<size_t>(compressed.size(), UINT32_MAX));
  std::string header;
  bool header_done = false;
  uint64_t body = 0, declared = 0;
  unsigned char out[1 << 16];
  int rc;
  std::string damage;
  do {
    zs.next_out = out;
    zs.avail_out = sizeof out;
    // With all input given and room for output, inflate returns Z_BUF_ERROR when it can
    // make no progress: the loop ends on a truncated stream.
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    std::string_view produced(reinterpret_cast<const char*>(out), sizeof out - zs.avail_out);
    if (!header_done) {
      const size_t nul = produced.find('\0');
      header.append(produced.substr(0, nul));
      if (header.size() > 32) {
        damage = "no object header";
        break;
      }
      if (nul == std::string_view::npos) continue;
      header_done = true;
      produced.remove_prefix(nul + 1);
      const size_t space = header.find(' ');
      const std::string_view type = std::string_view(header).substr(0, space);
      if (space == std::string::npos || (type != "blob" && type != "tree" && type != "commit" &&
                                         type != "tag") ||
          !absl::SimpleAtoi(absl::string_view(header).substr(space + 1), &declared)) {
        damage = StrCat("bad object header \"", header, "\"");
        break;
      }
    }
    body += produced.size();
    if (body > declared) {
      damage = StrCat("more bytes than the header's ", declared);
      break;
    }
  } while (rc == Z_OK);
  inflateEnd(&zs);
  if (!damage.empty()) return damage;
  if (rc != Z_STREAM_END) return StrCat("zlib stream does not end (", rc, ")");
  if (!header_done || body != declared) return StrCat("fewer bytes than the header's ", declared);
  return "";
}

namespace {

// libgit2 1.5 (Debian bookworm) loops forever reading a truncated loose object (libgit2
// issue 7342) and writes out of bounds reading one whose header understates its size
// (issue 7177). So every loose object of the repository (and of the object directories
// its objects/info/alternates names) is checked before libgit2 reads any.
absl::Status CheckLooseObjects(const std::string& objects) {
  std::vector<std::filesystem::path> directories = {objects};
  if (auto alternates = ReadFile(objects + "/info/alternates"); alternates.ok()) {
    for (std::string_view rest = *alternates; !rest.empty();) {
      const size_t end = rest.find('\n');
      std::string line(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      if (line.empty() || line[0] == '#') continue;
      directories.push_back(std::filesystem::path(objects) / line);
    }
  }
  auto is_hex = [](std::string_view name, size_t length) {
    return name.size() == length &&
           std::all_of(name.begin(), name.end(), [](char c) { return std::isxdigit(c); });
  };
  std::error_code ec;
  for (const std::filesystem::path& directory : directories) {
    for (const auto& fan : std::filesystem::directory_iterator(directory, ec)) {
      if (!is_hex(fan.path().filename().string(), 2) || !fan.is_directory(ec)) continue;
      for (const auto& object : std::filesystem::directory_iterator(fan.path(), ec)) {
        if (!is_hex(object.path().filename().string(), GIT_OID_HEXSZ - 2)) continue;
        auto bytes = ReadFile(object.path().string());
        if (!bytes.ok()) return WithCode(bytes.status(), ErrorCode::kIo);
        if (std::string damage = LooseObjectDamage(*bytes); !damage.empty()) {
          return CodedError(ErrorCode::kCorrupt,
                            StrCat("damaged loose object ", fan.path().filename().string(),
                                   object.path().filename().string(), ": ", damage));
        }
      }
    }
  }
  return absl::OkStatus();
}

// One decomposition: the walk collects every blob's introductions (metadata only), then
// Emit reads each blob once, in the order of first introductions.
class GitDecomposer {
 public:
  GitDecomposer(const GitSource& source, const DecomposeOptions& options)
      : source_(source), options_(options) {}

  absl::StatusOr<Manifest> Run(ComponentCallback callback) {
    git_repository* raw = nullptr;
    // NO_SEARCH: the path given is the repository; never a parent directory's.
    if (git_repository_open_ext(&raw, source_.repository.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH,
                                nullptr) != 0) {
      return GitError(ErrorCode::kIo,
                      StrCat("cannot open git repository \"", source_.repository, "\""));
    }
    repo_.reset(raw);
    // The common directory: a linked work tree (git worktree) keeps its objects there.
    TRAWL_RETURN_IF_ERROR(
        CheckLooseObjects(StrCat(git_repository_commondir(repo_.get()), "objects")));
    TRAWL_RETURN_IF_ERROR(source_.staged ? WalkIndex() : WalkHistory());
    SortBlobs();
    return Emit(callback);
  }

 private:
  absl::Status WalkHistory() {
    git_revwalk* raw = nullptr;
    if (git_revwalk_new(&raw, repo_.get()) != 0) {
      return GitError(ErrorCode::kCorrupt, "cannot walk the history");
    }
    RevwalkPtr walk(raw);
    git_revwalk_sorting(walk.get(), GIT_SORT_NONE);
    if (!source_.branch.empty()) {
      git_object* object = nullptr;
      if (git_revparse_single(&object, repo_.get(), source_.branch.c_str()) != 0) {
        return GitError(ErrorCode::kNotFound, StrCat("no revision \"", source_.branch, "\""));
      }
      ObjectPtr named(object);
      git_object* peeled = nullptr;
      if (git_object_peel(&peeled, named.get(), GIT_OBJECT_COMMIT) != 0) {
        return GitError(ErrorCode::kNotFound,
                        StrCat("revision \"", source_.branch, "\" names no commit"));
      }
      ObjectPtr commit(peeled);
      if (git_revwalk_push(walk.get(), git_object_id(commit.get())) != 0) {
        return GitError(ErrorCode::kCorrupt, StrCat("cannot walk from \"", source_.branch, "\""));
      }
    } else {
      // Every ref: branches, tags, remote-tracking branches, the stash, notes. Refs that
      // name no commit (a tag of a blob) are passed over by libgit2.
      if (git_revwalk_push_glob(walk.get(), "refs/*") != 0) {
        return GitError(ErrorCode::kCorrupt, "cannot read the refs");
      }
      // A detached HEAD is no ref; an unborn one (an empty repository) has no commit.
      if (git_revwalk_push_head(walk.get()) != 0) git_error_clear();
    }
    git_oid oid;
    int rc;
    while ((rc = git_revwalk_next(&oid, walk.get())) == 0) {
      TRAWL_RETURN_IF_ERROR(AddCommit(oid));
    }
    if (rc != GIT_ITEROVER) return GitError(ErrorCode::kCorrupt, "cannot walk the history");
    return absl::OkStatus();
  }

  absl::StatusOr<TreePtr> TreeOf(git_commit* commit, std::string_view hex) {
    git_tree* tree = nullptr;
    if (git_commit_tree(&tree, commit) != 0) {
      return GitError(ErrorCode::kCorrupt, StrCat("cannot read the tree of commit ", hex));
    }
    return TreePtr(tree);
  }

  absl::Status AddCommit(const git_oid& oid) {
    const std::string hex = OidHex(oid);
    git_commit* raw = nullptr;
    if (git_commit_lookup(&raw, repo_.get(), &oid) != 0) {
      return GitError(ErrorCode::kCorrupt, StrCat("cannot read commit ", hex));
    }
    CommitPtr commit(raw);
    const int64_t time = git_commit_time(commit.get());
    if (absl::FromUnixSeconds(time) < source_.since) return absl::OkStatus();
    TRAWL_ASSIGN_OR_RETURN(TreePtr tree, TreeOf(commit.get(), hex));
    // Introduced: changed against every parent (a merge's entry taken as is from one
    // parent was introduced in that parent's history).
    std::vector<ChangedEntry> introduced;
    const unsigned parents = git_commit_parentcount(commit.get());
    for (unsigned p = 0; p < std::max(parents, 1u); ++p) {
      TreePtr parent_tree;
      if (parents > 0) {
        git_commit* parent = nullptr;
        if (git_commit_parent(&parent, commit.get(), p) != 0) {
          // A shallow clone stops at commits whose parents it does not have: such a
          // commit is a root here, as git log shows it.
          if (git_repository_is_shallow(repo_.get()) == 1) {
            git_error_clear();
          } else {
            return GitError(ErrorCode::kCorrupt, StrCat("cannot read a parent of commit ", hex));
          }
        } else {
          CommitPtr parent_commit(parent);
          TRAWL_ASSIGN_OR_RETURN(parent_tree, TreeOf(parent_commit.get(), OidHex(*git_commit_id(parent))));
        }
      }
      TRAWL_ASSIGN_OR_RETURN(
          std::vector<ChangedEntry> changed,
          ChangedBlobs(repo_.get(), parent_tree.get(), tree.get(), nullptr, StrCat("commit ", hex)));
      if (p == 0) {
        introduced = std::move(changed);
        continue;
      }
      StringSet also;
      for (const ChangedEntry& e : changed) also.insert(EntryKey(e));
      std::erase_if(introduced,
                    [&](const ChangedEntry& e) { return !also.contains(EntryKey(e)); });
    }
    if (introduced.empty()) return absl::OkStatus();
    const git_signature* author = git_commit_author(commit.get());
    commits_.push_back({hex, time,
                        author == nullptr ? std::string()
                                          : StrCat(author->name ? author->name : "", " <",
                                                   author->email ? author->email : "", ">")});
    for (ChangedEntry& e : introduced) AddIntroduction(e, commits_.size() - 1);
    return absl::OkStatus();
  }

  absl::Status WalkIndex() {
    if (git_repository_is_bare(repo_.get()) == 1) {
      return CodedError(ErrorCode::kState, StrCat("staged: \"", source_.repository,
                                                  "\" is a bare repository (no index)"));
    }
    git_index* raw_index = nullptr;
    if (git_repository_index(&raw_index, repo_.get()) != 0) {
      return GitError(ErrorCode::kCorrupt, "cannot read the index");
    }
    IndexPtr index(raw_index);
    TreePtr head_tree;
    git_reference* raw_head = nullptr;
    const int rc = git_repository_head(&raw_head, repo_.get());
    ReferencePtr head(raw_head);
    if (rc == 0) {
      git_object* tree = nullptr;
      if (git_reference_peel(&tree, head.get(), GIT_OBJECT_TREE) != 0) {
        return GitError(ErrorCode::kCorrupt, "cannot read the tree of HEAD");
      }
      head_tree.reset(reinterpret_cast<git_tree*>(tree));
    } else if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND) {
      git_error_clear();  // no commit yet: everything staged is new
    } else {
      return GitError(ErrorCode::kCorrupt, "cannot read HEAD");
    }
    TRAWL_ASSIGN_OR_RETURN(std::vector<ChangedEntry> staged,
                           ChangedBlobs(repo_.get(), head_tree.get(), nullptr, index.get(),
                                        "HEAD and the index"));
    commits_.push_back({"", 0, ""});
    for (ChangedEntry& e : staged) AddIntroduction(e, 0);
    return absl::OkStatus();
  }

  void AddIntroduction(ChangedEntry& entry, size_t commit) {
    auto [it, added] = blobs_.try_emplace(OidKey(entry.blob));
    if (added) {
      it->second.id = entry.blob;
      it->second.hex = OidHex(entry.blob);
    }
    it->second.introductions.push_back({commit, std::move(entry.path)});
  }

  // The deterministic order (git_source.h): introductions by (commit time, commit id,
  // path), blobs by their first introduction, then blob id.
  void SortBlobs() {
    auto key = [this](const Introduction& i) {
      const CommitInfo& c = commits_[i.commit];
      return std::tie(c.time, c.id, i.path);
    };
    sorted_.reserve(blobs_.size());
    for (auto& [_, blob] : blobs_) {
      std::sort(blob.introductions.begin(), blob.introductions.end(),
                [&](const Introduction& a, const Introduction& b) { return key(a) < key(b); });
      sorted_.push_back(&blob);
    }
    std::sort(sorted_.begin(), sorted_.end(), [&](const BlobInfo* a, const BlobInfo* b) {
      const auto ka = key(a->introductions.front());
      const auto kb = key(b->introductions.front());
      return ka != kb ? ka < kb : a->hex < b->hex;
    });
  }

  // The listing's digest: the package id when none is given, and the manifest's
  // input_sha256.
  std::string ListingDigest() const {
    Sha256 hash;
    hash.Update(source_.staged ? "trawl.git/1 staged\n" : "trawl.git/1\n");
    for (const BlobInfo* blob : sorted_) {
      hash.Update(blob->hex);
      for (const Introduction& i : blob->introductions) {
        hash.Update(StrCat("\t", commits_[i.commit].id, "\t", i.path));
      }
      hash.Update("\n");
    }
    return ToHex(hash.Finish());
  }

  Component BlobComponent(const BlobInfo& blob, const Component& root, uint64_t index) const {
    Component c;
    c.id = ComponentId(manifest_.package_id, root.id, index, blob.hex);
    c.parent_id = root.id;
    c.depth = 1;
    c.index = index;
    c.kind = ComponentKind::kFile;
    const Introduction& first = blob.introductions.front();
    const CommitInfo& commit = commits_[first.commit];
    const SanitizedName name = SanitizeEntryName(first.path);
    c.name = first.path;
    c.unsafe_path = name.unsafe;
    // git's own rev:path notation, so `git show` takes it as written.
    c.path = StrCat(manifest_.package_name, "@",
                    commit.id.empty() ? std::string("index") : commit.id.substr(0, 12), ":",
                    name.display);
    for (const Introduction& i : blob.introductions) {
      if (c.git.size() == kMaxGitIntroductions) {
        ++c.git_more;
        continue;
      }
      const CommitInfo& by = commits_[i.commit];
      c.git.push_back({by.id, i.path, by.author,
                       by.id.empty() ? std::string()
                                     : absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                                                        absl::FromUnixSeconds(by.time),
                                                        absl::UTCTimeZone())});
    }
    return c;
  }

  void LimitExceeded(Component& c, std::string reason) {
    c.status = ComponentStatus::kLimitExceeded;
    c.reason = std::move(reason);
  }

  // A package-wide stop: the blobs after this one are listed, not read.
  void Stop(std::string_view limit, const Component& c, uint64_t observed, uint64_t maximum,
            std::string reason) {
    manifest_.complete = false;
    manifest_.stopped_by = std::string(limit);
    manifest_.limit_events.push_back({std::string(limit), c.id, observed, maximum});
    stopped_ = std::move(reason);
  }

  // The blob's content, within the limits; what kept it from being read is recorded on
  // `c`. `loaded` holds the bytes the view points into.
  std::string_view Read(const BlobInfo& blob, git_odb* odb, Component& c, BlobPtr* loaded) {
    const DecomposeLimits& limits = options_.limits;
    size_t size = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    if (git_odb_read_header(&size, &type, odb, &blob.id) != 0 || type != GIT_OBJECT_BLOB) {
      c.status = ComponentStatus::kCorrupt;
      c.reason = StrCat("blob ", blob.hex, " cannot be read: ",
                        type == GIT_OBJECT_INVALID ? LastError() : "not a blob");
      git_error_clear();
      return {};
    }
    c.declared_size = static_cast<int64_t>(size);
    if (stopped_.empty() && absl::Now() > options_.deadline) {
      Stop("time_budget", c, manifest_.expanded_bytes, 0, "the package time budget was spent");
    }
    if (stopped_.empty() && limits.max_total_bytes != 0 && (limits.max_component_bytes == 0 || size <= limits.max_component_bytes) &&
        manifest_.expanded_bytes + size > limits.max_total_bytes) {
      Stop("max_total_bytes", c, manifest_.expanded_bytes + size, limits.max_total_bytes,
           StrCat("max_total_bytes (", limits.max_total_bytes, ") reached"));
    }
    if (!stopped_.empty()) {
      LimitExceeded(c, StrCat("not read: ", stopped_));
      return {};
    }
    if (limits.max_component_bytes != 0 && size > limits.max_component_bytes) {
      manifest_.limit_events.push_back(
          {"max_component_bytes", c.id, size, limits.max_component_bytes});
      LimitExceeded(c, StrCat("not read: the blob's ", size, " bytes pass max_component_bytes (",
                              limits.max_component_bytes, ")"));
      return {};
    }
    git_blob* raw = nullptr;
    if (git_blob_lookup(&raw, repo_.get(), &blob.id) != 0) {
      c.status = ComponentStatus::kCorrupt;
      c.reason = StrCat("blob ", blob.hex, " cannot be read: ", LastError());
      git_error_clear();
      return {};
    }
    loaded->reset(raw);
    const std::string_view content(static_cast<const char*>(git_blob_rawcontent(raw)),
                                   static_cast<size_t>(git_blob_rawsize(raw)));
    c.size = content.size();
    c.sha256 = content.empty() ? std::string() : ToHex(Sha256Of(content));
    c.content_complete = true;
    c.has_content = true;
    c.media_type = std::string(SniffMediaType(content));
    manifest_.expanded_bytes += content.size();
    return content;
  }

  absl::StatusOr<Manifest> Emit(ComponentCallback callback) {
    const DecomposeLimits& limits = options_.limits;
    manifest_.limits = limits;
    manifest_.input_sha256 = ListingDigest();
    manifest_.package_id = options_.package_id.empty() ? manifest_.input_sha256 : options_.package_id;
    manifest_.package_name = options_.package_name.empty() ? PackageNameOf(source_.repository)
                                                           : options_.package_name;
    Component root;
    root.id = ComponentId(manifest_.package_id, "", 0, "");
    root.path = manifest_.package_name;
    root.name = manifest_.package_name;
    root.kind = ComponentKind::kContainer;
    root.container_format = "git";
    const uint64_t total = sorted_.size();
    const uint64_t listed =
        limits.max_entries == 0 ? total : std::min<uint64_t>(total, limits.max_entries);
    if (listed < total) {
      manifest_.complete = false;
      manifest_.stopped_by = "max_entries";
      manifest_.limit_events.push_back({"max_entries", root.id, total, limits.max_entries});
      LimitExceeded(root, StrCat(total - listed, " of ", total,
                                 " blobs not listed: max_entries is ", limits.max_entries));
    }
    OdbPtr odb;
    if (git_odb* raw = nullptr; git_repository_odb(&raw, repo_.get()) == 0) {
      odb.reset(raw);
    } else {
      return GitError(ErrorCode::kCorrupt, "cannot open the object database");
    }
    for (uint64_t i = 0; i < listed; ++i) {
      const BlobInfo& blob = *sorted_[i];
      Component c = BlobComponent(blob, root, i);
      BlobPtr loaded;
      const std::string_view content = Read(blob, odb.get(), c, &loaded);
      manifest_.input_bytes += c.declared_size > 0 ? static_cast<uint64_t>(c.declared_size) : 0;
      TRAWL_RETURN_IF_ERROR(callback(c, content));
      manifest_.components.push_back(std::move(c));
    }
    root.children = listed;
    manifest_.entries_seen = listed;
    TRAWL_RETURN_IF_ERROR(callback(root, std::string_view()));
    manifest_.components.push_back(std::move(root));
    return std::move(manifest_);
  }

  const GitSource& source_;
  const DecomposeOptions& options_;
  RepositoryPtr repo_;
  std::vector<CommitInfo> commits_;  // those that introduced something
  StringMap<BlobInfo> blobs_;  // by raw blob id
  std::vector<BlobInfo*> sorted_;
  Manifest manifest_;
  std::string stopped_;  // why blobs are no longer read, once a package-wide limit fired
};

}  // namespace

absl::StatusOr<absl::Time> ParseGitSince(std::string_view text) {
  // Debian's Abseil has its own string_view type.
  const absl::string_view input(text.data(), text.size());
  int64_t seconds = 0;
  if (absl::SimpleAtoi(input, &seconds)) return absl::FromUnixSeconds(seconds);
  absl::Time time;
  std::string error;
  for (const char* format : {"%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"}) {
    if (absl::ParseTime(format, input, absl::UTCTimeZone(), &time, &error)) return time;
  }
  if (absl::ParseTime(absl::RFC3339_full, input, &time, &error)) return time;
  return CodedError(ErrorCode::kInvalid,
                    StrCat("since: \"", text,
                           "\" is not a date (YYYY-MM-DD, RFC 3339, or seconds since the epoch)"));
}

absl::StatusOr<Manifest> DecomposeGit(const GitSource& source, const DecomposeOptions& options,
                                      ComponentCallback callback) {
  if (source.repository.empty()) {
    return CodedError(ErrorCode::kInvalid, "no git repository given");
  }
  LibraryUse library;
  return GitDecomposer(source, options).Run(callback);
}

}  // namespace trawl
