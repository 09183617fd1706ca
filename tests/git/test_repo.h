// File: test_repo.h
// A git repository built by a test with the `git` command: files written, commits made at
// chosen dates, their ids read back (never hard-coded).
#ifndef TRAWL_TESTS_GIT_TEST_REPO_H_
#define TRAWL_TESTS_GIT_TEST_REPO_H_

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace trawl {

inline bool HaveGit() { return std::system("git --version >/dev/null 2>&1") == 0; }

class TestRepo {
 public:
  // A fresh repository (branch main) in a directory of its own under the test temp dir.
  explicit TestRepo(std::string_view name) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = (std::filesystem::path(::testing::TempDir()) /
            (std::string("trawl_git_") + info->name() + "_" + std::string(name) + "_" +
             std::to_string(getpid())))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Git("init -q -b main");
    Git("config user.name 'Ada Lovelace'");
    Git("config user.email ada@example.com");
  }
  ~TestRepo() { std::filesystem::remove_all(dir_); }
  TestRepo(const TestRepo&) = delete;
  TestRepo& operator=(const TestRepo&) = delete;

  const std::string& dir() const { return dir_; }

  void Write(const std::string& path, std::string_view bytes) const {
    const std::filesystem::path file = std::filesystem::path(dir_) / path;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }

  // Stages everything and commits at `date` (author and committer); returns the commit id.
  std::string Commit(const std::string& message, const std::string& date) const {
    Git("add -A");
    Git("commit -q --allow-empty -m '" + message + "'", "GIT_AUTHOR_DATE='" + date +
                                                            "' GIT_COMMITTER_DATE='" + date + "' ");
    return Git("rev-parse HEAD");
  }

  // Runs `git ARGS` in the repository, isolated from the user's and the system's
  // configuration; returns its output without the final newline.
  std::string Git(const std::string& args, const std::string& env = "") const {
    const std::string command = "cd '" + dir_ +
                                "' && GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null " + env +
                                "git " + args + " 2>&1";
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
      ADD_FAILURE() << "cannot run " << command;
      return out;
    }
    char buffer[4096];
    for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    const int status = pclose(pipe);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command << ": " << out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  // The file holding a loose object, made writable.
  std::string ObjectFile(const std::string& id) const {
    const std::string path = dir_ + "/.git/objects/" + id.substr(0, 2) + "/" + id.substr(2);
    std::filesystem::permissions(path, std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::add);
    return path;
  }

 private:
  std::string dir_;
};

}  // namespace trawl

#endif  // TRAWL_TESTS_GIT_TEST_REPO_H_
