# Makefile: the front door. CMake + CTest do the work underneath.
#
#   make            build everything into build/
#   make run        install missing packages, build, run the flagship example
#   make test       install missing packages, build, run every test
#   make test-asan  the same tests in an ASan + UBSan build (build-asan/)
#   make test-fuzz  the protobuf decoder under libFuzzer for FUZZ_TIME seconds
#   make bench      benchmarks; prints a table, writes build/bench/results.json
#   make docs       the docs site (guides; C, Rust, AS API) in build/docs/html
#   make install    installs parigot under PREFIX (default /usr/local;
#                   DESTDIR is honoured); make uninstall removes it again
#   make deb        the same as a Debian package in build/deb/
#   make format     applies the repo's .clang-format to every C source
#                   (make test fails on a file that is not formatted)

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME  ?= 60
JOBS       ?= $(shell nproc)
PREFIX     ?= /usr/local
CMAKE_GEN  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all deps run test test-asan test-fuzz bench docs install uninstall deb \
        format clean

all: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# A fresh clone with packages missing gets one line naming them and the
# command that installs them, not a CMake error.
$(BUILD)/CMakeCache.txt:
	@scripts/install-deps.sh --check
	cmake -S . -B $(BUILD) $(CMAKE_GEN)

deps:
	@scripts/install-deps.sh

run: deps all
	$(BUILD)/bin/parigot run $(BUILD)/examples/helloworld/helloworld.toml

test: deps all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# ASan must leave SIGSEGV to the engine: guard-page traps are SIGSEGVs that
# the engine turns into wasm traps (see kernel/engine/wasm_rt.c).
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DPARIGOT_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=handle_segv=0:detect_leaks=1 \
	  UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

# The corpus starts from messages of the round-trip tests (pg-proto-tool)
# and keeps what libFuzzer finds in $(FUZZ_BUILD)/corpus between runs.
test-fuzz: deps all
	cmake -S . -B $(FUZZ_BUILD) $(CMAKE_GEN) -DCMAKE_C_COMPILER=clang \
	  -DPARIGOT_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target pg-fuzz-decode
	rm -rf $(FUZZ_BUILD)/seeds && mkdir -p $(FUZZ_BUILD)/seeds $(FUZZ_BUILD)/corpus
	$(BUILD)/tests/pg-proto-tool gen parigot.test.v1.Batch 1 400 $(FUZZ_BUILD)/seeds.bin
	$(BUILD)/tests/pg-proto-tool corpus parigot.test.v1.Batch \
	  $(FUZZ_BUILD)/seeds.bin $(FUZZ_BUILD)/seeds
	ASAN_OPTIONS=detect_leaks=1 $(FUZZ_BUILD)/tests/pg-fuzz-decode \
	  -max_total_time=$(FUZZ_TIME) -rss_limit_mb=4096 -print_final_stats=1 \
	  -artifact_prefix=$(FUZZ_BUILD)/ \
	  $(FUZZ_BUILD)/corpus $(FUZZ_BUILD)/seeds

bench: deps all
	cmake --build $(BUILD) --target bench

docs: deps all
	cmake --build $(BUILD) --target docs

# cmake --install reads DESTDIR from the environment; make passes a
# DESTDIR given on its command line there. The list of what was installed
# is kept apart from CMake's install_manifest.txt, which any other
# cmake --install of this build (a test's) overwrites.
install: all
	cmake --install $(BUILD) --prefix $(PREFIX)
	cp $(BUILD)/install_manifest.txt $(BUILD)/installed-files.txt

uninstall:
	cmake -DPG_MANIFEST=$(BUILD)/installed-files.txt \
	  -DPG_PREFIX=$(DESTDIR)$(PREFIX) -P cmake/Uninstall.cmake

deb: all
	cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

format:
	scripts/format.sh
