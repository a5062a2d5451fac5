# Entry points only: `make run`, `make test`, `make bench`, `make fuzz`.
SWIFT ?= swift
APT_PACKAGES := libavformat-dev libavcodec-dev libavfilter-dev libswscale-dev libswresample-dev libavutil-dev libsqlite3-dev zlib1g-dev pkg-config
# Tests and benchmarks use the ffmpeg/ffprobe programs as an independent reference only;
# headless Chromium (driven by selenium) plays the watch page; the catalog tests start a throwaway
# PostgreSQL cluster (Debian's postgresql; openssl makes its certificate for the TLS test) and
# simulate hosts with network namespaces (iproute2); the daemon tests find workers with pgrep (procps);
# schemathesis (PyPI) fuzzes the HTTP API from its OpenAPI document; Video.js (PyPI's js.videojs) plays
# titles over Media Source Extensions from another origin; GStreamer's dashdemux plays the DASH
# manifests; PyJWT (python3-jwt) signs playback tokens as a platform would; pycaption (PyPI) reads
# subtitle files as an independent reader; wrk and nginx for the
# serving benchmark.
TEST_PACKAGES := ffmpeg chromium chromium-driver python3-selenium postgresql iproute2 openssl procps \
	gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav python3-jwt python3-cryptography \
	python3-tuspy
BENCH_PACKAGES := ffmpeg time wrk nginx
ROOT ?= vault
HTTP ?= 127.0.0.1:8080

.PHONY: run test bench fuzz deps build

define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

deps:
	$(call apt_install,$(APT_PACKAGES))

build: deps
	$(SWIFT) build -c release

# The daemon on the embedded defaults: vault ./vault (catalog ./vault/catalog.sqlite), HTTP on
# 127.0.0.1:8080. It prints the ingest folder and the URL to open; Ctrl-C stops it gracefully.
run: build
	.build/release/streamvault serve --root $(ROOT) --http $(HTTP)

test: deps
	$(call apt_install,$(TEST_PACKAGES))
	@for p in schemathesis js.videojs pycaption; do python3 -m pip show $$p >/dev/null 2>&1 || python3 -m pip install --quiet $$p \
		|| python3 -m pip install --quiet --break-system-packages $$p; done
	$(SWIFT) build --build-tests
	# The catalog tests (each on SQLite and on PostgreSQL) and the delivery tests run in a process
	# of their own: the synchronous end-to-end tests would hold Swift's cooperative threads (two
	# on two cores) for minutes, and the PostgreSQL store's requests give up after a deadline, as
	# do the delivery tests' live HTTP clients.
	$(SWIFT) test --skip-build --filter '^(CatalogTests|DeliveryTests)\.'
	$(SWIFT) test --skip-build --skip '^(CatalogTests|DeliveryTests)\.'

bench: build
	$(call apt_install,$(BENCH_PACKAGES))
	bench/ladder.sh
	python3 bench/chunks.py
	bench/serve.sh
	bench/claims.sh
	bench/encryption.sh
	bench/uploads.sh

# libFuzzer (with AddressSanitizer) on the pure parsers, SECONDS seconds per target (60).
fuzz:
	Fuzz/run.sh
