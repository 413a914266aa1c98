# Makefile: the front door. CMake + CTest do the work underneath.
#
#   make            build everything into build/
#   make run        install missing packages, build, run the flagship example
#   make test       install missing packages, build, run every test
#   make test-asan  the same tests in an ASan + UBSan build (build-asan/)
#   make bench      benchmarks; prints a table, writes build/bench/results.json
#   make docs       Doxygen HTML for include/parigot into build/docs/html

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_GEN  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all deps run test test-asan bench docs clean

all: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_GEN)

deps:
	@scripts/install-deps.sh

run: deps all
	$(BUILD)/bin/parigot exec $(BUILD)/guests/hello-wasi.wasm

test: deps all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# ASan must leave SIGSEGV to the engine: guard-page traps are SIGSEGVs that
# the engine turns into wasm traps (see kernel/wasm_rt.c).
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DPARIGOT_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=handle_segv=0:detect_leaks=1 \
	  UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

bench: deps all
	cmake --build $(BUILD) --target bench

docs: all
	cmake --build $(BUILD) --target docs

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
