# cmake/Parigot.cmake: this tree's helpers to build tests and test guests;
# the guest helpers every project shares are in ParigotGuest.cmake.

include(${CMAKE_CURRENT_LIST_DIR}/ParigotGuest.cmake)
find_program(PG_WAT2WASM wat2wasm REQUIRED)
find_program(PG_WASM2C wasm2c REQUIRED)

# pg_test(NAME SOURCES src... [LIBS lib...] [LABELS l...])
# Builds one test binary and adds one CTest entry per PG_TEST(name) found in
# its sources, so `ctest -R name` selects a single behaviour.
function(pg_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS;DEPENDS" ${ARGN})
  add_executable(${name} ${T_SOURCES} ${PROJECT_SOURCE_DIR}/tests/test_main.c)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${T_LIBS})
  set_target_properties(${name} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  if(T_DEPENDS)
    add_dependencies(${name} ${T_DEPENDS})
  endif()
  if(NOT T_LABELS)
    set(T_LABELS quick)
  endif()
  foreach(src ${T_SOURCES})
    # A new PG_TEST line must add its CTest entry at the next build.
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${src})
    file(STRINGS ${src} lines REGEX "^PG_TEST\\([a-z0-9_]+\\)")
    foreach(line ${lines})
      string(REGEX REPLACE "^PG_TEST\\(([a-z0-9_]+)\\).*" "\\1" tname "${line}")
      add_test(NAME ${tname} COMMAND ${name} ${tname})
      set_tests_properties(${tname} PROPERTIES TIMEOUT 120 LABELS "${T_LABELS}"
        ENVIRONMENT "PG_BIN=${CMAKE_BINARY_DIR}/bin;PG_GUESTS=${PG_GUEST_DIR};PG_SOURCE=${PROJECT_SOURCE_DIR};PARIGOT_CACHE=${CMAKE_BINARY_DIR}/test-cache")
    endforeach()
  endforeach()
endfunction()

# pg_wasi_guest(NAME SOURCES src... [FLAGS f...])
# Compiles C sources (relative to this directory, or absolute) to
# ${PG_GUEST_DIR}/NAME.wasm for wasm32-wasi with
# Debian's wasi-libc. Adds a target guest_NAME. clang 14 with bulk memory
# assumes shared memory and refuses errno's thread-local storage unless told
# the module is single-threaded (local-exec), which guests are.
function(pg_wasi_guest name)
  cmake_parse_arguments(G "" "" "SOURCES;FLAGS" ${ARGN})
  set(out ${PG_GUEST_DIR}/${name}.wasm)
  set(srcs)
  foreach(s ${G_SOURCES})
    get_filename_component(s ${s} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND srcs ${s})
  endforeach()
  add_custom_command(OUTPUT ${out}
    COMMAND ${PG_WASM_CC} --target=wasm32-wasi -O2 -mbulk-memory
            -ftls-model=local-exec -Wall -Wextra -Werror ${G_FLAGS}
            -o ${out} ${srcs}
    DEPENDS ${srcs}
    COMMENT "wasm32-wasi guest ${name}.wasm" VERBATIM)
  add_custom_target(guest_${name} ALL DEPENDS ${out})
endfunction()

# pg_wat_guest(NAME file.wat [FLAGS f...]): assembles a hand-written module.
function(pg_wat_guest name wat)
  cmake_parse_arguments(G "" "" "FLAGS" ${ARGN})
  set(out ${PG_GUEST_DIR}/${name}.wasm)
  set(src ${CMAKE_CURRENT_SOURCE_DIR}/${wat})
  add_custom_command(OUTPUT ${out}
    COMMAND ${PG_WAT2WASM} ${G_FLAGS} ${src} -o ${out}
    DEPENDS ${src}
    COMMENT "wat guest ${name}.wasm" VERBATIM)
  add_custom_target(guest_${name} ALL DEPENDS ${out})
endfunction()
