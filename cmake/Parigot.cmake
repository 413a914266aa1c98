# cmake/Parigot.cmake: helpers to build tests and WebAssembly guests.

find_program(PG_WASM_CC NAMES clang-14 clang REQUIRED)
find_program(PG_WASM_CXX NAMES clang++-14 clang++ REQUIRED)
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

# pg_proto_c(OUT_VAR ROOT dir PROTOS a/b.proto... [IMPORTS dir...]
#            [OUT_DIR dir])
# Runs protoc with protoc-gen-parigot on .proto files (paths relative to
# ROOT, as they are imported) and sets OUT_VAR to the generated .pg.c files.
# The .pg.h files land beside them under ${CMAKE_BINARY_DIR}/gen/<ROOT's
# name>, or OUT_DIR, which a second directory generating the same files
# needs (two rules may not make one file); PG_PROTO_INCLUDE_<OUT_VAR> is
# that directory, for -I.
find_program(PG_PROTOC protoc REQUIRED)
function(pg_proto_c out_var)
  cmake_parse_arguments(P "" "ROOT;OUT_DIR" "PROTOS;IMPORTS" ${ARGN})
  get_filename_component(root ${P_ROOT} ABSOLUTE BASE_DIR
                         ${CMAKE_CURRENT_SOURCE_DIR})
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${root})
  set(outdir ${CMAKE_BINARY_DIR}/gen/${rel})
  if(P_OUT_DIR)
    set(outdir ${P_OUT_DIR})
  endif()
  set(includes -I${root})
  foreach(dir ${P_IMPORTS})
    get_filename_component(dir ${dir} ABSOLUTE BASE_DIR
                           ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND includes -I${dir})
  endforeach()
  set(sources)
  set(outputs)
  set(inputs)
  foreach(proto ${P_PROTOS})
    string(REGEX REPLACE "\\.proto$" "" stem ${proto})
    list(APPEND sources ${outdir}/${stem}.pg.c)
    list(APPEND outputs ${outdir}/${stem}.pg.c ${outdir}/${stem}.pg.h)
    list(APPEND inputs ${root}/${proto})
  endforeach()
  add_custom_command(OUTPUT ${outputs}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${outdir}
    COMMAND ${PG_PROTOC}
            --plugin=protoc-gen-parigot=$<TARGET_FILE:protoc-gen-parigot>
            --parigot_out=${outdir} ${includes} ${P_PROTOS}
    DEPENDS ${inputs} protoc-gen-parigot
    WORKING_DIRECTORY ${root}
    COMMENT "protoc-gen-parigot: ${P_PROTOS}" VERBATIM)
  set(${out_var} ${sources} PARENT_SCOPE)
  set(PG_PROTO_INCLUDE_${out_var} ${outdir} PARENT_SCOPE)
endfunction()

# pg_guest(NAME SOURCES src... [CXX_SOURCES src.cpp...]
#          [PROTO_SOURCES gen.pg.c...] [INCLUDES dir...] [OUTPUT_DIR dir])
# Builds a parigot guest: a wasm32-wasi reactor (docs/abi.md) linked with
# the C guest SDK (sdk/c, including its event loop). The wasm lands in
# OUTPUT_DIR (default ${PG_GUEST_DIR}) as NAME.wasm; target guest_NAME.
# Link-time optimisation: a call crosses the guest's code, the generated
# code and the SDK, and inlining across them took 12% off the instructions
# of an in-process round trip (bench/app).
# CXX_SOURCES are C++17, compiled by clang++ against Debian's libc++ for
# wasm32-wasi (libc++-dev-wasm32) and linked with it; the C SDK and the
# generated C code are then compiled as C, each to its own object. C++
# guests have no exceptions: wasm32-wasi has no unwinder in clang 14.
function(pg_guest name)
  cmake_parse_arguments(G "" "OUTPUT_DIR"
                        "SOURCES;CXX_SOURCES;PROTO_SOURCES;INCLUDES" ${ARGN})
  if(NOT G_OUTPUT_DIR)
    set(G_OUTPUT_DIR ${PG_GUEST_DIR})
  endif()
  set(out ${G_OUTPUT_DIR}/${name}.wasm)
  set(srcs)
  foreach(s ${G_SOURCES} ${G_PROTO_SOURCES} ${PG_SDK_C_SOURCES}
          ${PG_SDK_C_GUEST_SOURCES})
    get_filename_component(s ${s} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND srcs ${s})
  endforeach()
  set(flags -I${PROJECT_SOURCE_DIR}/include)
  foreach(dir ${G_INCLUDES})
    list(APPEND flags -I${dir})
  endforeach()
  set(common --target=wasm32-wasi -O2 -flto -mbulk-memory
             -ftls-model=local-exec -Wall -Wextra -Werror ${flags})
  if(NOT G_CXX_SOURCES)
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${G_OUTPUT_DIR}
      COMMAND ${PG_WASM_CC} -mexec-model=reactor ${common} -o ${out} ${srcs}
      DEPENDS ${srcs}
      COMMENT "parigot guest ${name}.wasm" VERBATIM)
  else()
    set(objdir ${CMAKE_CURRENT_BINARY_DIR}/${name}.objs)
    set(compile)
    set(objs)
    set(cxx_srcs)
    foreach(s ${srcs})
      get_filename_component(base ${s} NAME)
      list(APPEND compile COMMAND ${PG_WASM_CC} ${common} -c ${s}
                                  -o ${objdir}/${base}.o)
      list(APPEND objs ${objdir}/${base}.o)
    endforeach()
    foreach(s ${G_CXX_SOURCES})
      get_filename_component(s ${s} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
      get_filename_component(base ${s} NAME)
      list(APPEND cxx_srcs ${s})
      list(APPEND compile COMMAND ${PG_WASM_CXX} ${common} -std=c++17
                                  -fno-exceptions -c ${s}
                                  -o ${objdir}/${base}.o)
      list(APPEND objs ${objdir}/${base}.o)
    endforeach()
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${G_OUTPUT_DIR} ${objdir}
      ${compile}
      COMMAND ${PG_WASM_CXX} --target=wasm32-wasi -mexec-model=reactor -O2
              -flto -fno-exceptions -Wl,--strip-all -o ${out} ${objs}
      DEPENDS ${srcs} ${cxx_srcs}
      COMMENT "parigot C++ guest ${name}.wasm" VERBATIM)
  endif()
  add_custom_target(guest_${name} ALL DEPENDS ${out})
endfunction()
