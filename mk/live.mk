# mk/live.mk — live runs: every tool built as a module, run for real on real
# kernels in QEMU, its parsed records checked (docs/live.md).
#
#   make toolchains     the stap toolchains the live runs use (cached)
#   make live           fetch, build, boot and check every kernel of LIVE_KERNELS;
#                       adds the live columns to out/validation/matrix.{md,json}
#   make live-lint      check every spec's live: section (no kernel needed)
#   make bench-overhead generated tools vs the seeds' hand-written scripts, same guest
#
# Knobs:
# ENTRY:TOOLCHAIN pairs, by default the kernel rows of mk/matrix.list (each
# with the toolchain that builds its modules).  host = this machine's stap
# (+ the runtime patch where the kernel needs it), sid = Debian sid's stap
# 5.6 in a chroot.
MATRIX_LIVE := $(call matrix_rows,kernel,$$2 ":" $$3)
LIVE_KERNELS ?= $(MATRIX_LIVE)
# seconds before a guest counts as hung (it is killed and reported)
LIVE_TIMEOUT ?= 900
# only these tools (comma-separated); default all
LIVE_TOOLS ?=
# Kernels (shell patterns of releases) whose modules are built on their
# headers-only tree when the script needs no debuginfo, as a host without
# debuginfo builds them; the other kernels' on the full tree (DWARF).
LIVE_HEADERS_ONLY ?= 6.1.*|6.12.*
# LIVE_REPEAT=N: each selected test N times in one guest (flake hunting)
LIVE_REPEAT ?=
LIVE_PY := /usr/bin/python3 tests/live/live.py
LIVE_DEB_PKGS := qemu-system-x86 busybox-static debootstrap cpio kmod python3 python3-yaml systemtap-sdt-dev systemtap-doc

.PHONY: live live-deps live-lint check-live-unit toolchains bench-overhead

live-deps:
	@./scripts/deps.sh $(LIVE_DEB_PKGS)

toolchains: live-deps
	@set -e; for e in $(LIVE_KERNELS); do k=$${e%%:*} t=$${e##*:}; \
		kv=$$(./scripts/fetch-kernel.sh "$$k" | tail -n1); \
		./scripts/live/toolchain.sh ensure "$$t" "$$kv"; \
		./scripts/live/toolchain.sh sysdir "$$t" "$$kv" >/dev/null; \
		echo "toolchains: $$kv: $$(./scripts/live/toolchain.sh id "$$t" "$$kv")"; done

live-lint:
	@./scripts/deps.sh python3 python3-yaml
	@$(LIVE_PY) lint

# the checker's own tests and every spec's live: section, no kernel needed
check-live-unit: live-lint
	@/usr/bin/python3 tests/live/test_live.py

# One boot per kernel; all kernels run even if one fails; the matrix is
# rewritten with the live columns; the exit status says whether all passed.
# The kernels are fetched one at a time, then LIVE_PARALLEL of them run at
# once: one kernel's modules build while another's guest runs.  Builds and
# guests share one CPU slot per core (live.py's cpu_slot), so a guest never
# runs on a busier machine than it would alone.
LIVE_PARALLEL ?= 2
live: $(STAPGEN) live-deps
	@rc=0; runs=; for e in $(LIVE_KERNELS); do k=$${e%%:*} t=$${e##*:}; \
		kv=$$(./scripts/fetch-kernel.sh "$$k" | tail -n1) || { rc=1; continue; }; \
		runs="$$runs $$kv:$$t"; \
	done; \
	[ -z "$$runs" ] || printf '%s\n' $$runs | xargs -P $(LIVE_PARALLEL) -I{} sh -c 'e=$$1; \
		exec $(LIVE_PY) run --kver "$${e%:*}" --toolchain "$${e##*:}" --timeout $(LIVE_TIMEOUT) \
			$(if $(LIVE_TOOLS),--tools $(LIVE_TOOLS)) $(if $(LIVE_REPEAT),--repeat $(LIVE_REPEAT)) \
			$$(case "$${e%:*}" in ($(LIVE_HEADERS_ONLY)) echo --headers-only ;; esac)' sh {} || rc=1; \
	if [ -n "$$(cat $(GEN_TOOLS_FILES) 2>/dev/null)" ]; then $(MAKE) --no-print-directory validate-matrix || rc=1; fi; \
	exit $$rc

# The generated tools against the hand-written scripts they replace (the
# seeds', tests/live/bench/, and SystemTap's examples from systemtap-doc),
# same guest, same workload, on the first LIVE_KERNELS entry:
# out/live/<KVER>-bench/overhead.md, and docs/overhead.tsv for the doc pages
# and the matrix.  BENCH_ONLY=a,b: those families alone.  About 16 minutes
# for all of them: 173 runs of 3 s each, with module loads, in one guest.
BENCH_TIMEOUT ?= 2400
bench-overhead: $(STAPGEN) live-deps
	@e=$(firstword $(LIVE_KERNELS)); k=$${e%%:*} t=$${e##*:}; \
	kv=$$(./scripts/fetch-kernel.sh "$$k" | tail -n1) && \
	$(LIVE_PY) run --bench --kver "$$kv" --toolchain "$$t" --timeout $(BENCH_TIMEOUT)
