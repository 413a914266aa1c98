# cmake/ParigotRust.cmake: Rust guests (sdk/rust). Debian's rustc builds
# them with no cargo and no crates: the SDK is an rlib (target
# parigot_sdk_rust), a guest one crate compiled as a wasm32-wasi reactor
# cdylib linked against it.
#
# Generated code reaches a guest's sources through one file per guest,
# ${CMAKE_CURRENT_BINARY_DIR}/NAME-protos.rs: the tree of package modules
# (`greeting.v1` is `pub mod greeting { pub mod v1 { include!(...) } }`),
# each including its .pg.rs files. rustc runs with PARIGOT_PROTOS set to
# its path, so a guest writes `mod pb { include!(env!("PARIGOT_PROTOS")); }`
# (any module name; generated code only uses paths relative to it).

# The includer says where the SDK crate is: PG_RUST_SDK_RLIB (and
# PG_RUST_SDK_DIR, its folder), PG_RUST_SDK_DEPENDS (the target that builds
# it, if any), and PG_PLUGIN / PG_PLUGIN_DEPENDS as for ParigotGuest.cmake.
#
# Without Debian's rustc and its wasm32-wasi standard library, this file
# says so in one line and sets PARIGOT_RUST to OFF (the functions below
# then fail when called, naming what to install).

# Debian's rustc, which has the wasm32-wasi standard library; a rustup
# toolchain earlier on PATH may not.
find_program(PG_RUSTC rustc PATHS /usr/bin NO_DEFAULT_PATH)
set(PARIGOT_RUST OFF)
if(PG_RUSTC)
  execute_process(COMMAND ${PG_RUSTC} --print sysroot
    OUTPUT_VARIABLE pg_rust_sysroot OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(PG_RUST_REACTOR_CRT ${pg_rust_sysroot}/lib/rustlib/wasm32-wasi/lib/self-contained/crt1-reactor.o)
  if(EXISTS ${PG_RUST_REACTOR_CRT})
    set(PARIGOT_RUST ON)
  endif()
endif()
if(NOT PARIGOT_RUST AND NOT PG_OPTIONAL_QUIET)
  message(STATUS "parigot: Rust guests off: no /usr/bin/rustc with the "
          "wasm32-wasi target (Debian: rustc libstd-rust-dev-wasm32)")
endif()

# Flags of the SDK and of every guest: one codegen unit and LTO across the
# SDK, the generated code and the guest's, as pg_guest() does for C, and
# panics abort (a trap), as the wasm32 targets want. Bulk memory, as C
# guests have it: copies of payloads become memory.copy (native memmove)
# instead of a byte loop, which took a C-Rust round trip of 1 KiB from
# 2.5x a C-C one to 1.3x.
set(PG_RUST_FLAGS --edition 2021 --target wasm32-wasi -C opt-level=2
    -C panic=abort -C codegen-units=1 -C debuginfo=0
    -C target-feature=+bulk-memory -D warnings
    CACHE INTERNAL "rustc flags of the Rust SDK and guests")

# pg_proto_rust(OUT_VAR ROOT dir PROTOS a/b.proto... [IMPORTS dir...]
#               [OUT_DIR dir])
# Runs protoc with protoc-gen-parigot (lang=rust) on .proto files (paths
# relative to ROOT, as they are imported) and sets OUT_VAR to the .pg.rs
# files, under ${CMAKE_BINARY_DIR}/gen/rust/<ROOT's path> (apart from the
# C files, which tests compare with fresh output), or OUT_DIR, which a
# second directory generating the same files needs (two rules may not make
# one file). Each file's package is recorded for pg_rust_guest().
function(pg_proto_rust out_var)
  cmake_parse_arguments(P "" "ROOT;OUT_DIR" "PROTOS;IMPORTS" ${ARGN})
  get_filename_component(root ${P_ROOT} ABSOLUTE BASE_DIR
                         ${CMAKE_CURRENT_SOURCE_DIR})
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${root})
  set(outdir ${CMAKE_BINARY_DIR}/gen/rust/${rel})
  if(P_OUT_DIR)
    set(outdir ${P_OUT_DIR})
  endif()
  set(includes -I${root})
  foreach(dir ${P_IMPORTS})
    get_filename_component(dir ${dir} ABSOLUTE BASE_DIR
                           ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND includes -I${dir})
  endforeach()
  set(outputs)
  set(inputs)
  foreach(proto ${P_PROTOS})
    string(REGEX REPLACE "\\.proto$" "" stem ${proto})
    set(rs ${outdir}/${stem}.pg.rs)
    list(APPEND outputs ${rs})
    list(APPEND inputs ${root}/${proto})
    # A .proto pg_sqlc() generates does not exist yet: it said its package.
    get_property(pkg GLOBAL PROPERTY "PG_SQLC_PACKAGE ${root}/${proto}")
    if(NOT pkg)
      set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
                   ${root}/${proto})
      file(STRINGS ${root}/${proto} pkg
           REGEX "^[ \t]*package[ \t]+[A-Za-z0-9_.]+[ \t]*;")
      string(REGEX REPLACE "^[ \t]*package[ \t]+([A-Za-z0-9_.]+).*" "\\1"
             pkg "${pkg}")
    endif()
    set_property(GLOBAL PROPERTY "PG_RUST_PACKAGE ${rs}" "${pkg}")
  endforeach()
  add_custom_command(OUTPUT ${outputs}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${outdir}
    COMMAND ${PG_PROTOC}
            --plugin=protoc-gen-parigot=${PG_PLUGIN}
            --parigot_out=lang=rust:${outdir} ${includes} ${P_PROTOS}
    DEPENDS ${inputs} ${PG_PLUGIN_DEPENDS}
    WORKING_DIRECTORY ${root}
    COMMENT "protoc-gen-parigot (Rust): ${P_PROTOS}" VERBATIM)
  set(${out_var} ${outputs} PARENT_SCOPE)
endfunction()

# The module name of one package part, as gen_rust.c writes it.
function(pg_rust_module_name part out)
  set(raw as async await become box break const continue do dyn else enum
      extern false final fn for if impl in let loop macro match mod move mut
      override priv pub ref return static struct trait true try type typeof
      unsafe unsized use virtual where while yield abstract)
  if(part IN_LIST raw)
    set(part "r#${part}")
  elseif(part MATCHES "^(self|super|crate|Self)$")
    set(part "${part}_")
  endif()
  set(${out} ${part} PARENT_SCOPE)
endfunction()

# Writes the tree of package modules for the .pg.rs files @p rs_files into
# @p path (only when it changes, so guests are not rebuilt for nothing).
function(pg_rust_protos_file path)
  set(entries)
  foreach(rs ${ARGN})
    get_property(pkg GLOBAL PROPERTY "PG_RUST_PACKAGE ${rs}")
    list(APPEND entries "${pkg}|${rs}")
  endforeach()
  list(SORT entries)
  string(CONCAT text
    "// Generated by pg_rust_guest(): the modules of every package the\n"
    "// guest uses, each including its generated .pg.rs files.\n")
  set(open)
  foreach(e ${entries})
    string(REPLACE "|" ";" parts "${e}")
    list(GET parts 0 pkg)
    list(GET parts 1 rs)
    if(pkg STREQUAL "")
      set(comps)
    else()
      string(REPLACE "." ";" comps "${pkg}")
    endif()
    # Close the modules this package does not share with the open ones.
    list(LENGTH open nopen)
    list(LENGTH comps ncomps)
    set(common 0)
    while(common LESS nopen AND common LESS ncomps)
      list(GET open ${common} a)
      list(GET comps ${common} b)
      if(NOT a STREQUAL b)
        break()
      endif()
      math(EXPR common "${common} + 1")
    endwhile()
    while(nopen GREATER common)
      math(EXPR nopen "${nopen} - 1")
      list(REMOVE_AT open ${nopen})
      string(APPEND text "}\n")
    endwhile()
    while(nopen LESS ncomps)
      list(GET comps ${nopen} c)
      pg_rust_module_name(${c} m)
      if(nopen EQUAL 0) # a guest uses only part of what is generated
        string(APPEND text "#[allow(dead_code, non_snake_case, "
               "non_camel_case_types, non_upper_case_globals)]\n")
      endif()
      string(APPEND text "pub mod ${m} {\n")
      list(APPEND open ${c})
      math(EXPR nopen "${nopen} + 1")
    endwhile()
    string(APPEND text "include!(\"${rs}\");\n")
  endforeach()
  list(LENGTH open nopen)
  while(nopen GREATER 0)
    math(EXPR nopen "${nopen} - 1")
    string(APPEND text "}\n")
  endwhile()
  file(GENERATE OUTPUT ${path} CONTENT "${text}")
endfunction()

# pg_rust_guest(NAME SOURCES main.rs... [PROTO_SOURCES gen.pg.rs...]
#               [OUTPUT_DIR dir] [COMMAND])
# Builds a parigot guest from Rust: the first source is the crate root
# (the others are its modules, listed for rebuilds), linked with the SDK
# crate `parigot`. The wasm lands in OUTPUT_DIR (default ${PG_GUEST_DIR})
# as NAME.wasm; target guest_NAME. A reactor: crt1-reactor's _initialize
# runs the constructors once, and --no-entry keeps wasm-ld from wrapping
# each export in a "command" that would run them again. With COMMAND it is
# a plain WASI program instead (a `main`, for `parigot exec`), which may
# use the SDK's protobuf code but not its event loop.
function(pg_rust_guest name)
  if(NOT PARIGOT_RUST)
    message(FATAL_ERROR "${name}: a Rust guest needs /usr/bin/rustc with "
            "the wasm32-wasi target (Debian: rustc libstd-rust-dev-wasm32)")
  endif()
  cmake_parse_arguments(G "COMMAND" "OUTPUT_DIR" "SOURCES;PROTO_SOURCES"
                        ${ARGN})
  if(NOT G_OUTPUT_DIR)
    set(G_OUTPUT_DIR ${PG_GUEST_DIR})
  endif()
  set(out ${G_OUTPUT_DIR}/${name}.wasm)
  set(srcs)
  foreach(s ${G_SOURCES})
    get_filename_component(s ${s} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND srcs ${s})
  endforeach()
  list(GET srcs 0 root)
  set(protos ${CMAKE_CURRENT_BINARY_DIR}/${name}-protos.rs)
  pg_rust_protos_file(${protos} ${G_PROTO_SOURCES})
  string(REPLACE "-" "_" crate ${name})
  set(kind --crate-type cdylib -C link-arg=--no-entry
      -C link-arg=${PG_RUST_REACTOR_CRT} -C link-arg=--export=_initialize)
  if(G_COMMAND)
    set(kind --crate-type bin)
  endif()
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${G_OUTPUT_DIR}
    COMMAND ${CMAKE_COMMAND} -E env PARIGOT_PROTOS=${protos}
            ${PG_RUSTC} ${PG_RUST_FLAGS} ${kind}
            --crate-name ${crate} -C lto -C strip=symbols
            --extern parigot=${PG_RUST_SDK_RLIB}
            -L dependency=${PG_RUST_SDK_DIR} -o ${out} ${root}
    DEPENDS ${srcs} ${G_PROTO_SOURCES} ${protos} ${PG_RUST_SDK_RLIB}
            ${PG_RUST_SDK_DEPENDS}
    COMMENT "parigot Rust guest ${name}.wasm" VERBATIM)
  add_custom_target(guest_${name} ALL DEPENDS ${out})
endfunction()

# The names a project using an installed parigot calls (docs/install.md).
macro(parigot_proto_rust)
  pg_proto_rust(${ARGV})
endmacro()
macro(parigot_rust_guest)
  pg_rust_guest(${ARGV})
endmacro()
