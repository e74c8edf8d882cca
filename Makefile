# PostLab: two commands on a fresh Debian 12 machine.
#   make run    install what is missing, build, and open the first lesson
#   make test   install what is missing, build, and run every test
# Other targets: make deps | build | asan | golden | bench | clean

PRESET ?= $(if $(CI),ci,dev)
LESSON ?= scenarios/01-smtp-basic.json
DEBS := cmake ninja-build g++ pkg-config libimgui-dev libglfw3-dev nlohmann-json3-dev doctest-dev \
        libstb-dev libfreetype-dev fonts-dejavu-core libcli11-dev xvfb xauth

.PHONY: run test deps build asan golden bench clean

deps:
	@missing=""; \
	for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "PostLab needs these Debian packages:$$missing"; \
	    echo "Install them with:"; \
	    echo "  sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

build: deps
	cmake --preset $(PRESET)
	cmake --build --preset $(PRESET)

run: build
	@if [ -n "$$DISPLAY" ] || [ -n "$$WAYLAND_DISPLAY" ]; then \
	  ./build/bin/postlab $(LESSON); \
	else \
	  echo "No display found (DISPLAY and WAYLAND_DISPLAY are not set), so the window cannot open."; \
	  echo "Showing the lesson in the terminal instead:"; echo; \
	  ./build/bin/postlab-cli run $(LESSON); \
	fi

test: build
	ctest --preset $(PRESET)

# AddressSanitizer + UndefinedBehaviorSanitizer build of sim/ and its tests (no GUI), in build-asan/.
asan: deps
	cmake --preset asan
	cmake --build --preset asan
	ctest --preset asan

# Rewrite the golden transcripts after a deliberate change; review them with git diff.
golden: build
	POSTLAB_UPDATE_GOLDEN=1 ctest --preset $(PRESET) -R golden

# Performance figures (README's "Performance" section): release build, then the benchmarks, one figure
# per line. SimPy (Debian's python3-simpy) runs beside the event engine; without it that figure says
# skipped. `make bench BENCH_ARGS=--quick` runs small sizes in a few seconds.
BENCH_DEBS := python3-simpy
BENCH_ARGS ?=
bench: deps
	@missing=""; \
	for p in $(BENCH_DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "The SimPy comparison needs these Debian packages:$$missing (it is skipped without them)"; \
	    echo "Install them with:"; \
	    echo "  sudo apt-get install -y$$missing"; \
	  fi; \
	fi
	cmake --preset release
	cmake --build --preset release --target postlab-bench postlab-bench-window
	@echo "date: $$(date -u +%Y-%m-%d)"
	./build-release/bin/postlab-bench $(BENCH_ARGS)
	./build-release/bin/postlab-bench-window $(BENCH_ARGS)

clean:
	rm -rf build build-asan build-release
