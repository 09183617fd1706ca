// File: decompose_file_fuzzer.cc
// libFuzzer target for the file-based intake path (DecomposeFileToDirectory, and so
// DecomposeFile): the input is written to a file and decomposed from disk, where the
// package is read with pread through one cursor per libarchive reader (zip and 7z seek),
// and tails, local headers and fallbacks re-read the file. Checks on every input: the
// manifest validates, equals the manifest of the same bytes decomposed from memory (same
// ids, statuses, digests: the input form must not matter), and the directory holds
// exactly manifest.json and the contents the in-memory path keeps, with no temporary file
// left behind.
// Build and run: scripts/fuzz.sh SECONDS (seeds: tests/intake/fuzz_seeds/, plus
// decompose_fuzzer_seeds.sh)
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "intake/decompose.h"
#include "intake/fuzz_options.h"
#include "intake/manifest_json.h"

namespace {

std::string* work_directory = nullptr;

void RemoveWorkDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(*work_directory, ignored);
}

// One directory per fuzzing process, removed when it exits.
const std::string& WorkDirectory() {
  const char* base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
  std::string pattern = std::string(base) + "/trawl-file-fuzz-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) std::abort();
  work_directory = new std::string(pattern);
  std::atexit(RemoveWorkDirectory);
  return *work_directory;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string& work = WorkDirectory();
  const std::string input = work + "/input";
  const std::string out = work + "/out";
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  {
    std::ofstream file(input, std::ios::binary | std::ios::trunc);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  std::filesystem::remove_all(out);
  std::filesystem::create_directory(out);

  const trawl::DecomposeOptions options = trawl::testing::FuzzDecomposeOptions();

  absl::StatusOr<trawl::Manifest> from_file =
      trawl::DecomposeFileToDirectory(input, options, out);
  if (!from_file.ok()) std::abort();  // only bad options or I/O errors may fail
  if (!trawl::ValidateManifest(*from_file).ok()) std::abort();
  absl::StatusOr<trawl::Decomposition> from_memory = trawl::CollectBytes(bytes, options);
  if (!from_memory.ok() || !(from_memory->manifest == *from_file)) std::abort();

  if (ReadAll(out + "/manifest.json") != trawl::ManifestToJson(*from_file)) std::abort();
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(out)) {
    ++files;
    const std::string name = entry.path().filename().string();
    if (name == "manifest.json") continue;
    auto it = from_memory->content.find(name);
    if (it == from_memory->content.end() || ReadAll(entry.path().string()) != it->second) {
      std::abort();  // a temporary file left behind, or content that differs
    }
  }
  if (files != from_memory->content.size() + 1) std::abort();
  return 0;
}
