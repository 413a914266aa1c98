# cmake/Uninstall.cmake: `make uninstall`, run as
# cmake -DPG_MANIFEST=build/install_manifest.txt -P cmake/Uninstall.cmake.
# Removes every file the last `make install` wrote (the manifest lists
# them, DESTDIR included), then the folders of parigot's own that are left
# empty; never a folder it did not make, such as PREFIX/bin.
if(NOT EXISTS "${PG_MANIFEST}")
  message(FATAL_ERROR "uninstall: ${PG_MANIFEST} not found: nothing was "
          "installed from this build (make install writes it)")
endif()
file(STRINGS "${PG_MANIFEST}" files)
set(dirs)
foreach(f ${files})
  if(EXISTS "${f}" OR IS_SYMLINK "${f}")
    file(REMOVE "${f}")
    message(STATUS "removed ${f}")
  endif()
  # parigot's own folders: .../include/parigot, .../lib/parigot/...,
  # .../lib/cmake/parigot, .../share/parigot/...
  get_filename_component(d "${f}" DIRECTORY)
  while(d MATCHES "/parigot(/|$)")
    list(APPEND dirs "${d}")
    get_filename_component(d "${d}" DIRECTORY)
  endwhile()
endforeach()
list(REMOVE_DUPLICATES dirs)
# Deepest first, so that a parent is empty when its turn comes.
list(SORT dirs)
list(REVERSE dirs)
foreach(d ${dirs})
  file(GLOB left "${d}/*")
  if(IS_DIRECTORY "${d}" AND NOT left)
    file(REMOVE_RECURSE "${d}")
  endif()
endforeach()
