# Warning and sanitizer flags shared by every target the project builds.
add_library(trawl_warnings INTERFACE)
# -Wshadow=local is GCC's; clang's nearest equivalent is -Wshadow-uncaptured-local.
set(_trawl_shadow $<IF:$<CXX_COMPILER_ID:GNU>,-Wshadow=local,-Wshadow-uncaptured-local>)
# GCC 12 at -O3 (Release) reports -Wrestrict overlaps inside libstdc++'s basic_string for
# `"literal" + std::string` (GCC bug 105329, fixed in GCC 13): dozens of correct lines, in
# tests mostly. Off for C++ on GCC 12 in Release only; those in shipped code were rewritten.
set(_trawl_gcc12_restrict
  $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>,$<CONFIG:Release>>:-Wno-restrict>)
target_compile_options(trawl_warnings INTERFACE -Wall -Wextra ${_trawl_shadow}
  $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor> ${_trawl_gcc12_restrict}
  $<$<BOOL:${TRAWL_WERROR}>:-Werror>)

if(TRAWL_SANITIZE)
  add_compile_options(-fsanitize=${TRAWL_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${TRAWL_SANITIZE})
endif()

# Fuzz builds (clang): every library gets coverage instrumentation and ASan/UBSan; the
# fuzz targets themselves are added with trawl_add_fuzzer() in tests/.
if(TRAWL_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "TRAWL_BUILD_FUZZERS needs clang (CXX=clang++ CC=clang)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
