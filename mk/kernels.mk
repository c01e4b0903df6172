# mk/kernels.mk — the kernel matrix: `make kernels`, `make validate`.
# Included from the top-level Makefile (uses its STAPGEN and SPECS).
# How it works and what it costs: docs/kernels.md.
#
#   make kernels            fetch + assemble every kernel in KERNELS (cached)
#   make validate           stap -p2 every tool on every fetched kernel, stap -p1
#                           on every release in P1_KVERS; writes
#                           out/validation/matrix.{md,json}; fails if a tool
#                           fails on a kernel its spec does not declare unsupported
#   make validate-clean     forget the cell results (next validate re-runs all)
#   make kernels-prune      delete cached kernels no longer in KERNELS
#
# Knobs (make VAR=... or environment):
STAPGEN_CACHE ?= $(HOME)/.cache/stapgen
export STAPGEN_CACHE
# Debian -dbg meta packages (resolved through apt at `make kernels` time) or
# exact releases (6.1.0-56-cloud-amd64); SUITE/ in front resolves the entry in
# that Debian suite through a private apt configuration (scripts/fetch-kernel.sh),
# without it the host's apt (bookworm) is asked.  The four lines a Debian user
# lives in: 5.10 (bullseye), 6.1 (bookworm), 6.12 (bookworm-security, trixie's
# kernel), 7.2 (sid).
KERNELS ?= bullseye/linux-image-cloud-amd64-dbg linux-image-cloud-amd64-dbg \
	linux-image-6.12-cloud-amd64-dbg sid/linux-image-cloud-amd64-dbg
# Releases we cannot fetch: their scripts must at least pass stap -p1.
P1_KVERS ?= 3.10.0-957.el7.x86_64 4.18.0-553.el8_10.x86_64 5.14.0-503.11.1.el9_5.x86_64
# Other staps to run the -p2 cells with, besides the host's (toolchains of
# scripts/live/toolchain.sh: sid = Debian sid's stap 5.6, bullseye =
# bullseye's 4.4, the oldest reachable here; each a chroot built once into
# the cache).  Their cells are columns <release>@<toolchain>.
VALIDATE_TOOLCHAINS ?= sid bullseye
# The releases (make patterns) a toolchain's column is run for; unset: all.
# Stap 4.4 is bullseye's (5.10).  On 6.1 its type and tracepoint query
# modules have no MODULE_LICENSE(), which 6.1's modpost refuses: every
# @cast(..., "kernel<...>") fails, in 6+ tools' tapsets (docs/kernels.md);
# VALIDATE_KVERS_bullseye='5.10.% 6.1.%' shows it.
VALIDATE_KVERS_bullseye ?= 5.10.%
# Releases (make patterns) the host's stap does not run -p2 cells for: stap
# 4.8 cannot build its kernel type and tracepoint query modules against 7.x
# headers (every @cast(..., "kernel<...>") and kernel.trace fails), and
# 7.x's own release ships stap 5.6 (the sid toolchain).
VALIDATE_HOST_SKIP ?= 7.%
# (release, stap) pairs (make patterns RELEASE@TOOLCHAIN, host = the host's
# stap) that also get a headers-only -p2 column: the tree without vmlinux and
# module debuginfo, as most hosts have it (fetch-kernel.sh assembles one per
# kernel).  A failure there is an expected gap (status "gap", not a FAIL of
# validate) unless the script says "Kernel debuginfo: not needed".  Each pair
# costs a tracepoint-cache priming (~1.5 min) plus its cells: 6.1 with
# bookworm's stap and 6.12 with sid's by default (docs/kernels.md).
VALIDATE_HEADERS_ONLY ?= 6.1.%@host 6.12.%@sid
# Parallel stap processes; default min(nproc, MemAvailable / 600 MB).
VALIDATE_JOBS ?=
# Extra stap options for every cell (e.g. -DMAXACTION=10000), and a per-cell
# time limit in seconds.
VALIDATE_STAP_FLAGS ?=
VALIDATE_TIMEOUT ?= 600
# VALIDATE_NO_RETRY=1: do not run a failing cell a second time (docs/kernels.md)
export VALIDATE_STAP_FLAGS VALIDATE_TIMEOUT VALIDATE_TOTAL

VDIR := out/validation
KCACHE := $(STAPGEN_CACHE)/kernels
export KCACHE

# The release a KERNELS entry stands for: a meta package through the link
# fetch-kernel.sh leaves in $(KCACHE)/by-meta/ (no apt call, so validate stays
# fast and offline), an exact release as itself.
kver_of = $(if $(filter linux-image-%,$(notdir $(1))),$(notdir $(realpath $(KCACHE)/by-meta/$(1))),$(1))
FIXTURE_KVERS = $(foreach k,$(KERNELS),$(call kver_of,$(k)))
HOST_KVERS = $(filter-out $(VALIDATE_HOST_SKIP),$(FIXTURE_KVERS))
# the releases toolchain $(1) has a column for
tc_kvers = $(if $(VALIDATE_KVERS_$(1)),$(filter $(VALIDATE_KVERS_$(1)),$(FIXTURE_KVERS)),$(FIXTURE_KVERS))
# the headers-only pairs, as RELEASE@TOOLCHAIN
HO_PAIRS = $(filter $(VALIDATE_HEADERS_ONLY),$(addsuffix @host,$(HOST_KVERS)) \
	$(foreach t,$(VALIDATE_TOOLCHAINS),$(addsuffix @$(t),$(call tc_kvers,$(t)))))
ho_kver = $(firstword $(subst @, ,$(1)))
ho_tc = $(lastword $(subst @, ,$(1)))
# its cell directory: RELEASE@headers-only (host), RELEASE@sid@headers-only
ho_col = $(call ho_kver,$(1))$(if $(filter host,$(call ho_tc,$(1))),,@$(call ho_tc,$(1)))@headers-only
# entries whose tree is not ready (never fetched, fetch interrupted, or its
# tracepoint cache primed by other code: toolchain.sh's PRIME_FORMAT)
PRIME_FORMAT := $(shell sed -n 's/^PRIME_FORMAT=//p' scripts/live/toolchain.sh)
KERNELS_MISSING = $(foreach k,$(KERNELS),$(if $(shell grep -sx 'prime=$(PRIME_FORMAT)' $(KCACHE)/$(call kver_of,$(k))/.stapgen-primed),,$(k)))
STAP_BIN := $(firstword $(wildcard $(addsuffix /stap,$(subst :, ,$(PATH)))))

.PHONY: kernels kernels-prune validate validate-clean _validate _validate-cells check-validate-unit

# ---- fixtures ----------------------------------------------------------------
kernels: $(addprefix kernel-fetch/,$(KERNELS))
	@echo "kernels: ready: $(foreach k,$(KERNELS),$(KCACHE)/$(call kver_of,$(k))/build)"
kernel-fetch/%:
	@./scripts/fetch-kernel.sh "$*" >/dev/null

# ---- validation ----------------------------------------------------------------
# Three make passes: (1) fetch what is missing, (2) generate every script for
# every release (only changed files get new mtimes), (3) one target per cell,
# run in parallel, re-run only when its script, its kernel tree or stap
# changed.  Then the matrix, always; the exit status comes last.
validate: $(STAPGEN) $(if $(VALIDATE_TOOLCHAINS),live-deps)
	@$(if $(KERNELS_MISSING),set -e; for k in $(KERNELS_MISSING); do ./scripts/fetch-kernel.sh "$$k" >/dev/null; done)
	@$(MAKE) --no-print-directory _validate

_validate:
	@rc=0; ./scripts/validate-gen.sh $(STAPGEN) $(VDIR)/gen "$(FIXTURE_KVERS) $(P1_KVERS)" $(SPECS) || rc=1; \
	jobs='$(VALIDATE_JOBS)'; \
	[ -n "$$jobs" ] || jobs=$$(awk -v n=$$(nproc) '/^MemAvailable:/ { j = int($$2 / 614400); \
		if (j > n) j = n; if (j < 1) j = 1; print j }' /proc/meminfo); \
	if $(MAKE) --no-print-directory -q _validate-cells; then echo "validate: all cells up to date"; else \
		n=$$($(MAKE) --no-print-directory -n _validate-cells | grep -c 'validate-cell\.sh'); \
		echo "validate: $$n cell(s) to run, $$jobs job(s)"; \
		mkdir -p $(VDIR); echo 0 >$(VDIR)/.progress; \
		$(MAKE) --no-print-directory -j$$jobs _validate-cells VALIDATE_TOTAL=$$n || rc=1; \
	fi; \
	tools=$$(cat $(GEN_TOOLS_FILES)); \
	./scripts/validate-matrix.sh $(VDIR) "$(MATRIX_COLUMNS)" "$$tools" || rc=1; \
	exit $$rc

# Matrix columns: p2 with each stap, p1, and the live runs that have results.
MATRIX_COLUMNS = $(foreach k,$(FIXTURE_KVERS),$(if $(filter $(k),$(HOST_KVERS)),p2:$(k)) \
		$(foreach t,$(VALIDATE_TOOLCHAINS),$(if $(filter $(k),$(call tc_kvers,$(t))),p2:$(k)@$(t)))) \
	$(foreach p,$(HO_PAIRS),ho:$(call ho_col,$(p))) \
	$(addprefix p1:,$(P1_KVERS)) \
	$(foreach k,$(FIXTURE_KVERS),$(if $(wildcard $(VDIR)/cells/$(k)@live/.done),live:$(k)@live))
validate-matrix:
	@tools=$$(cat $(GEN_TOOLS_FILES)); ./scripts/validate-matrix.sh $(VDIR) "$(MATRIX_COLUMNS)" "$$tools"

# ---- one rule per cell (evaluated in pass 3, after generation) ---------------
GEN_TOOLS_FILES = $(foreach k,$(FIXTURE_KVERS) $(P1_KVERS),$(VDIR)/gen/$(k)/.tools)
VALIDATE_TOOLS = $(sort $(shell cat $(GEN_TOOLS_FILES) 2>/dev/null))
cell_script = $(wildcard $(VDIR)/gen/$(1)/$(2).stp $(VDIR)/gen/$(1)/$(2).unsupported)

# $(1) mode, $(2) release, $(3) tool, $(4) stap -r tree, $(5) its ready stamp,
# $(6) SYSTEMTAP_DIR
define cell_rule
$(VDIR)/cells/$(2)/$(3).rec: $(call cell_script,$(2),$(3)) $(5) $(STAP_BIN) scripts/validate-cell.sh
	@VALIDATE_PROGRESS=$(VDIR)/.progress ./scripts/validate-cell.sh $(1) $(2) $(3) $(VDIR)/gen/$(2) $(4) $(6) $(VDIR)/cells/$(2)/$(3)
_validate-cells: $(VDIR)/cells/$(2)/$(3).rec
endef

# $(1) release, $(2) tool, $(3) toolchain: stap -p2 with that toolchain's stap,
# against the same script and tree; its tracepoint cache is primed first.
define tc_cell_rule
$(VDIR)/cells/$(1)@$(3)/$(2).rec: $(call cell_script,$(1),$(2)) $(KCACHE)/$(1)/stap-$(3)/.stapgen-primed scripts/validate-cell.sh
	@VALIDATE_TOOLCHAIN=$(3) VALIDATE_PROGRESS=$(VDIR)/.progress ./scripts/validate-cell.sh p2 $(1) $(2) $(VDIR)/gen/$(1) $(KCACHE)/$(1)/build $(KCACHE)/$(1)/stap-$(3) $(VDIR)/cells/$(1)@$(3)/$(2)
_validate-cells: $(VDIR)/cells/$(1)@$(3)/$(2).rec
endef

# $(1) RELEASE@TOOLCHAIN: stap -p2 on the headers-only tree, its own cache
define ho_cell_rule
$(VDIR)/cells/$(call ho_col,$(1))/$(2).rec: $(call cell_script,$(call ho_kver,$(1)),$(2)) $(KCACHE)/$(call ho_kver,$(1))/headers-only/stap-$(call ho_tc,$(1))/.stapgen-primed scripts/validate-cell.sh
	@VALIDATE_TREE=headers-only VALIDATE_TOOLCHAIN=$(call ho_tc,$(1)) VALIDATE_PROGRESS=$(VDIR)/.progress ./scripts/validate-cell.sh p2 $(call ho_kver,$(1)) $(2) $(VDIR)/gen/$(call ho_kver,$(1)) $(KCACHE)/$(call ho_kver,$(1))/headers-only/build $(KCACHE)/$(call ho_kver,$(1))/headers-only/stap-$(call ho_tc,$(1)) $(VDIR)/cells/$(call ho_col,$(1))/$(2)
_validate-cells: $(VDIR)/cells/$(call ho_col,$(1))/$(2).rec
endef
define ho_prime_rule
$(KCACHE)/$(call ho_kver,$(1))/headers-only/stap-$(call ho_tc,$(1))/.stapgen-primed:
	@STAPGEN_TREE=headers-only ./scripts/live/toolchain.sh sysdir $(call ho_tc,$(1)) $(call ho_kver,$(1)) >/dev/null
endef

ifneq ($(filter _validate-cells,$(MAKECMDGOALS)),)
$(foreach p,$(HO_PAIRS),$(eval $(call ho_prime_rule,$(p)))$(foreach t,$(VALIDATE_TOOLS),$(eval $(call ho_cell_rule,$(p),$(t)))))
$(foreach k,$(HOST_KVERS),$(foreach t,$(VALIDATE_TOOLS),$(eval \
	$(call cell_rule,p2,$(k),$(t),$(KCACHE)/$(k)/build,$(KCACHE)/$(k)/.stapgen-primed,$(KCACHE)/$(k)/stap))))
$(foreach c,$(VALIDATE_TOOLCHAINS),$(foreach k,$(call tc_kvers,$(c)),$(foreach t,$(VALIDATE_TOOLS),$(eval \
	$(call tc_cell_rule,$(k),$(t),$(c))))))
$(foreach k,$(P1_KVERS),$(foreach t,$(VALIDATE_TOOLS),$(eval \
	$(call cell_rule,p1,$(k),$(t),$(CURDIR)/$(VDIR)/stubs/$(k),$(VDIR)/stubs/$(k)/.stapgen-stub,$(CURDIR)/$(VDIR)/stubs/$(k)/stap))))
endif
_validate-cells:

define tc_prime_rule
$(KCACHE)/$(1)/stap-$(2)/.stapgen-primed:
	@./scripts/live/toolchain.sh sysdir $(2) $(1) >/dev/null
endef
ifneq ($(filter _validate-cells,$(MAKECMDGOALS)),)
$(foreach c,$(VALIDATE_TOOLCHAINS),$(foreach k,$(call tc_kvers,$(c)),$(eval $(call tc_prime_rule,$(k),$(c)))))
endif

$(VDIR)/stubs/%/.stapgen-stub: scripts/validate-stub.sh
	@./scripts/validate-stub.sh "$*" $(VDIR)/stubs/$*

# the cell and matrix scripts themselves (stap -p1, no kernel tree): make check
check-validate-unit:
	@sh tests/validate/run.sh

validate-clean:
	rm -rf $(VDIR)

# Drop cached trees and .debs of kernels no longer in KERNELS (after Debian
# moved a meta package to a new ABI, say).
kernels-prune:
	@$(if $(KERNELS_MISSING),echo "kernels-prune: not fetched: $(KERNELS_MISSING) (run make kernels first)" >&2; exit 1)
	@keep=" $(FIXTURE_KVERS) "; vers=; \
	for k in $(FIXTURE_KVERS); do vers="$$vers $$(sed -n 's/^version=//p' $(KCACHE)/$$k/.stapgen-ready | sed 's/:/%3a/')"; done; \
	for d in $(KCACHE)/*/; do k=$$(basename "$$d"); \
		case $$k in by-meta) continue;; esac; \
		case "$$keep" in *" $$k "*) ;; *) echo "kernels-prune: $$d"; rm -rf "$$d";; esac; \
	done; \
	for f in $(KCACHE)/.debs/*.deb; do [ -e "$$f" ] || continue; v=$${f#*_}; v=$${v%_*}; \
		case " $$vers " in *" $$v "*) ;; *) echo "kernels-prune: $$f"; rm -f "$$f";; esac; \
	done
