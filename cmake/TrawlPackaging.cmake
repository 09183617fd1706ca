# Installing trawl for its users (docs/packaging.md): the CMake package (trawl::trawl,
# also from the build tree), trawl.pc, the CLI with an RPATH to the installed library, and
# the default rule packs.
include(CMakePackageConfigHelpers)

set(TRAWL_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/trawl CACHE STRING
    "Where trawlConfig.cmake is installed (relative to the prefix)")
set(TRAWL_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/trawl)

install(EXPORT trawlTargets NAMESPACE trawl:: FILE trawlTargets.cmake
        DESTINATION ${TRAWL_INSTALL_CMAKEDIR})
export(EXPORT trawlTargets NAMESPACE trawl:: FILE ${PROJECT_BINARY_DIR}/trawlTargets.cmake)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/trawlConfig.cmake.in
  ${PROJECT_BINARY_DIR}/trawlConfig.cmake INSTALL_DESTINATION ${TRAWL_INSTALL_CMAKEDIR})
# While the version is 0.x a minor release may break (docs/abi.md), so 0.3 accepts only
# 0.3.*; from 1.0 any release of the same major.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_trawl_compatibility SameMinorVersion)
else()
  set(_trawl_compatibility SameMajorVersion)
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/trawlConfigVersion.cmake
  COMPATIBILITY ${_trawl_compatibility})
install(FILES ${PROJECT_BINARY_DIR}/trawlConfig.cmake ${PROJECT_BINARY_DIR}/trawlConfigVersion.cmake
        DESTINATION ${TRAWL_INSTALL_CMAKEDIR})

# trawl.pc, relocatable when the directories are relative to the prefix.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(TRAWL_PC_PREFIX_FROM_PCDIR "")
  set(TRAWL_PC_LIBDIR ${CMAKE_INSTALL_FULL_LIBDIR})
  set(TRAWL_PC_INCLUDEDIR ${CMAKE_INSTALL_FULL_INCLUDEDIR})
else()
  file(RELATIVE_PATH TRAWL_PC_PREFIX_FROM_PCDIR /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
  set(TRAWL_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  set(TRAWL_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/trawl.pc.in ${PROJECT_BINARY_DIR}/trawl.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/trawl.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# Installed programs find the installed library through a relative RPATH.
file(RELATIVE_PATH _trawl_bin_to_lib /prefix/${CMAKE_INSTALL_BINDIR} /prefix/${CMAKE_INSTALL_LIBDIR})
set(TRAWL_INSTALL_RPATH "$ORIGIN/${_trawl_bin_to_lib}")
if(TARGET trawl_cli)
  set_target_properties(trawl_cli PROPERTIES INSTALL_RPATH "${TRAWL_INSTALL_RPATH}")
endif()

# The default rule packs, with the indicator pack's licence, and (TRAWL_BUILD_TOOLS) the
# artifact compiled from them: `trawl analyze --db <prefix>/share/trawl/default.tdb`.
if(TRAWL_IS_TOP_LEVEL)
  set(_trawl_packs ${PROJECT_SOURCE_DIR}/rules/secrets.json ${PROJECT_SOURCE_DIR}/rules/pii.json
                   ${PROJECT_SOURCE_DIR}/rules/indicators.ndjson.gz
                   ${PROJECT_SOURCE_DIR}/rules/indicators/maltrail.tsv.xz)
  install(FILES ${_trawl_packs} ${PROJECT_SOURCE_DIR}/rules/indicators/LICENSE-maltrail
          DESTINATION ${TRAWL_INSTALL_DATADIR}/rules)
  option(TRAWL_INSTALL_DEFAULT_DB "Compile the default packs into default.tdb and install it"
         ON)
  if(TARGET trawl_cli AND TRAWL_INSTALL_DEFAULT_DB AND NOT TRAWL_SANITIZE
     AND NOT TRAWL_BUILD_FUZZERS)
    # Portable: the installed artifact may be copied to another x86-64 machine.
    add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/default.tdb
      COMMAND trawl_cli compile ${_trawl_packs} --target portable -o ${PROJECT_BINARY_DIR}/default.tdb
      DEPENDS trawl_cli ${_trawl_packs}
      COMMENT "Compiling the default rule packs into default.tdb" VERBATIM)
    add_custom_target(trawl_default_db ALL DEPENDS ${PROJECT_BINARY_DIR}/default.tdb)
    install(FILES ${PROJECT_BINARY_DIR}/default.tdb DESTINATION ${TRAWL_INSTALL_DATADIR})
  endif()
endif()
