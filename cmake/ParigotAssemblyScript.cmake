# cmake/ParigotAssemblyScript.cmake: AssemblyScript guests (issue 7).
#
# pg_proto_as() generates .pg.ts files with protoc-gen-parigot;
# pg_as_guest() compiles a guest with the AssemblyScript compiler (asc,
# pinned in tools/npm/package.json) and the SDK in sdk/assemblyscript.
#
# Imports, in a guest's .ts files:
#   import { Call, guest } from "parigot";            // the SDK
#   import { Greeting } from "greeting/v1/greeting.pg"; // generated code
#   export * from "parigot/exports";                 // entry file only
# Both resolve through asc --path: the SDK folder holds the package
# "parigot", and each pg_proto_as() output folder holds one package per
# top folder of the proto paths, so a .proto file is imported by its path,
# as C includes "greeting/v1/greeting.pg.h". Generated files import each
# other by relative path.
#
# This file is also a cmake -P script (the branch below): it runs asc and
# fails when asc printed a warning, which asc itself cannot do.

if(CMAKE_SCRIPT_MODE_FILE)
  # cmake -DPG_ASC_ARGS=<arguments separated by |> -DPG_ASC_OUT=<wasm>
  #       -P this file; a failed build leaves no wasm, so it is retried.
  string(REPLACE "|" ";" args "${PG_ASC_ARGS}")
  execute_process(COMMAND ${args}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(out OR err)
    message("${out}${err}")
  endif()
  if(NOT rc EQUAL 0)
    file(REMOVE ${PG_ASC_OUT})
    message(FATAL_ERROR "asc failed (${rc})")
  endif()
  if("${out}${err}" MATCHES "WARNING")
    file(REMOVE ${PG_ASC_OUT})
    message(FATAL_ERROR "asc printed warnings: they fail the build")
  endif()
  return()
endif()

# The includer says where the SDK package is (PG_SDK_AS_DIR, the folder
# that holds parigot/), where asc may be (PG_ASC_HINTS, folders; else PATH)
# and PG_PLUGIN / PG_PLUGIN_DEPENDS as for ParigotGuest.cmake. Without asc
# (or node to run it) this file says so in one line and sets
# PARIGOT_ASSEMBLYSCRIPT to OFF.
find_program(PG_ASC asc HINTS ${PG_ASC_HINTS})
find_program(PG_NODE_FOR_ASC NAMES node nodejs)
if(PG_ASC AND PG_NODE_FOR_ASC)
  set(PARIGOT_ASSEMBLYSCRIPT ON)
else()
  set(PARIGOT_ASSEMBLYSCRIPT OFF)
  if(NOT PG_OPTIONAL_QUIET)
    message(STATUS "parigot: AssemblyScript guests off: no asc${PG_ASC_WHERE}"
            " (and Node.js to run it)")
  endif()
endif()
file(GLOB PG_SDK_AS_SOURCES ${PG_SDK_AS_DIR}/parigot/*.ts)
set(PG_AS_SCRIPT ${CMAKE_CURRENT_LIST_FILE})

# pg_proto_as(OUT_VAR ROOT dir PROTOS a/b.proto... [IMPORTS dir...]
#             [OUT_DIR dir])
# Runs protoc with protoc-gen-parigot (lang=assemblyscript) on the .proto
# files (paths as they are imported, found under ROOT or an IMPORTS
# folder) and sets OUT_VAR to the generated .pg.ts files, which land under
# ${CMAKE_BINARY_DIR}/gen-as/<ROOT relative to the source tree>. List the
# files a proto imports too: generated files import each other by
# relative path within that folder. OUT_DIR puts them elsewhere (when two
# folders of the project generate the same files). PG_PROTO_AS_DIR_<OUT_VAR>
# is the folder, which pg_as_guest() passes to asc --path.
function(pg_proto_as out_var)
  cmake_parse_arguments(P "" "ROOT;OUT_DIR" "PROTOS;IMPORTS" ${ARGN})
  get_filename_component(root ${P_ROOT} ABSOLUTE BASE_DIR
                         ${CMAKE_CURRENT_SOURCE_DIR})
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${root})
  set(outdir ${CMAKE_BINARY_DIR}/gen-as/${rel})
  if(P_OUT_DIR)
    set(outdir ${P_OUT_DIR})
  endif()
  set(dirs ${root})
  set(includes -I${root})
  foreach(dir ${P_IMPORTS})
    get_filename_component(dir ${dir} ABSOLUTE BASE_DIR
                           ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND dirs ${dir})
    list(APPEND includes -I${dir})
  endforeach()
  set(outputs)
  set(inputs)
  foreach(proto ${P_PROTOS})
    string(REGEX REPLACE "\\.proto$" "" stem ${proto})
    list(APPEND outputs ${outdir}/${stem}.pg.ts)
    set(found)
    foreach(dir ${dirs})
      # pg_sqlc() makes its .proto at build time: it is there by then.
      get_property(sqlc GLOBAL PROPERTY "PG_SQLC_PACKAGE ${dir}/${proto}")
      if(NOT found AND (EXISTS ${dir}/${proto} OR sqlc))
        set(found ${dir}/${proto})
      endif()
    endforeach()
    if(NOT found)
      message(FATAL_ERROR "pg_proto_as: ${proto} is in neither ROOT nor "
                          "IMPORTS")
    endif()
    list(APPEND inputs ${found})
  endforeach()
  add_custom_command(OUTPUT ${outputs}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${outdir}
    COMMAND ${PG_PROTOC}
            --plugin=protoc-gen-parigot=${PG_PLUGIN}
            --parigot_out=lang=assemblyscript:${outdir} ${includes}
            ${P_PROTOS}
    DEPENDS ${inputs} ${PG_PLUGIN_DEPENDS}
    WORKING_DIRECTORY ${root}
    COMMENT "protoc-gen-parigot (AssemblyScript): ${P_PROTOS}" VERBATIM)
  set_property(GLOBAL APPEND PROPERTY PG_AS_GEN_DIRS ${outdir})
  set(${out_var} ${outputs} PARENT_SCOPE)
  set(PG_PROTO_AS_DIR_${out_var} ${outdir} PARENT_SCOPE)
endfunction()

# pg_as_guest(NAME SOURCES entry.ts [more.ts...] [PROTO_SOURCES gen.pg.ts...]
#             [OUTPUT_DIR dir])
# Compiles an AssemblyScript guest: the first of SOURCES is the entry file
# (it must `export * from "parigot/exports"`), the others are what it
# imports (listed so a change rebuilds it). PROTO_SOURCES are outputs of
# pg_proto_as(). The wasm lands in OUTPUT_DIR (default ${PG_GUEST_DIR}) as
# NAME.wasm; target guest_NAME. Built with -O3 and the minimal runtime,
# whose collector the SDK runs between events (sdk/assemblyscript/parigot/
# guest.ts says why), its allocator behind the SDK's cache of freed
# blocks (the two --use __alloc/__free: parigot/alloc.ts says why);
# _initialize is the module's start, so top-level code runs when the
# kernel calls it, not at instantiation; abort goes to the SDK (a log
# line, then a trap) instead of an env import.
function(pg_as_guest name)
  if(NOT PARIGOT_ASSEMBLYSCRIPT)
    message(FATAL_ERROR "${name}: an AssemblyScript guest needs asc"
            "${PG_ASC_WHERE} and Node.js")
  endif()
  cmake_parse_arguments(G "" "OUTPUT_DIR" "SOURCES;PROTO_SOURCES" ${ARGN})
  if(NOT G_OUTPUT_DIR)
    set(G_OUTPUT_DIR ${PG_GUEST_DIR})
  endif()
  set(out ${G_OUTPUT_DIR}/${name}.wasm)
  set(srcs)
  foreach(s ${G_SOURCES})
    get_filename_component(s ${s} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND srcs ${s})
  endforeach()
  list(GET srcs 0 entry)
  set(paths --path ${PG_SDK_AS_DIR})
  get_property(gen_dirs GLOBAL PROPERTY PG_AS_GEN_DIRS)
  set(used)
  foreach(f ${G_PROTO_SOURCES})
    foreach(dir ${gen_dirs})
      string(FIND "${f}" "${dir}/" at)
      if(at EQUAL 0 AND NOT dir IN_LIST used)
        list(APPEND used ${dir})
        list(APPEND paths --path ${dir})
      endif()
    endforeach()
  endforeach()
  set(asc ${PG_ASC} ${entry} ${paths} -O3 --noColors --runtime minimal
          --exportStart _initialize
          --use abort=~lib/parigot/guest/abortHandler
          --use __alloc=~lib/parigot/alloc/cachedAlloc
          --use __free=~lib/parigot/alloc/cachedFree
          -o ${out})
  string(REPLACE ";" "|" asc_list "${asc}")
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${G_OUTPUT_DIR}
    COMMAND ${CMAKE_COMMAND} "-DPG_ASC_ARGS=${asc_list}" -DPG_ASC_OUT=${out}
            -P ${PG_AS_SCRIPT}
    DEPENDS ${srcs} ${G_PROTO_SOURCES} ${PG_SDK_AS_SOURCES} ${PG_AS_SCRIPT}
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
    COMMENT "AssemblyScript guest ${name}.wasm" VERBATIM)
  add_custom_target(guest_${name} ALL DEPENDS ${out})
endfunction()

# The names a project using an installed parigot calls (docs/install.md).
macro(parigot_proto_as)
  pg_proto_as(${ARGV})
endmacro()
macro(parigot_as_guest)
  pg_as_guest(${ARGV})
endmacro()
