# Every third-party dependency comes from Debian and is found here, once.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(absl REQUIRED)
find_package(simdjson REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(ZLIB REQUIRED)
find_package(benchmark QUIET)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(HS REQUIRED IMPORTED_TARGET libhs)
pkg_check_modules(LIBARCHIVE REQUIRED IMPORTED_TARGET libarchive)
# Intake inflates gzip containers with ISA-L's igzip (2-3x zlib) in front of libarchive
# (src/intake/gzip_inflater.cc); without it libarchive's own gzip filter (zlib) is used.
if(NOT TRAWL_ISAL MATCHES "^(auto|on|off)$")
  message(FATAL_ERROR "trawl: TRAWL_ISAL must be auto, on or off, not '${TRAWL_ISAL}'")
endif()
if(NOT TRAWL_ISAL STREQUAL "off")
  pkg_check_modules(ISAL IMPORTED_TARGET libisal)
  if(NOT ISAL_FOUND AND TRAWL_ISAL STREQUAL "on")
    message(FATAL_ERROR "trawl: TRAWL_ISAL=on but libisal was not found (apt-get install libisal-dev)")
  endif()
endif()
if(ISAL_FOUND)
  message(STATUS "trawl: gzip inflater ISA-L ${ISAL_VERSION}")
else()
  message(STATUS "trawl: gzip inflater libarchive (zlib)")
endif()
# git history (src/git/git_source.cc) and git's ignore rules for directory inputs (src/git/gitignore.cc).
pkg_check_modules(LIBGIT2 REQUIRED IMPORTED_TARGET libgit2)
# The trawl CLI's argument parser (header-only).
find_package(CLI11 REQUIRED)
pkg_check_modules(LIBPSL IMPORTED_TARGET libpsl)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
# Rule importers (src/rules/importers): gitleaks TOML and Nosey Parker/Kingfisher YAML.
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(YAMLCPP REQUIRED IMPORTED_TARGET yaml-cpp)
pkg_check_modules(LIBLZMA REQUIRED IMPORTED_TARGET liblzma)  # indicator packs (.xz)

# libhs.pc does not say which engine it is. Intel Hyperscan stopped at 5.4.2; Vectorscan's
# releases are 5.4.3 and later, so ask the library its version at configure time.
try_run(_hs_run _hs_compile ${PROJECT_BINARY_DIR}/hs_probe
  SOURCES ${PROJECT_SOURCE_DIR}/cmake/hs_probe.c
  CMAKE_FLAGS "-DINCLUDE_DIRECTORIES=${HS_INCLUDE_DIRS}"
  LINK_LIBRARIES ${HS_LINK_LIBRARIES}
  RUN_OUTPUT_VARIABLE _hs_version)
string(STRIP "${_hs_version}" _hs_version)
if(_hs_version MATCHES "^5\\.4\\.[0-2]( |$)")
  set(TRAWL_ENGINE_FOUND hyperscan)
else()
  set(TRAWL_ENGINE_FOUND vectorscan)
endif()
if(TRAWL_ENGINE STREQUAL "auto")
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64" AND TRAWL_ENGINE_FOUND STREQUAL "vectorscan")
    message(WARNING "trawl: Vectorscan found on x86-64; it misses matches on AVX-512 CPUs. "
                    "Install libhyperscan-dev (scripts/setup.sh does) or pass -DTRAWL_ENGINE=vectorscan.")
  endif()
elseif(NOT TRAWL_ENGINE STREQUAL TRAWL_ENGINE_FOUND)
  message(FATAL_ERROR "trawl: TRAWL_ENGINE=${TRAWL_ENGINE} but the installed libhs is ${TRAWL_ENGINE_FOUND} "
                      "(${_hs_version}). Run TRAWL_ENGINE=${TRAWL_ENGINE} scripts/setup.sh.")
endif()
message(STATUS "trawl: engine ${TRAWL_ENGINE_FOUND} ${_hs_version}")
