# cmake/Install.cmake: what `make install` puts under PREFIX besides what
# each folder installs itself (the parigot command and its man pages in
# cmd/parigot, the guest SDKs in sdk/*). The layout (docs/install.md):
#   bin/                           parigot, protoc-gen-parigot, parigot-sqlc
#   include/parigot/               the public headers
#   lib/parigot/wasm32-wasi/       libparigot-guest.a, the C guest SDK
#   lib/parigot/rust/              libparigot.rlib, the Rust SDK crate
#   lib/cmake/parigot/             find_package(parigot)
#   share/parigot/rust/            the Rust SDK's source
#   share/parigot/assemblyscript/  the AssemblyScript package "parigot"
#   share/pkgconfig/               parigot-guest.pc
#   share/man/man1/                a page per command
include(CMakePackageConfigHelpers)

install(TARGETS protoc-gen-parigot parigot-sqlc DESTINATION bin)
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

# `make deb`: the same tree as a Debian package (CPack's DEB generator),
# installed under /usr. Depends: what the installed pieces run or call:
# the parigot command's libraries and the tools it runs (wasm2c, cc), and
# what find_package(parigot) builds guests with (clang, wasm-ld, wasi-libc
# and its compiler runtime, protoc, cmake, make). Rust and AssemblyScript
# guests are recommended extras, as in the tree.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME parigot)
set(CPACK_PACKAGE_VENDOR parigot)
set(CPACK_PACKAGE_CONTACT "parigot developers <parigot@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "microservices as WebAssembly guests, one process or many")
set(CPACK_PACKAGE_DESCRIPTION
    "parigot runs an app of services and programs, each a WebAssembly guest with protobuf interfaces, in one deterministic process or as units speaking gRPC and Connect. This package has the parigot command, protoc-gen-parigot, parigot-sqlc, the C guest SDK and its CMake and pkg-config files, and the Rust and AssemblyScript SDKs.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6, libcrypt1, libuv1, libnghttp2-14, libhttp-parser2.9, libprotobuf-c1, libsqlite3-0, wabt, gcc, clang, lld, wasi-libc, libclang-rt-14-dev-wasm32, libc++-dev-wasm32, protobuf-compiler, cmake, make")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "rustc, libstd-rust-dev-wasm32, nodejs, npm, pkg-config, graphviz")
set(CPACK_OUTPUT_FILE_PREFIX ${CMAKE_BINARY_DIR}/deb)
include(CPack)
