# cmake/ParigotGuest.cmake: building C and C++ parigot guests, in this tree
# and in any project that uses an installed parigot (find_package(parigot)
# includes this file from parigotConfig.cmake).
#
# The includer says where parigot's pieces are:
#   PG_INCLUDE_DIR        the public headers (parigot/guest.h, ...)
#   PG_PLUGIN             protoc-gen-parigot (a path, or a $<TARGET_FILE:>)
#   PG_PLUGIN_DEPENDS     the target that builds it, if any
#   PG_SQLC               parigot-sqlc (a path, or a $<TARGET_FILE:>)
#   PG_SQLC_DEPENDS       the target that builds it, if any
#   PG_SDK_C_LIB          libparigot-guest.a, the C SDK for wasm32-wasi
#   PG_SDK_C_LIB_DEPENDS  the target that builds it, if any
#   PG_GUEST_DIR          where guests land unless told otherwise
# and may add -Werror to PG_GUEST_WARNINGS.

find_program(PG_WASM_CC NAMES clang-14 clang REQUIRED)
find_program(PG_WASM_CXX NAMES clang++-14 clang++ REQUIRED)
find_program(PG_PROTOC protoc REQUIRED)

# What every C guest source is compiled with, the SDK's own included.
# clang 14 with bulk memory assumes shared memory and refuses errno's
# thread-local storage unless told the module is single-threaded
# (local-exec), which guests are. Link-time optimisation: a call crosses
# the guest's code, the generated code and the SDK, and inlining across
# them took 12% off the instructions of an in-process round trip
# (bench/app); the SDK library holds LLVM bitcode for that.
set(PG_GUEST_CFLAGS --target=wasm32-wasi -O2 -flto -mbulk-memory
    -ftls-model=local-exec)
if(NOT DEFINED PG_GUEST_WARNINGS)
  set(PG_GUEST_WARNINGS -Wall -Wextra)
endif()
# The SDK's entry points (docs/abi.md) are pulled from the library even
# when a guest's own code names none of them.
set(PG_GUEST_LINK_FLAGS -Wl,-u,parigot_abi_v2 -Wl,-u,parigot_main
    -Wl,-u,parigot_event)

# pg_proto_c(OUT_VAR ROOT dir PROTOS a/b.proto... [IMPORTS dir...]
#            [OUT_DIR dir])
# Runs protoc with protoc-gen-parigot on .proto files (paths relative to
# ROOT, as they are imported) and sets OUT_VAR to the generated .pg.c files.
# The .pg.h files land beside them under ${CMAKE_BINARY_DIR}/gen/<ROOT's
# name>, or OUT_DIR, which a second directory generating the same files
# needs (two rules may not make one file); PG_PROTO_INCLUDE_<OUT_VAR> is
# that directory, for -I.
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
            --plugin=protoc-gen-parigot=${PG_PLUGIN}
            --parigot_out=${outdir} ${includes} ${P_PROTOS}
    DEPENDS ${inputs} ${PG_PLUGIN_DEPENDS}
    WORKING_DIRECTORY ${root}
    COMMENT "protoc-gen-parigot: ${P_PROTOS}" VERBATIM)
  set(${out_var} ${sources} PARENT_SCOPE)
  set(PG_PROTO_INCLUDE_${out_var} ${outdir} PARENT_SCOPE)
endfunction()

# pg_guest(NAME SOURCES src... [CXX_SOURCES src.cpp...]
#          [PROTO_SOURCES gen.pg.c...] [INCLUDES dir...] [OUTPUT_DIR dir])
# Builds a parigot guest: a wasm32-wasi reactor (docs/abi.md) linked with
# the C guest SDK (libparigot-guest.a, its event loop included). The wasm
# lands in OUTPUT_DIR (default ${PG_GUEST_DIR}) as NAME.wasm; target
# guest_NAME.
# CXX_SOURCES are C++17, compiled by clang++ against Debian's libc++ for
# wasm32-wasi (libc++-dev-wasm32) and linked with it; the generated C code
# is then compiled as C, each to its own object. C++ guests have no
# exceptions: wasm32-wasi has no unwinder in clang 14.
function(pg_guest name)
  cmake_parse_arguments(G "" "OUTPUT_DIR"
                        "SOURCES;CXX_SOURCES;PROTO_SOURCES;INCLUDES" ${ARGN})
  if(NOT G_OUTPUT_DIR)
    set(G_OUTPUT_DIR ${PG_GUEST_DIR})
  endif()
  set(out ${G_OUTPUT_DIR}/${name}.wasm)
  set(srcs)
  foreach(s ${G_SOURCES} ${G_PROTO_SOURCES})
    get_filename_component(s ${s} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND srcs ${s})
  endforeach()
  set(flags -I${PG_INCLUDE_DIR})
  foreach(dir ${G_INCLUDES})
    list(APPEND flags -I${dir})
  endforeach()
  set(common ${PG_GUEST_CFLAGS} ${PG_GUEST_WARNINGS} ${flags})
  set(link ${PG_SDK_C_LIB} ${PG_GUEST_LINK_FLAGS})
  set(deps ${PG_SDK_C_LIB} ${PG_SDK_C_LIB_DEPENDS})
  if(NOT G_CXX_SOURCES)
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${G_OUTPUT_DIR}
      COMMAND ${PG_WASM_CC} -mexec-model=reactor ${common} -o ${out} ${srcs}
              ${link}
      DEPENDS ${srcs} ${deps}
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
              -flto -fno-exceptions -Wl,--strip-all -o ${out} ${objs} ${link}
      DEPENDS ${srcs} ${cxx_srcs} ${deps}
      COMMENT "parigot C++ guest ${name}.wasm" VERBATIM)
  endif()
  add_custom_target(guest_${name} ALL DEPENDS ${out})
endfunction()

# pg_sqlc(NAME SCHEMA path QUERIES file... PACKAGE pkg SERVICE Name
#         PROTO_NAME a/b/name.proto [OUT_DIR dir])
# Runs parigot-sqlc (docs/builtins.md): the queries (paths relative to this
# directory) typed against the schema (a schema.sql or a directory of
# migrations) become OUT_DIR/PROTO_NAME, which pg_proto_c() and its Rust
# and AssemblyScript siblings take with ROOT OUT_DIR, and OUT_DIR/NAME.toml,
# the query table for the parigot.db built-in's `queries` setting. OUT_DIR
# defaults to ${CMAKE_CURRENT_BINARY_DIR}/sqlc. Target sqlc_NAME.
function(pg_sqlc name)
  cmake_parse_arguments(S "" "SCHEMA;PACKAGE;SERVICE;PROTO_NAME;OUT_DIR"
                        "QUERIES" ${ARGN})
  set(outdir ${CMAKE_CURRENT_BINARY_DIR}/sqlc)
  if(S_OUT_DIR)
    set(outdir ${S_OUT_DIR})
  endif()
  get_filename_component(schema ${S_SCHEMA} ABSOLUTE BASE_DIR
                         ${CMAKE_CURRENT_SOURCE_DIR})
  if(IS_DIRECTORY ${schema})
    file(GLOB schema_files CONFIGURE_DEPENDS ${schema}/*.sql)
  else()
    set(schema_files ${schema})
  endif()
  set(queries)
  foreach(q ${S_QUERIES})
    get_filename_component(q ${q} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND queries ${q})
  endforeach()
  get_filename_component(proto_dir ${outdir}/${S_PROTO_NAME} DIRECTORY)
  add_custom_command(OUTPUT ${outdir}/${S_PROTO_NAME} ${outdir}/${name}.toml
    COMMAND ${CMAKE_COMMAND} -E make_directory ${proto_dir}
    COMMAND ${PG_SQLC} --schema ${S_SCHEMA} --package ${S_PACKAGE}
            --service ${S_SERVICE} --proto ${outdir}/${S_PROTO_NAME}
            --proto-name ${S_PROTO_NAME} --table ${outdir}/${name}.toml
            ${S_QUERIES}
    DEPENDS ${queries} ${schema_files} ${PG_SQLC_DEPENDS}
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
    COMMENT "parigot-sqlc: ${name}" VERBATIM)
  add_custom_target(sqlc_${name} ALL
                    DEPENDS ${outdir}/${S_PROTO_NAME} ${outdir}/${name}.toml)
  # pg_proto_rust() reads a .proto's package at configure time.
  set_property(GLOBAL PROPERTY "PG_SQLC_PACKAGE ${outdir}/${S_PROTO_NAME}"
               ${S_PACKAGE})
endfunction()

# The names a project using an installed parigot calls (docs/install.md):
# macros, so that parigot_proto() sets its variables in the caller's scope.
macro(parigot_proto)
  pg_proto_c(${ARGV})
endmacro()
macro(parigot_guest)
  pg_guest(${ARGV})
endmacro()
macro(parigot_sqlc)
  pg_sqlc(${ARGV})
endmacro()
