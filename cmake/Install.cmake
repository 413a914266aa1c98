# cmake/Install.cmake: what `make install` puts under PREFIX besides what
# each folder installs itself (the parigot command and its man pages in
# cmd/parigot, the guest SDKs in sdk/*). The layout (docs/install.md):
#   bin/                           parigot, protoc-gen-parigot
#   include/parigot/               the public headers
#   lib/parigot/wasm32-wasi/       libparigot-guest.a, the C guest SDK
#   lib/parigot/rust/              libparigot.rlib, the Rust SDK crate
#   lib/cmake/parigot/             find_package(parigot)
#   share/parigot/rust/            the Rust SDK's source
#   share/parigot/assemblyscript/  the AssemblyScript package "parigot"
#   share/pkgconfig/               parigot-guest.pc
#   share/man/man1/                a page per command
include(CMakePackageConfigHelpers)

install(TARGETS protoc-gen-parigot DESTINATION bin)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/parigot DESTINATION include
        FILES_MATCHING PATTERN "*.h")

set(pg_cfg ${CMAKE_BINARY_DIR}/cmake)
configure_file(${PROJECT_SOURCE_DIR}/cmake/parigotConfig.cmake.in
               ${pg_cfg}/parigotConfig.cmake @ONLY)
write_basic_package_version_file(${pg_cfg}/parigotConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${pg_cfg}/parigotConfig.cmake
              ${pg_cfg}/parigotConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/ParigotGuest.cmake
              ${PROJECT_SOURCE_DIR}/cmake/ParigotRust.cmake
              ${PROJECT_SOURCE_DIR}/cmake/ParigotAssemblyScript.cmake
        DESTINATION lib/cmake/parigot)

configure_file(${PROJECT_SOURCE_DIR}/cmake/parigot-guest.pc.in
               ${pg_cfg}/parigot-guest.pc @ONLY)
install(FILES ${pg_cfg}/parigot-guest.pc DESTINATION share/pkgconfig)
