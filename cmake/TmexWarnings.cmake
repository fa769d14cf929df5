# Warning and sanitizer flags as INTERFACE targets, linked by tmex's own targets only.
add_library(tmex_warnings INTERFACE)
add_library(tmex::warnings ALIAS tmex_warnings)
target_compile_options(tmex_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                               -Wno-sign-conversion
                                               # GCC 12 false positives in std::string concatenation
                                               -Wno-restrict)

add_library(tmex_sanitizers INTERFACE)
add_library(tmex::sanitizers ALIAS tmex_sanitizers)
if(TMEX_SANITIZE)
  target_compile_options(tmex_sanitizers INTERFACE -fsanitize=address,undefined
                                                   -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(tmex_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

# tmex_module(NAME SOURCES...): a module library tmex_NAME with alias tmex::NAME.
function(tmex_module name)
  add_library(tmex_${name} STATIC ${ARGN})
  add_library(tmex::${name} ALIAS tmex_${name})
  target_include_directories(tmex_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(tmex_${name} PRIVATE tmex::warnings PUBLIC tmex::sanitizers)
endfunction()
