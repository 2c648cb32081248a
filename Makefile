# h2push: the only entry points a user needs. See README.md.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
CMAKE_FLAGS ?=

.PHONY: all deps build run test test-asan bench bench-peers bench-proxy bench-pageload bench-proxy-pageload fuzz format format-check clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# (GCC 12 reports false -Wmaybe-uninitialized under -fsanitize; warnings stay errors in the Release build.)
# Serves the built-in demo site on 8080 (HTTP/1.1, h2c) and 8443 (h2 over TLS, self-signed) until Ctrl-C.
# Other addresses: make run HTTP=127.0.0.1:9080 HTTPS=127.0.0.1:9443; a directory: make run DIR=/srv/www
HTTP ?= 127.0.0.1:8080
HTTPS ?= 127.0.0.1:8443
DIR ?=
run: deps build
	$(BUILD)/h2push serve $(DIR) --http $(HTTP) --https $(HTTPS)

test: deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# -O1 -g1 (line tables only): half the compile time of -O2 -g on 2 cores, and reports still name file and line.
$(ASAN_BUILD)/CMakeCache.txt:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
	  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DH2PUSH_SANITIZE=ON -DH2PUSH_BENCH=OFF \
	  -DH2PUSH_WERROR=OFF $(CMAKE_FLAGS)

test-asan: deps $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

bench: deps build
	@for b in $(BUILD)/bench/*_bench; do echo "== $$b"; $$b --benchmark_repetitions=5 \
	  --benchmark_report_aggregates_only=true || exit 1; done
	@scripts/bench-ratios $(BUILD)

# h2push against nghttpd, h2o and nginx under h2load on loopback (docs/benchmarks.md, "Against other servers").
# A short run: make bench-peers BENCH_PEERS_ARGS=--quick
BENCH_PEERS_ARGS ?=
bench-peers: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target h2push_cli
	bench/h2load-peers --h2push $(BUILD)/h2push $(BENCH_PEERS_ARGS)

# h2push proxy against nghttpx and h2o's proxy, in front of one nginx, under h2load (docs/benchmarks.md,
# "Reverse proxies"). A short run: make bench-proxy BENCH_PROXY_ARGS=--quick
BENCH_PROXY_ARGS ?=
bench-proxy: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target h2push_cli
	bench/proxy-peers --h2push $(BUILD)/h2push $(BENCH_PROXY_ARGS)

# The demo page pushed by h2push, nghttpd, h2o and nginx, loaded by `h2push pageload` over 20-300 ms x 2-100 Mbit/s
# (docs/results.md). One cell: make bench-pageload BENCH_PAGELOAD_ARGS="--rtt 100ms --bw 10mbit"
BENCH_PAGELOAD_ARGS ?=
bench-pageload: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target h2push_cli
	bench/pageload-peers --binary $(BUILD)/h2push --json $(BUILD)/pageload-peers.json \
	  --waterfall-dir $(BUILD)/pageload-peers-waterfalls $(BENCH_PAGELOAD_ARGS)

# Page loads of tests/interop/proxy_upstream_app.py (200 ms think time) directly and through h2push proxy with push
# off, learned hints and push, at 100 ms RTT / 10 Mbit/s (docs/results.md). Over TLS:
# make bench-proxy-pageload BENCH_PROXY_PAGELOAD_ARGS=--tls
BENCH_PROXY_PAGELOAD_ARGS ?=
bench-proxy-pageload: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target h2push_cli
	bench/proxy-pageload --binary $(BUILD)/h2push --json $(BUILD)/proxy-pageload.json $(BENCH_PROXY_PAGELOAD_ARGS)

$(FUZZ_BUILD)/CMakeCache.txt:
	CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DH2PUSH_FUZZ=ON \
	  -DH2PUSH_TESTS=OFF -DH2PUSH_BENCH=OFF $(CMAKE_FLAGS)

# Each fuzz target runs for FUZZ_SECONDS (default 60) from its seed corpus; a crash fails the run.
fuzz: deps $(FUZZ_BUILD)/CMakeCache.txt
	$(MAKE) -C $(FUZZ_BUILD)/fuzz -j $(JOBS)
	@scripts/run-fuzzers $(FUZZ_BUILD) $(FUZZ_SECONDS)

format:
	@git ls-files '*.cpp' '*.hpp' '*.h' | xargs clang-format -i

format-check:
	@git ls-files '*.cpp' '*.hpp' '*.h' | xargs clang-format --dry-run -Werror

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
