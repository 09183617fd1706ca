# Warning and sanitizer flags shared by every target the project builds.
add_library(trawl_warnings INTERFACE)
target_compile_options(trawl_warnings INTERFACE -Wall -Wextra -Wshadow=local
  $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor> $<$<BOOL:${TRAWL_WERROR}>:-Werror>)

if(TRAWL_SANITIZE)
  add_compile_options(-fsanitize=${TRAWL_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${TRAWL_SANITIZE})
endif()
