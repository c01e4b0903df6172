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
# The kernels, the releases checked at -p1 only and the stap toolchains are
# the rows of mk/matrix.list (MATRIX_LIST), read here, in mk/live.mk, by
# scripts/live/toolchain.sh and by tests/live/live.py.
MATRIX_LIST := mk/matrix.list
# matrix_rows KEYWORD,FIELDS: the FIELDS (awk print arguments) of its rows
matrix_rows = $(shell awk '{ sub(/\#.*/, "") } $$1 == "$(1)" { print $(2) }' $(MATRIX_LIST))
# Debian -dbg meta packages (resolved through apt at `make kernels` time) or
# exact releases (6.1.0-56-cloud-amd64); SUITE/ in front resolves the entry in
# that suite through a private apt configuration (scripts/fetch-kernel.sh),
# without it the host's apt (bookworm) is asked.
MATRIX_KERNELS := $(call matrix_rows,kernel,$$2)
KERNELS ?= $(MATRIX_KERNELS)
# Entries dir:ROOT, rpm:GLOB and deb:GLOB are the users' own kernels: a
# directory laid out as an installed system, RPMs (kernel-devel,
# kernel-debuginfo), .deb/.ddeb files; scripts/kernel-source.sh assembles
# them into $(KCACHE)/<release>@<kind> (column <release>@<kind>, host stap
# only; a tree without debuginfo is validated as headers-only).
# Releases we cannot fetch: their scripts must at least pass stap -p1.
MATRIX_P1 := $(call matrix_rows,p1,$$2)
P1_KVERS ?= $(MATRIX_P1)
# Other staps to run the -p2 cells with, besides the host's: every chroot
# toolchain of the list (sid = Debian sid's stap 5.6, bullseye = bullseye's
# 4.4, the oldest reachable here).  Their cells are columns
# <release>@<toolchain>.
MATRIX_CHROOTS := $(call matrix_rows,toolchain,$$2 == "host" ? "" : $$2)
VALIDATE_TOOLCHAINS ?= $(MATRIX_CHROOTS)
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
# validate) unless its plan (TOOL.flags) says debuginfo=not-needed.  Each pair
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
# the Debian entries, and the users' kernel sources (dir:, rpm:, deb:)
SRC_PATTERNS := dir:% rpm:% deb:%
DEB_KERNELS = $(filter-out $(SRC_PATTERNS),$(KERNELS))
SRC_ENTRIES = $(filter $(SRC_PATTERNS),$(KERNELS))
# a source's tree id, RELEASE@KIND, through the link kernel-source.sh
# leaves in $(KCACHE)/by-source/ (keyed by the entry's sha256)
src_id = $(notdir $(realpath $(KCACHE)/by-source/$(shell printf '%s' '$(1)' | sha256sum | cut -c1-16)))
SRC_IDS := $(foreach e,$(SRC_ENTRIES),$(call src_id,$(e)))
src_rel = $(firstword $(subst @, ,$(1)))
src_kind = $(lastword $(subst @, ,$(1)))
# a tree without debuginfo: validated as headers-only (gaps, not FAILs)
src_ho = $(shell grep -sqx 'debuginfo=none' $(KCACHE)/$(1)/.stapgen-ready && echo headers-only)
# Kinds whose columns do not run the kernel.trace tools (so no tracepoint
# cache is primed for them, ~2.5 min each): their cells are "not run".
VALIDATE_SOURCE_NO_TRACE ?=
FIXTURE_KVERS = $(foreach k,$(DEB_KERNELS),$(call kver_of,$(k)))
# releases scripts are generated for: the fixtures' and the sources'
GEN_KVERS = $(FIXTURE_KVERS) $(filter-out $(FIXTURE_KVERS),$(sort $(foreach s,$(SRC_IDS),$(call src_rel,$(s)))))
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
KERNELS_MISSING = $(foreach k,$(DEB_KERNELS),$(if $(shell grep -sx 'prime=$(PRIME_FORMAT)' $(KCACHE)/$(call kver_of,$(k))/.stapgen-primed),,$(k)))
STAP_BIN := $(firstword $(wildcard $(addsuffix /stap,$(subst :, ,$(PATH)))))

.PHONY: kernels _kernels-ready validate-sources kernels-prune validate validate-clean _validate _validate-cells check-validate-unit

# ---- fixtures ----------------------------------------------------------------
kernels: $(addprefix kernel-fetch/,$(DEB_KERNELS))
	@$(foreach e,$(SRC_ENTRIES),./scripts/kernel-source.sh '$(e)' >/dev/null &&) :
	@$(MAKE) --no-print-directory _kernels-ready
_kernels-ready:
	@echo "kernels: ready: $(foreach k,$(DEB_KERNELS),$(KCACHE)/$(call kver_of,$(k))/build) $(foreach s,$(SRC_IDS),$(KCACHE)/$(s)/build)"
kernel-fetch/%:
	@./scripts/fetch-kernel.sh "$*" >/dev/null

# ---- validation ----------------------------------------------------------------
# Three make passes: (1) fetch what is missing, (2) generate every script for
# every release (only changed files get new mtimes), (3) one target per cell,
# run in parallel, re-run only when its script, its kernel tree or stap
# changed.  Then the matrix, always; the exit status comes last.
validate: $(STAPGEN) $(if $(VALIDATE_TOOLCHAINS),live-deps)
	@$(if $(KERNELS_MISSING),set -e; for k in $(KERNELS_MISSING); do ./scripts/fetch-kernel.sh "$$k" >/dev/null; done)
	@$(foreach e,$(SRC_ENTRIES),./scripts/kernel-source.sh --no-prime '$(e)' >/dev/null &&) :
	@$(MAKE) --no-print-directory _validate

_validate:
	@rc=0; ./scripts/validate-gen.sh $(STAPGEN) $(VDIR)/gen "$(GEN_KVERS) $(P1_KVERS)" $(SPECS) || rc=1; \
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
	$(addprefix src:,$(SRC_IDS)) \
	$(foreach p,$(HO_PAIRS),ho:$(call ho_col,$(p))) \
	$(addprefix p1:,$(P1_KVERS)) \
	$(foreach k,$(FIXTURE_KVERS),$(if $(wildcard $(VDIR)/cells/$(k)@live/.done),live:$(k)@live))
validate-matrix:
	@tools=$$(cat $(GEN_TOOLS_FILES)); ./scripts/validate-matrix.sh $(VDIR) "$(MATRIX_COLUMNS)" "$$tools"

# ---- the users' kernel sources, tested on a repackaged Debian kernel --------
# scripts/repackage-kernel.sh turns the fetched SOURCE_FIXTURE kernel into a
# RHEL-layout directory, RPMs and .debs + an Ubuntu-style .ddeb; validate
# runs with them as dir:, rpm: and deb: entries next to KERNELS, and
# tests/validate/source-agree.py fails unless each source column's verdicts
# are the Debian column's (the headers-only one for SOURCE_FIXTURE_HO=--headers-only).
SOURCE_FIXTURE ?= linux-image-cloud-amd64-dbg
SOURCE_FIXTURE_HO ?=
SOURCE_FIXTURE_DIR = $(STAPGEN_CACHE)/source-fixtures/$(call kver_of,$(SOURCE_FIXTURE))$(if $(SOURCE_FIXTURE_HO),-headers-only)
SOURCE_FIXTURES = dir:$(SOURCE_FIXTURE_DIR)/rhel-root rpm:$(SOURCE_FIXTURE_DIR)/rpm/*.rpm deb:$(SOURCE_FIXTURE_DIR)/deb/*
validate-sources: $(STAPGEN)
	@$(if $(call kver_of,$(SOURCE_FIXTURE)),,echo "validate-sources: $(SOURCE_FIXTURE) is not fetched (make kernels)" >&2; exit 1)
	@./scripts/repackage-kernel.sh $(call kver_of,$(SOURCE_FIXTURE)) $(SOURCE_FIXTURE_DIR) $(SOURCE_FIXTURE_HO) >/dev/null
	@rc=0; $(MAKE) --no-print-directory validate KERNELS="$(KERNELS) $(SOURCE_FIXTURES)" || rc=1; \
	python3 tests/validate/source-agree.py $(VDIR) || rc=1; exit $$rc

# ---- one rule per cell (evaluated in pass 3, after generation) ---------------
GEN_TOOLS_FILES = $(foreach k,$(GEN_KVERS) $(P1_KVERS),$(VDIR)/gen/$(k)/.tools)
VALIDATE_TOOLS = $(sort $(shell cat $(GEN_TOOLS_FILES) 2>/dev/null))
# a cell is its script and its plan (TOOL.flags: the stap options, the needs)
cell_script = $(wildcard $(VDIR)/gen/$(1)/$(2).stp $(VDIR)/gen/$(1)/$(2).flags $(VDIR)/gen/$(1)/$(2).unsupported)

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

# $(1) source tree id RELEASE@KIND, $(2) tool: stap -p2 with the host's stap
# on that tree (headers-only when it has no debuginfo); the tracepoint cache
# is primed first, unless the kind's kernel.trace tools are not run.
define src_cell_rule
$(VDIR)/cells/$(1)/$(2).rec: $(call cell_script,$(call src_rel,$(1)),$(2)) $(KCACHE)/$(1)/$(if $(filter $(call src_kind,$(1)),$(VALIDATE_SOURCE_NO_TRACE)),.stapgen-ready,.stapgen-primed) $(STAP_BIN) scripts/validate-cell.sh
	@VALIDATE_TREE=$(call src_ho,$(1)) VALIDATE_PROGRESS=$(VDIR)/.progress ./scripts/validate-cell.sh p2 $(1) $(2) $(VDIR)/gen/$(call src_rel,$(1)) $(KCACHE)/$(1)/build $(KCACHE)/$(1)/stap $(VDIR)/cells/$(1)/$(2)
_validate-cells: $(VDIR)/cells/$(1)/$(2).rec
endef
define src_skip_rule
$(VDIR)/cells/$(1)/$(2).rec: $(call cell_script,$(call src_rel,$(1)),$(2)) mk/kernels.mk
	@mkdir -p $$(@D) && printf 'kernel=%s\ntool=%s\nmode=p2\nstatus=not-run\nreason=%s\nseconds=0\n' '$(1)' '$(2)' \
		'a kernel.trace tool; VALIDATE_SOURCE_NO_TRACE has $(call src_kind,$(1))' >$$@.tmp && mv $$@.tmp $$@
_validate-cells: $(VDIR)/cells/$(1)/$(2).rec
endef
define src_prime_rule
$(KCACHE)/$(1)/.stapgen-primed:
	@./scripts/kernel-source.sh --prime-id $(1) >/dev/null
endef
# the tools whose script for release $(1) has a kernel.trace probe
trace_tools = $(basename $(notdir $(shell grep -l 'kernel\.trace' $(VDIR)/gen/$(1)/*.stp 2>/dev/null)))

ifneq ($(filter _validate-cells,$(MAKECMDGOALS)),)
$(foreach s,$(SRC_IDS),$(eval $(call src_prime_rule,$(s)))$(foreach t,$(VALIDATE_TOOLS),$(eval \
	$(call $(if $(and $(filter $(call src_kind,$(s)),$(VALIDATE_SOURCE_NO_TRACE)),$(filter $(t),$(call trace_tools,$(call src_rel,$(s))))),src_skip_rule,src_cell_rule),$(s),$(t)))))
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
	@sh tests/validate/run.sh && sh tests/validate/sources.sh && sh tests/validate/matrix-list.sh

validate-clean:
	rm -rf $(VDIR)

# Drop cached trees and .debs of kernels no longer in KERNELS (after Debian
# moved a meta package to a new ABI, say).
kernels-prune:
	@$(if $(KERNELS_MISSING),echo "kernels-prune: not fetched: $(KERNELS_MISSING) (run make kernels first)" >&2; exit 1)
	@keep=" $(FIXTURE_KVERS) $(SRC_IDS) "; vers=; \
	for k in $(FIXTURE_KVERS); do vers="$$vers $$(sed -n 's/^version=//p' $(KCACHE)/$$k/.stapgen-ready | sed 's/:/%3a/')"; done; \
	for d in $(KCACHE)/*/; do k=$$(basename "$$d"); \
		case $$k in by-meta|by-source) continue;; esac; \
		case "$$keep" in *" $$k "*) ;; *) echo "kernels-prune: $$d"; rm -rf "$$d";; esac; \
	done; \
	for f in $(KCACHE)/.debs/*.deb; do [ -e "$$f" ] || continue; v=$${f#*_}; v=$${v%_*}; \
		case " $$vers " in *" $$v "*) ;; *) echo "kernels-prune: $$f"; rm -f "$$f";; esac; \
	done

# print-VAR: a variable's value (tests/validate/matrix-list.sh reads them)
print-%: ; @echo '$($*)'
