# Build provenance for driver/build_info.hpp: what this tmex was configured with (compiler,
# flags, library versions; fixed at configure time) and which source it was built from (the git
# commit and whether the tree had uncommitted changes; refreshed at every build).
#
# tmex_build_info(TARGET): adds the generated sources to TARGET.
#
# The commit comes from `git rev-parse HEAD` in a git checkout. A source tarball made with
# `git archive` carries it in .tmex-source-commit (expanded by the export-subst attribute in
# .gitattributes); -DTMEX_SOURCE_COMMIT=... overrides both (for packagers). Without any of
# these the commit is "unknown".
set(TMEX_SOURCE_COMMIT "" CACHE STRING "Source commit to record when the tree is not a git checkout")

function(tmex_build_info target)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/generated)
  file(MAKE_DIRECTORY ${out})
  string(TOUPPER "${CMAKE_BUILD_TYPE}" config)
  set(TMEX_BUILD_COMPILER "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}")
  set(TMEX_BUILD_TYPE "${CMAKE_BUILD_TYPE}")
  string(STRIP "${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${config}}" TMEX_BUILD_CXX_FLAGS)
  if(TMEX_SANITIZE)
    string(APPEND TMEX_BUILD_CXX_FLAGS " -fsanitize=address,undefined")
  endif()
  set(TMEX_BUILD_CXX_STANDARD "C++${CMAKE_CXX_STANDARD}")
  set(TMEX_BUILD_BOOST "${Boost_VERSION}")
  set(TMEX_BUILD_YAML_CPP "${yaml-cpp_VERSION}")
  set(TMEX_BUILD_SQLITE "${SQLite3_VERSION}")
  set(TMEX_BUILD_MPI "${MPI_CXX_VERSION}")
  set(TMEX_BUILD_SYSTEM "${CMAKE_SYSTEM_NAME} ${CMAKE_SYSTEM_PROCESSOR}")
  configure_file(${PROJECT_SOURCE_DIR}/cmake/build_config.cpp.in ${out}/build_config.cpp @ONLY)

  # Re-run at every build; the script rewrites source_commit.cpp only when its content changes,
  # so an unchanged tree rebuilds nothing.
  add_custom_target(${target}_source_commit
    COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DOUT=${out}/source_commit.cpp
            -DOVERRIDE=${TMEX_SOURCE_COMMIT} -P ${PROJECT_SOURCE_DIR}/cmake/TmexSourceCommit.cmake
    BYPRODUCTS ${out}/source_commit.cpp
    COMMENT "Recording the source commit"
    VERBATIM)
  target_sources(${target} PRIVATE ${out}/build_config.cpp ${out}/source_commit.cpp)
  add_dependencies(${target} ${target}_source_commit)
endfunction()
